// Block digests of big files, kept between runs so that checking a file against the peer
// (skip when identical, prove a prefix for resume) costs a few KiB of reading instead of the
// whole file. One state file per source file, named by a hash of its device, inode and absolute
// path; an entry is trusted only while size, mtime, device and inode are what they were when it
// was written. Small files are hashed on demand instead: cheaper than an entry each.
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, unlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BLOCK_SIZE, blockCount, DIGEST_LEN } from './hashing.js';
import { readState, StateWriter, type StateMeta } from './state-file.js';

/** Below this size a file is simply rehashed when needed. */
export const CACHE_MIN_SIZE = 32 * 1024 * 1024;
/**
 * Entries of files that were deleted or moved are never read again, so the cache is trimmed to
 * this many bytes, least recently used first (an entry costs 8 KiB per GiB of source: 64 MiB
 * hold the digests of ~8 TiB of files).
 */
export const CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** After trimming, the cache holds at most this share of the limit, so trims stay rare. */
const PRUNE_TO = 0.75;
const ENTRY_SUFFIX = '.xfs';

/** What identifies one version of a file for the cache (a subset of fs.Stats). */
export interface FileId {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export class HashCache {
  private pruning: Promise<unknown> | null = null;

  /** `dir` null: no cache, every lookup misses and nothing is written. */
  constructor(
    readonly dir: string | null,
    private readonly maxBytes = CACHE_MAX_BYTES,
  ) {}

  wants(size: number): boolean {
    return this.dir !== null && size >= CACHE_MIN_SIZE;
  }

  /** Digests known for this version of the file (maybe fewer than all blocks), or null. */
  async get(path: string, id: FileId): Promise<Buffer | null> {
    if (!this.wants(id.size)) return null;
    const file = this.entry(path, id);
    const s = await readState(file);
    if (!s || !sameVersion(s.meta, id)) return null;
    // Marks the entry as recently used for pruning.
    const t = new Date();
    await utimes(file, t, t).catch(() => undefined);
    const max = blockCount(id.size) * DIGEST_LEN;
    return s.digests.length > max ? s.digests.subarray(0, max) : s.digests;
  }

  /** A fresh entry holding `prefix`, open for appending the next digests; null if not cached. */
  async writer(path: string, id: FileId, prefix: Uint8Array = new Uint8Array(0)): Promise<StateWriter | null> {
    if (!this.wants(id.size)) return null;
    try {
      await mkdir(this.dir!, { recursive: true, mode: 0o700 });
      this.startPrune();
      return await StateWriter.create(this.entry(path, id), meta(id), prefix);
    } catch {
      return null; // a cache that cannot be written only costs speed
    }
  }

  /**
   * Starts the once-per-run trim in the background. It stats every entry (30 ms for the 500
   * entries of this machine's cache), and the first write used to wait for it: on the receiver
   * that write stands between a big file's last byte and the sender's confirmation, on the
   * sender between the go-ahead and the first data. A transfer starts it while it waits for its
   * peer; a write starts it at the latest and never waits for it (the trim keeps the newest
   * entries, so it does not take the one being written).
   */
  startPrune(): void {
    if (this.dir === null || this.pruning) return;
    this.pruning = this.prune().catch(() => 0);
  }

  /** Resolves once a trim that was started is over: await it before the process ends. */
  async settle(): Promise<void> {
    await this.pruning;
  }

  /** Stores all digests of a file at once (best effort). */
  async put(path: string, id: FileId, digests: Uint8Array): Promise<void> {
    const w = await this.writer(path, id, digests);
    await w?.close().catch(() => undefined);
  }

  /** Moves an existing state file (e.g. a finished sidecar) into the cache for `path`. */
  async adopt(stateFile: string, path: string, id: FileId, digests: Uint8Array): Promise<void> {
    if (!this.wants(id.size)) {
      await unlink(stateFile).catch(() => undefined);
      return;
    }
    // Rewritten rather than renamed: the meta must describe the final file, not the partial.
    await this.put(path, id, digests);
    await unlink(stateFile).catch(() => undefined);
  }

  /**
   * Deletes the least recently used entries while the cache is above its limit (once per run,
   * before the first write; best effort: a cache that cannot be trimmed only costs disk space).
   */
  async prune(): Promise<number> {
    if (this.dir === null) return 0;
    const dir = this.dir;
    const names = await readdir(dir).catch(() => [] as string[]);
    const entries: { file: string; size: number; used: number }[] = [];
    for (const name of names) {
      if (!name.endsWith(ENTRY_SUFFIX)) continue;
      const file = join(dir, name);
      const st = await stat(file).catch(() => null);
      if (st?.isFile()) entries.push({ file, size: st.size, used: st.mtimeMs });
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total <= this.maxBytes) return 0;
    entries.sort((a, b) => a.used - b.used);
    let removed = 0;
    for (const e of entries) {
      if (total <= this.maxBytes * PRUNE_TO) break;
      await unlink(e.file).then(
        () => {
          total -= e.size;
          removed++;
        },
        () => undefined,
      );
    }
    return removed;
  }

  private entry(path: string, id: FileId): string {
    const key = createHash('sha256').update(`${id.dev}:${id.ino}:${resolve(path)}`).digest('hex').slice(0, 40);
    return join(this.dir!, `${key}${ENTRY_SUFFIX}`);
  }
}

function meta(id: FileId): StateMeta {
  return { v: 1, block: BLOCK_SIZE, dev: id.dev, ino: id.ino, size: id.size, mtimeMs: id.mtimeMs };
}

function sameVersion(m: StateMeta, id: FileId): boolean {
  return m.v === 1 && m.block === BLOCK_SIZE && m.dev === id.dev && m.ino === id.ino && m.size === id.size && m.mtimeMs === id.mtimeMs;
}
