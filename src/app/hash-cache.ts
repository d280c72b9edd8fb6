// Block digests of big files, kept between runs so that checking a file against the peer
// (skip when identical, prove a prefix for resume) costs a few KiB of reading instead of the
// whole file. One state file per source file, named by a hash of its device, inode and absolute
// path; an entry is trusted only while size, mtime, device and inode are what they were when it
// was written. Small files are hashed on demand instead: cheaper than an entry each.
import { createHash } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BLOCK_SIZE, blockCount, DIGEST_LEN } from './hashing.js';
import { readState, StateWriter, type StateMeta } from './state-file.js';

/** Below this size a file is simply rehashed when needed. */
export const CACHE_MIN_SIZE = 32 * 1024 * 1024;

/** What identifies one version of a file for the cache (a subset of fs.Stats). */
export interface FileId {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export class HashCache {
  /** `dir` null: no cache, every lookup misses and nothing is written. */
  constructor(readonly dir: string | null) {}

  wants(size: number): boolean {
    return this.dir !== null && size >= CACHE_MIN_SIZE;
  }

  /** Digests known for this version of the file (maybe fewer than all blocks), or null. */
  async get(path: string, id: FileId): Promise<Buffer | null> {
    if (!this.wants(id.size)) return null;
    const s = await readState(this.entry(path, id));
    if (!s || !sameVersion(s.meta, id)) return null;
    const max = blockCount(id.size) * DIGEST_LEN;
    return s.digests.length > max ? s.digests.subarray(0, max) : s.digests;
  }

  /** A fresh entry holding `prefix`, open for appending the next digests; null if not cached. */
  async writer(path: string, id: FileId, prefix: Uint8Array = new Uint8Array(0)): Promise<StateWriter | null> {
    if (!this.wants(id.size)) return null;
    try {
      await mkdir(this.dir!, { recursive: true, mode: 0o700 });
      return await StateWriter.create(this.entry(path, id), meta(id), prefix);
    } catch {
      return null; // a cache that cannot be written only costs speed
    }
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

  private entry(path: string, id: FileId): string {
    const key = createHash('sha256').update(`${id.dev}:${id.ino}:${resolve(path)}`).digest('hex').slice(0, 40);
    return join(this.dir!, `${key}.xfs`);
  }
}

function meta(id: FileId): StateMeta {
  return { v: 1, block: BLOCK_SIZE, dev: id.dev, ino: id.ino, size: id.size, mtimeMs: id.mtimeMs };
}

function sameVersion(m: StateMeta, id: FileId): boolean {
  return m.v === 1 && m.block === BLOCK_SIZE && m.dev === id.dev && m.ino === id.ino && m.size === id.size && m.mtimeMs === id.mtimeMs;
}
