// A big file's bytes onto its stream, hashed in blocks as they go (feeding the hash cache), in
// one or more ranges: a batch may send the first bytes before the receiver has decided (early
// data, below) and the rest once it has.
import { AppError } from '../core/api.js';
import { StreamAbort } from '../io/errors.js';
import type { XferStream } from '../io/stream.js';
import type { FileId, HashCache } from './hash-cache.js';
import type { StateWriter } from './state-file.js';
import { BlockHasher } from './hashing.js';
import { fsReason } from './run.js';
import { RingReader } from './source-read.js';
import type { TreeEntry } from './tree.js';
import { unlessClosed, writeChunk } from './write.js';

/** Reads bytes [start, end) of a file; tests inject failing or hanging sources here. */
export type ReadSource = (path: string, start: number, end: number) => AsyncIterable<Uint8Array>;

/** A source that failed after its data started: its stream was reset. */
export class SourceFailed extends Error {}

interface Chunk {
  data: Uint8Array;
  /** Gives a reused read buffer back once the transport holds the data. */
  release?: () => void;
}

/**
 * The file from one offset to its end, sent in ranges. One source is read throughout (a chunk
 * that straddles a range's end is split), so a range boundary costs no reopen or reread.
 */
export class FileStreamer {
  private appended: Promise<void> = Promise.resolve();
  private readonly hasher: BlockHasher;
  private pos: number;
  private readonly start: number;
  private next: (() => Promise<Chunk | null>) | null = null;
  private closeSource: () => Promise<void> = async () => undefined;
  private held: Chunk | null = null;
  /**
   * The cache entry, opened at the first whole block: opening it starts the entry afresh, and
   * early data must not wipe the digests a resume or verify of this file is about to use (a
   * block is 4 MiB, the early bytes far fewer).
   */
  private log: Promise<StateWriter | null> | null = null;

  /** From byte `from`; `prefix`: digests of the blocks before it (a checked resume). */
  constructor(
    private readonly s: XferStream,
    private readonly e: TreeEntry,
    cache: HashCache,
    prefix: Buffer,
    from: number,
    private readonly readSource?: ReadSource,
  ) {
    this.pos = this.start = from;
    const id: FileId = { dev: e.dev, ino: e.ino, size: e.size, mtimeMs: e.mtime };
    const openLog = (): Promise<StateWriter | null> => cache.writer(e.source, id, prefix);
    this.hasher = new BlockHasher((d) => {
      this.appended = this.appended.then(async () => (await (this.log ??= openLog()))?.append(d)).catch(() => undefined);
    }, prefix);
  }

  /** Data bytes handed to the transport so far. */
  get sent(): number {
    return this.pos - this.start;
  }

  /**
   * Sends the bytes up to offset `to` unless the receiver stops the stream first; a source that
   * fails or comes up short resets the stream (SourceFailed).
   */
  async send(to: number, progress: (n: number) => void): Promise<void> {
    while (this.pos < to && this.s.sendStopped === null) {
      const c = this.held ?? (await this.read());
      this.held = null;
      if (!c) throw sourceFailed(this.s, `${this.e.source} changed while being read (${this.pos} of ${this.e.size} bytes)`);
      let part = c;
      if (c.data.length > to - this.pos) {
        const cut = to - this.pos;
        part = { data: c.data.subarray(0, cut) };
        this.held = { data: c.data.subarray(cut), ...(c.release ? { release: c.release } : {}) };
      }
      this.hasher.update(part.data);
      this.pos += part.data.length;
      await writeChunk(this.s, part.data, () => progress(part.data.length), part.release);
    }
  }

  /** The file hash (once every byte from the start to the end is sent). */
  digest(): Buffer {
    return this.hasher.finish();
  }

  /** Closes the source, waits for the cache's digests to be written and closes the entry. */
  async close(): Promise<void> {
    this.held?.release?.();
    this.held = null;
    await this.closeSource();
    await this.appended;
    await (await this.log)?.close().catch(() => undefined);
  }

  /** The next chunk from the source (opened on first use), null at its end. */
  private async read(): Promise<Chunk | null> {
    if (!this.next) this.next = this.readSource ? this.fromSource(this.readSource) : await this.fromRing();
    return this.next();
  }

  private failed(err: unknown): Error {
    return this.s.destroyed ? (err as Error) : sourceFailed(this.s, `cannot read ${this.e.source}: ${fsReason(err)}`);
  }

  /** Through reused buffers. A read that never returns must not hold the item once the stream is gone. */
  private async fromRing(): Promise<() => Promise<Chunk | null>> {
    const ring = await RingReader.open(this.e.source, this.pos, this.e.size).catch((err: unknown) => {
      throw this.failed(err);
    });
    this.closeSource = async () => ring.close();
    return () => unlessClosed(this.s, ring.next()).catch((err: unknown) => {
      throw this.failed(err);
    });
  }

  /** The same from an injected source (tests). */
  private fromSource(src: ReadSource): () => Promise<Chunk | null> {
    const it = src(this.e.source, this.pos, this.e.size)[Symbol.asyncIterator]();
    this.closeSource = async () => {
      const closing = it.return?.()?.catch(() => undefined);
      if (!this.s.destroyed) await closing;
    };
    return async () => {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await unlessClosed(this.s, it.next());
      } catch (err) {
        if (this.s.destroyed) throw err;
        throw sourceFailed(this.s, `cannot read ${this.e.source}: ${fsReason(err)}`);
      }
      return r.done ? null : { data: r.value };
    };
  }
}

export function sourceFailed(s: XferStream, why: string): SourceFailed {
  s.destroy(new StreamAbort(AppError.SOURCE_ERROR, why));
  return new SourceFailed(why);
}

/**
 * Early data: a batch that starts with a big file sends its Go and first bytes right behind the
 * header, in the round trip it would otherwise spend waiting for the receiver's decisions. The
 * transport's first flight (its initial window, 32 packets) and the first-burst rate reading of
 * STARTUP then happen in that round trip too, so the file arrives about one round trip sooner
 * (linkem, 100 Mbit/s x 50 ms: the first data byte at 27 instead of 90 ms after the handshake).
 * When the receiver decides otherwise (resume, verify, refuse, done) it reads and drops these
 * bytes and the item goes on as decided: EARLY_BYTES (a bit more than the first flight) are
 * wasted. A run whose receiver keeps deciding otherwise (a rerun over files that are there
 * already) stops sending early after EARLY_MISSES such batches. A small first file of at most
 * EARLY_BYTES goes whole, hash included (batch-send.ts): a 1-byte file then arrives in the
 * round trip after the handshake instead of the one after its decision.
 */
export const EARLY_BYTES = 128 * 1024;
export const EARLY_MISSES = 2;

export class EarlyPolicy {
  private misses = 0;

  /** Early bytes for a batch whose first entry is `first` (0: none). */
  bytesFor(first: TreeEntry, smallMax: number): number {
    if (this.misses >= EARLY_MISSES || first.kind !== 'file') return 0;
    if (first.size <= smallMax) return first.size <= EARLY_BYTES ? first.size : 0;
    return Math.min(EARLY_BYTES, first.size);
  }

  /** What the receiver decided for an item that was sent early. */
  learn(wasSend: boolean): void {
    if (!wasSend) this.misses++;
  }
}
