// Reading the sender's files: small ones whole, big ones chunk by chunk through a few reused
// buffers.
import { close, closeSync, open, openSync, read, readSync } from 'node:fs';
import { fsReason } from './run.js';
import type { TreeEntry } from './tree.js';

const READ_CHUNK = 256 * 1024;

/**
 * The whole content of a small file, exactly as announced. Synchronous on purpose, like the
 * receiver's writes (resume.ts, writeWhole): three quick calls per small file cost far less CPU
 * than three hand-offs to the thread pool, and the event loop waits for one small file only.
 */
export function readSmall(e: TreeEntry): Buffer {
  let fd: number;
  try {
    fd = openSync(e.source, 'r');
  } catch (err) {
    throw new Error(`cannot read ${e.source}: ${fsReason(err)}`);
  }
  try {
    const buf = Buffer.allocUnsafe(e.size);
    let got = 0;
    while (got < e.size) {
      const n = readSync(fd, buf, got, e.size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got !== e.size) throw new Error(`${e.source} changed while being read (${got} of ${e.size} bytes)`);
    return buf;
  } catch (err) {
    if (err instanceof Error && !('code' in err)) throw err;
    throw new Error(`cannot read ${e.source}: ${fsReason(err)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads [start, end) of a file into a few buffers used over and over, so a big file makes no
 * garbage per chunk (a fresh 256 KiB buffer per read kept ~20 MB of dead buffers around between
 * collections). A buffer is refilled only after the consumer released what it got from it.
 */
export class RingReader {
  private static readonly SLOTS = 4;
  private readonly bufs = Array.from({ length: RingReader.SLOTS }, () => Buffer.allocUnsafe(READ_CHUNK));
  private readonly free: Promise<void>[] = this.bufs.map(() => Promise.resolve());
  private slot = 0;

  private constructor(private readonly fd: number, private pos: number, private readonly end: number) {}

  static open(path: string, start: number, end: number): Promise<RingReader> {
    return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(new RingReader(fd, start, end)))));
  }

  /** The next chunk and the function that gives its buffer back; null at `end` or if the file is shorter. */
  async next(): Promise<{ data: Buffer; release: () => void } | null> {
    if (this.pos >= this.end) return null;
    const k = this.slot;
    this.slot = (k + 1) % RingReader.SLOTS;
    await this.free[k];
    const buf = this.bufs[k]!;
    const want = Math.min(READ_CHUNK, this.end - this.pos);
    const n = await new Promise<number>((resolve, reject) =>
      read(this.fd, buf, 0, want, this.pos, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))),
    );
    if (n === 0) return null;
    this.pos += n;
    let release!: () => void;
    this.free[k] = new Promise<void>((resolve) => (release = resolve));
    return { data: buf.subarray(0, n), release };
  }

  close(): void {
    close(this.fd, () => undefined);
  }
}
