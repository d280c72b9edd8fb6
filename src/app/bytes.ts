// Byte-exact reading from a Readable, and waiting for a Writable to be delivered.
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { framedLength, parseJson, ProtocolError } from './codec.js';

/**
 * Reads a stream in pieces of chosen sizes. It iterates with destroyOnReturn off: finishing
 * the reading side must not destroy a Duplex whose writing side is still in use.
 */
export class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private left: Buffer | null = null;

  constructor(r: Readable) {
    this.it = r.iterator({ destroyOnReturn: false });
  }

  /** Up to `max` bytes (at least 1), or null at the end of the stream. */
  async next(max: number): Promise<Buffer | null> {
    let buf = this.left;
    this.left = null;
    if (!buf) {
      const r = await this.it.next();
      if (r.done) return null;
      buf = r.value;
    }
    if (buf.length > max) {
      this.left = buf.subarray(max);
      return buf.subarray(0, max);
    }
    return buf;
  }

  /** Exactly `n` bytes; ProtocolError if the stream ends first. */
  async exact(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const b = await this.next(n - got);
      if (!b) throw new ProtocolError(`stream ended ${n - got} bytes early`);
      parts.push(b);
      got += b.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /** True if the stream ends here, false if more bytes follow. */
  async atEnd(): Promise<boolean> {
    const b = await this.next(Number.MAX_SAFE_INTEGER);
    if (!b) return true;
    this.left = b;
    return false;
  }

  /** A length-prefixed JSON value. */
  async framed(): Promise<unknown> {
    const n = framedLength(await this.exact(4));
    return parseJson(await this.exact(n));
  }

  /** Reads and drops everything up to the end; errors end it too. */
  async discard(): Promise<void> {
    try {
      while (await this.next(Number.MAX_SAFE_INTEGER));
    } catch {
      /* the stream died: nothing left to drain */
    }
  }
}

/** Ends the writing side and resolves once 'finish' (for transport streams: acknowledged). */
export async function endAndWait(w: Writable, last?: Uint8Array): Promise<void> {
  if (last) w.end(last);
  else w.end();
  await finished(w, { readable: false });
}
