// The receiver's decision for each entry of a batch, made before any data: a safe path
// (safe-path.ts), what is already there (same file: verify; another one: refuse without --force;
// a directory: refuse), a resumable partial (resume.ts). Directories and links are made right
// here; their attributes wait for the end of the session (DirAttrs).
import { lstatSync, type Stats } from 'node:fs';
import { chmod, lstat, lutimes, readlink, symlink, unlink, utimes } from 'node:fs/promises';
import type { ItemResult, ProgressSink } from './api.js';
import type { Decision, WireEntry } from './batch.js';
import type { OpenFile } from './file-io.js';
import type { HashCache } from './hash-cache.js';
import { BLOCK_SIZE } from './hashing.js';
import { dropPartial, fileHash, findOffer, type Offer } from './resume.js';
import { fsReason } from './run.js';
import { checkRelPath, displayPath, PathRefused, type SafeTree } from './safe-path.js';
import { TurnBudget } from './turn.js';

/** What the receiving user chose, shared by the whole receive and every batch in it. */
export interface ReceiveSettings {
  force: boolean;
  fsync: boolean;
  cache: HashCache;
  progress: ProgressSink;
  openFile?: OpenFile;
  /** --stall-timeout in ms; 0: never. */
  stallMs: number;
}

export interface BatchReceiveContext extends ReceiveSettings {
  tree: SafeTree;
  dirs: DirAttrs;
  /** File writes in flight by target (big files, and small ones that wait); see batch-receive.ts. */
  writing: Map<string, Promise<unknown>>;
  /** A progress key for an item on stream `id` (the stream id is in it, for tests and logs). */
  nextKey(id: number): string;
  record(r: ItemResult): void;
}

/** One entry and what was decided for it. */
export interface Slot {
  e: WireEntry;
  d: Decision;
  target: string;
  offer: Offer | null;
}

function lstatQuiet(path: string): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** Files decided at once (each decision is a few file-system calls). */
const DECIDE_PARALLEL = 32;

/**
 * Decisions for a batch, in order. Runs of plain files are decided several at once; directories
 * and links change the tree, so each of them is decided alone, after everything before it.
 */
export async function decideAll(items: WireEntry[], fresh: boolean, ctx: BatchReceiveContext): Promise<Slot[]> {
  const slots: Slot[] = [];
  let run: WireEntry[] = [];
  // A batch's decisions take milliseconds; packets of the other streams are handled in between.
  const turn = new TurnBudget();
  const flush = async (): Promise<void> => {
    await turn.check();
    slots.push(...(await Promise.all(run.map((e) => decide(e, fresh, ctx)))));
    run = [];
  };
  for (const e of items) {
    if (e.kind === 'file') {
      run.push(e);
      if (run.length >= DECIDE_PARALLEL) await flush();
      continue;
    }
    await flush();
    slots.push(await decide(e, fresh, ctx));
  }
  await flush();
  return slots;
}

async function decide(e: WireEntry, fresh: boolean, ctx: BatchReceiveContext): Promise<Slot> {
  const slot: Slot = { e, d: { a: 'send' }, target: '', offer: null };
  const parts = checkRelPath(e.path);
  if (typeof parts === 'string') return { ...slot, d: { a: 'refuse', why: `${displayPath(e.path)}: ${parts}` } };
  try {
    if (e.kind === 'dir') {
      ctx.dirs.add(await ctx.tree.prepareDir(parts), e.mode, e.mtime);
      return { ...slot, d: { a: 'done' } };
    }
    slot.target = await ctx.tree.prepare(parts);
    if (e.kind === 'symlink') return { ...slot, d: await makeLink(slot.target, e, ctx, parts) };
    await decideFile(slot, fresh, ctx);
    return slot;
  } catch (err) {
    const why = err instanceof PathRefused ? err.message : `cannot create ${displayPath(e.path)}: ${fsReason(err)}`;
    return { ...slot, d: { a: 'refuse', why } };
  }
}

async function decideFile(slot: Slot, fresh: boolean, ctx: BatchReceiveContext): Promise<void> {
  const { e, target } = slot;
  // Synchronous for the same reason as the small-file writes (resume.ts, writeWhole).
  const st = lstatQuiet(target);
  const name = displayPath(e.path);
  if (st?.isDirectory()) {
    // Even --force cannot put a file where a directory is: fail now, before the data comes.
    slot.d = { a: 'refuse', why: `cannot write ${name}: a directory of that name exists` };
  } else if (st?.isFile() && st.size === e.size && Math.abs(st.mtimeMs - e.mtime) < 1) {
    const hash = await fileHash(target, st, ctx.cache);
    slot.d = { a: 'verify', hash: hash.toString('hex'), replace: ctx.force };
  } else if (st && !ctx.force) {
    slot.d = { a: 'refuse', why: `${name} exists on the receiver; use --force there to replace it` };
  } else if (e.size >= BLOCK_SIZE && fresh) {
    await dropPartial(target);
  } else if (e.size >= BLOCK_SIZE) {
    slot.offer = await findOffer(target, e.size);
    if (slot.offer) slot.d = { a: 'resume', at: slot.offer.at, proof: slot.offer.proof.toString('hex') };
  }
}

async function makeLink(target: string, e: WireEntry, ctx: BatchReceiveContext, parts: string[]): Promise<Decision> {
  const name = displayPath(e.path);
  const st = await lstat(target).catch(() => null);
  if (st?.isSymbolicLink() && (await readlink(target).catch(() => null)) === e.link) return { a: 'done' };
  if (st?.isDirectory()) return { a: 'refuse', why: `cannot write ${name}: a directory of that name exists` };
  if (st && !ctx.force) return { a: 'refuse', why: `${name} exists on the receiver; use --force there to replace it` };
  if (st) await unlink(target);
  ctx.tree.forget(parts);
  await symlink(e.link!, target);
  await lutimes(target, e.mtime / 1000, e.mtime / 1000).catch(() => undefined);
  return { a: 'done' };
}

/**
 * Directory modes and mtimes, applied once the session is over: writing entries into a
 * directory changes its mtime, and a read-only mode would stop the writes.
 */
export class DirAttrs {
  private readonly list: { path: string; mode: number; mtime: number }[] = [];

  add(path: string, mode: number, mtime: number): void {
    this.list.push({ path, mode, mtime });
  }

  async apply(): Promise<void> {
    // Deepest first, so a parent's mtime is set after anything below it changed.
    for (const d of this.list.splice(0).reverse()) {
      const st = await lstat(d.path).catch(() => null);
      if (!st?.isDirectory()) continue;
      await chmod(d.path, d.mode & 0o777).catch(() => undefined);
      await utimes(d.path, d.mtime / 1000, d.mtime / 1000).catch(() => undefined);
    }
  }
}
