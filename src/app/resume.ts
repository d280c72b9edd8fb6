// Resuming files. The receiver writes a file to a temporary name beside its target that is the
// same on every run (".NAME.xfer-part"), plus a sidecar (".NAME.xfer-state") holding the digest
// of every whole block already written (hashing.ts, state-file.ts). A rerun finds both, offers
// the length it holds and the prefix proof over those blocks, and the sender checks that proof
// against its own file before skipping the prefix: a changed source fails the check and is sent
// from the start. The sidecar is appended to only after the block it describes was written, so
// after any crash it describes data that is really in the partial file.
import { createHash } from 'node:crypto';
import {
  closeSync, constants, fchmodSync, futimesSync, linkSync, lstatSync, openSync, renameSync, unlinkSync, writeSync,
} from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openFd, type OpenFile, type WritableFile } from './file-io.js';
import type { FileId, HashCache } from './hash-cache.js';
import { BLOCK_SIZE, BlockHasher, DIGEST_LEN, hashFileRange, proofOfPacked } from './hashing.js';
import { readState, StateWriter } from './state-file.js';

const PART_SUFFIX = '.xfer-part';
const STATE_SUFFIX = '.xfer-state';
/** Longest part of the target name kept in the temporary names; the rest is replaced by a hash. */
const STEM_BYTES = 200;

/** Base names of the partial file and its sidecar for target base name `name`. */
export function partNames(name: string): { part: string; state: string } {
  let stem = name;
  if (Buffer.byteLength(name) > STEM_BYTES) {
    // Still deterministic, still unique: a clipped name plus a hash of the full one.
    stem = `${clip(name, STEM_BYTES - 17)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  }
  return { part: `.${stem}${PART_SUFFIX}`, state: `.${stem}${STATE_SUFFIX}` };
}

/** True for names this module uses; incoming entries may not take them. */
export function isPartName(name: string): boolean {
  return name.startsWith('.') && (name.endsWith(PART_SUFFIX) || name.endsWith(STATE_SUFFIX));
}

/** The longest prefix of whole code points that fits in `max` UTF-8 bytes. */
function clip(name: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/** What a receiver holds of a file: `at` bytes, proven by `proof` over `digests`. */
export interface Offer {
  at: number;
  proof: Buffer;
  digests: Buffer;
}

/** Paths of the partial file and sidecar for the final path `target`. */
export function partPaths(target: string): { part: string; state: string } {
  const dir = dirname(target);
  const n = partNames(target.slice(dir.length + 1));
  return { part: join(dir, n.part), state: join(dir, n.state) };
}

/**
 * The resumable prefix for a file of `size` bytes at `target`, or null. Only whole blocks count,
 * and never the whole file's last block: a file that grew since may go on past it.
 */
export async function findOffer(target: string, size: number): Promise<Offer | null> {
  const p = partPaths(target);
  const s = await readState(p.state);
  if (!s || s.meta.v !== 1 || s.meta.block !== BLOCK_SIZE) return null;
  const st = await lstat(p.part).catch(() => null);
  if (!st?.isFile()) return null;
  const n = Math.min(s.digests.length / DIGEST_LEN, Math.floor(st.size / BLOCK_SIZE), Math.floor(size / BLOCK_SIZE));
  if (n <= 0) return null;
  const digests = s.digests.subarray(0, n * DIGEST_LEN);
  return { at: n * BLOCK_SIZE, proof: proofOfPacked(digests, n), digests };
}

/** Removes a leftover partial file and sidecar (best effort). */
export async function dropPartial(target: string): Promise<void> {
  const p = partPaths(target);
  await unlink(p.part).catch(() => undefined);
  await unlink(p.state).catch(() => undefined);
}

/** The target appeared while the data was arriving, and it may not be replaced. */
export class TargetExists extends Error {}

/**
 * A file being received into its partial name. write() chunks in order; each whole block's
 * digest goes to the sidecar once its bytes are written. finish() returns the file hash.
 */
export class PartialFile {
  readonly part: string;
  readonly state: string;
  private readonly hasher: BlockHasher;
  private readonly done: Buffer[] = [];
  private pos: number;
  private closed = false;
  /** Digest of a short last block: known at finish(), never in the sidecar (see findOffer). */
  private tail: Buffer | null = null;
  private readonly sidecarDigests: Buffer[];

  private constructor(target: string, private readonly fh: WritableFile, private readonly sidecar: StateWriter | null, at: number, prefix: Buffer) {
    const p = partPaths(target);
    this.part = p.part;
    this.state = p.state;
    this.pos = at;
    this.sidecarDigests = [prefix];
    this.hasher = new BlockHasher((d) => this.done.push(d), prefix);
  }

  /**
   * Opens the partial for `target`, keeping `offer`'s prefix (if given) and cutting anything
   * after it. Files smaller than a block cannot be resumed: they get no sidecar (`sidecar` false).
   */
  static async begin(target: string, offer: Offer | null, opener: OpenFile = openFd, sidecar = true): Promise<PartialFile> {
    const p = partPaths(target);
    const at = offer?.at ?? 0;
    const prefix = offer?.digests ?? Buffer.alloc(0);
    const base = constants.O_NOFOLLOW | constants.O_NONBLOCK;
    // Private while incomplete; the sender's mode is applied once the content is verified.
    const fh = at > 0
      ? await opener(p.part, constants.O_WRONLY | base, 0o600)
      : await opener(p.part, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | base, 0o600);
    try {
      // A resumed partial is reused: make sure it is a plain file. (A fresh one was just created
      // or truncated through O_NOFOLLOW; a FIFO or device there would need a local attacker.)
      if (at > 0 && !(await fh.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      if (at > 0) await fh.truncate(at);
      const log = sidecar || at > 0 ? await StateWriter.create(p.state, { v: 1, block: BLOCK_SIZE }, prefix) : null;
      return new PartialFile(target, fh, log, at, prefix);
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  get written(): number {
    return this.pos;
  }

  /** A rerun could resume from this partial: it has a sidecar and a whole block in it. */
  get resumable(): boolean {
    return this.sidecar !== null && this.pos >= BLOCK_SIZE;
  }

  async write(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length; ) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off, this.pos + off);
      off += bytesWritten;
    }
    this.pos += chunk.length;
    this.hasher.update(chunk);
    await this.flushDigests();
  }

  /** The file hash over everything written (prefix included). */
  async finish(): Promise<Buffer> {
    const before = this.hasher.blocks;
    const hash = this.hasher.finish();
    if (this.pos % BLOCK_SIZE !== 0 && this.hasher.blocks > before) this.tail = this.done.pop() ?? null;
    await this.flushDigests();
    return hash;
  }

  /** Every block digest of the finished file (for the hash cache). */
  allDigests(): Buffer {
    return Buffer.concat([...this.sidecarDigests, ...(this.tail ? [this.tail] : [])]);
  }

  /** Applies the final mode and mtime, optionally makes the data durable. */
  async seal(mode: number, mtimeMs: number, fsync: boolean): Promise<void> {
    await this.fh.chmod(mode & 0o777);
    await this.fh.utimes(Date.now() / 1000, mtimeMs / 1000).catch(() => undefined);
    if (fsync) await this.fh.sync();
  }

  /** Closes the files; the partial and sidecar stay for a later resume. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => undefined);
    await this.sidecar?.close().catch(() => undefined);
  }

  /** Closes and removes the partial and sidecar (its content is known to be bad). */
  async discard(): Promise<void> {
    await this.close();
    await unlink(this.part).catch(() => undefined);
    if (this.sidecar) await unlink(this.state).catch(() => undefined);
  }

  /**
   * Moves the verified partial to `target`; the sidecar goes to `cache` or away. With `replace`
   * false an existing target is never clobbered: link() fails atomically if it appeared meanwhile
   * (TargetExists); file systems without hard links fall back to a check and a rename.
   */
  async complete(target: string, cache: HashCache | null, fsync: boolean, replace: boolean): Promise<void> {
    await this.close();
    if (replace) await rename(this.part, target);
    else await placeNew(this.part, target);
    if (fsync) await syncDir(dirname(target));
    if (!this.sidecar) return;
    const st = cache?.wants(this.pos) ? await lstat(target).catch(() => null) : null;
    if (cache && st) await cache.adopt(this.state, target, st, this.allDigests());
    else await unlink(this.state).catch(() => undefined);
  }

  private async flushDigests(): Promise<void> {
    while (this.done.length > 0) {
      const d = this.done.shift()!;
      await this.sidecar?.append(d);
      this.sidecarDigests.push(d);
    }
  }
}

/**
 * A small file received whole (and verified) in memory: written to its partial name in one go,
 * mode and mtime set, then moved into place like PartialFile.complete. Nothing to resume for
 * files this small, so a failure removes the partial.
 *
 * Done with synchronous calls on purpose (unless a test injects `opener`, or with fsync): each is
 * a few microseconds of kernel time on a local disk, while the same call through libuv's thread
 * pool costs a hand-off and wake-ups that, for a tree of 100,000 small files, took more CPU than
 * the writes themselves. The event loop waits for one small file at a time, never longer.
 */
export async function writeWhole(
  target: string, data: Uint8Array, mode: number, mtimeMs: number, o: { opener?: OpenFile | undefined; fsync: boolean; replace: boolean },
): Promise<void> {
  const part = partPaths(target).part;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  if (!o.opener && !o.fsync) {
    writeWholeSync(part, target, data, mode, mtimeMs, flags, o.replace);
    return;
  }
  const fh = await (o.opener ?? openFd)(part, flags, 0o600);
  try {
    for (let off = 0; off < data.length; ) off += (await fh.write(data, off, data.length - off, off)).bytesWritten;
    await fh.chmod(mode & 0o777);
    await fh.utimes(Date.now() / 1000, mtimeMs / 1000).catch(() => undefined);
    if (o.fsync) await fh.sync();
    await fh.close();
    if (o.replace) await rename(part, target);
    else await placeNew(part, target);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw e;
  }
  if (o.fsync) await syncDir(dirname(target));
}

function writeWholeSync(part: string, target: string, data: Uint8Array, mode: number, mtimeMs: number, flags: number, replace: boolean): void {
  const fd = openSync(part, flags, 0o600);
  try {
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off, off);
      fchmodSync(fd, mode & 0o777);
      try { futimesSync(fd, Date.now() / 1000, mtimeMs / 1000); } catch { /* an mtime is not worth failing the file */ }
    } finally {
      closeSync(fd);
    }
    if (replace) renameSync(part, target);
    else placeNewSync(part, target);
  } catch (e) {
    try { unlinkSync(part); } catch { /* already gone */ }
    throw e;
  }
}

/** placeNew, synchronously. */
function placeNewSync(part: string, target: string): void {
  try {
    linkSync(part, target);
    unlinkSync(part);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TargetExists();
    if (!NO_LINKS.has(code ?? '')) throw e;
  }
  if (lstatSync(target, { throwIfNoEntry: false })) throw new TargetExists();
  renameSync(part, target);
}

/** Errors of file systems without hard links: moving into place falls back to check + rename. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EMLINK']);

async function placeNew(part: string, target: string): Promise<void> {
  try {
    await link(part, target);
    await unlink(part);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TargetExists();
    if (!NO_LINKS.has(code ?? '')) throw e;
  }
  if (await lstat(target).then(() => true, () => false)) throw new TargetExists();
  await rename(part, target);
}

/** Makes a rename in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// ------------------------------------------------------------------ sender side

/**
 * The sender's check of a receiver's offer: the digests of this file's first `offer.at` bytes
 * if its prefix proof matches, else null (the file changed: send it from the start). Uses the
 * hash cache when it covers the prefix, reads only the uncovered part otherwise.
 */
export async function checkOffer(path: string, id: FileId, at: number, proof: Uint8Array, cache: HashCache): Promise<Buffer | null> {
  if (at <= 0 || at % BLOCK_SIZE !== 0 || at > id.size || proof.length !== DIGEST_LEN) return null;
  const n = at / BLOCK_SIZE;
  const digests = await digestsUpTo(path, id, n, cache);
  if (!digests) return null;
  return proofOfPacked(digests, n).equals(proof) ? digests.subarray(0, n * DIGEST_LEN) : null;
}

/** The file hash of `path`, from the cache when it covers the file, else by reading it. */
export async function fileHash(path: string, id: FileId, cache: HashCache): Promise<Buffer> {
  const known = (await cache.get(path, id)) ?? Buffer.alloc(0);
  const all = Math.ceil(id.size / BLOCK_SIZE);
  if (known.length === all * DIGEST_LEN) return proofOfPacked(known, all);
  const whole = known.subarray(0, Math.min(known.length / DIGEST_LEN, Math.floor(id.size / BLOCK_SIZE)) * DIGEST_LEN);
  const fresh: Buffer[] = [];
  const hash = await hashFileRange(path, id.size, whole, (d) => fresh.push(d));
  if (cache.wants(id.size)) await cache.put(path, id, Buffer.concat([whole, ...fresh]));
  return hash;
}

/** At least `n` block digests of `path` (cache first, then reading what is missing). */
async function digestsUpTo(path: string, id: FileId, n: number, cache: HashCache): Promise<Buffer | null> {
  const known = (await cache.get(path, id)) ?? Buffer.alloc(0);
  if (known.length >= n * DIGEST_LEN) return known;
  const fresh: Buffer[] = [];
  try {
    await hashFileRange(path, n * BLOCK_SIZE, known, (d) => fresh.push(d));
  } catch {
    return null;
  }
  return Buffer.concat([known, ...fresh]);
}
