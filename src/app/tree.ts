// The sender's view of what to send: a streaming, depth-first walk over files and directories.
// Entries come out one at a time (a directory before its contents), so a tree of a million
// files is never held in memory; only one open directory handle per level is kept (beyond
// DEEP levels a directory's names are read at once and its handle closed, so very deep trees
// cannot run out of file descriptors). Roots are followed if they are symlinks; links inside a
// tree are entries of their own only with `symlinks`, otherwise skipped with a warning, like
// special files (sockets, FIFOs, devices).
import { lstat, opendir, readdir, readlink, stat } from 'node:fs/promises';
import { lstatSync, type Dir, type Stats } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { basename, join, resolve } from 'node:path';
import { fsReason } from './run.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface TreeEntry {
  type: 'entry';
  kind: EntryKind;
  /** Relative path as the receiver will create it, '/'-separated, starting with the root's name. */
  rel: string;
  /** Where to read it on this machine. */
  source: string;
  size: number;
  /** Permission bits only (no setuid/setgid/sticky). */
  mode: number;
  mtime: number;
  /** Symlink target as stored in the link. */
  link?: string;
  /** Identity for the hash cache (files). */
  dev: number;
  ino: number;
}

/** Something not sent: a warning (skipped symlink, special file) or an error (unreadable). */
export interface TreeNote {
  type: 'warning' | 'error';
  rel: string;
  message: string;
}

export type TreeEvent = TreeEntry | TreeNote;

export interface WalkOptions {
  symlinks: boolean;
}

/** Directory levels with an open handle before we switch to reading listings whole. */
const DEEP = 64;
/** Entries of one directory stat'ed at once; what a deep walk holds at most per level. */
const STAT_GROUP = 64;
/**
 * A synchronous lstat slower than this (ms) probably read the disk (a cached one takes a few
 * microseconds); SLOW_CALLS of them in one group make it sure. One alone may just be this thread
 * losing the CPU for a while.
 */
const SLOW_STAT_MS = 0.05;
const SLOW_CALLS = 3;
/** Parallel lstats faster than this per entry (ms) mean the metadata is cached again. */
const CACHED_STAT_MS = 0.05;

/**
 * How a group of entries is stat'ed. Synchronously while the metadata is cached: a few
 * microseconds each, where a hand-off to the thread pool and back costs the event loop several
 * times that (for 100,000 files, a second of CPU on the sender). Once a group takes long, the
 * disk is being read: the rest go through the thread pool, many at once, until a group comes
 * back as fast as a cache would.
 */
export class GroupStat {
  private parallel = false;

  constructor(
    private readonly sync: (path: string) => Stats | Error = lstatOrError,
    private readonly async: (path: string) => Promise<Stats | Error> = (p) => lstat(p).catch((e: unknown) => e as Error),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the next group starts in the thread pool. */
  get inParallel(): boolean {
    return this.parallel;
  }

  async stat(paths: string[]): Promise<(Stats | Error)[]> {
    const out: (Stats | Error)[] = [];
    if (!this.parallel) {
      let slow = 0;
      for (const p of paths) {
        const t0 = this.now();
        out.push(this.sync(p));
        if (this.now() - t0 > SLOW_STAT_MS && ++slow >= SLOW_CALLS) {
          this.parallel = true;
          break;
        }
      }
    }
    if (out.length === paths.length) return out;
    const t0 = this.now();
    const rest = paths.slice(out.length);
    out.push(...(await Promise.all(rest.map(this.async))));
    if ((this.now() - t0) / rest.length < CACHED_STAT_MS) this.parallel = false;
    return out;
  }
}

function lstatOrError(path: string): Stats | Error {
  try {
    return lstatSync(path);
  } catch (e) {
    return e as Error;
  }
}

/** The walk's own state beside the caller's options. */
interface Walk extends WalkOptions {
  stats: GroupStat;
}

/** Walks every root in order. Roots must exist (the caller checked them); errors inside become notes. */
export async function* walk(roots: string[], options: WalkOptions): AsyncGenerator<TreeEvent> {
  const o: Walk = { ...options, stats: new GroupStat() };
  for (const root of roots) {
    const name = rootName(root);
    let st: Stats;
    try {
      st = await stat(root);
    } catch (e) {
      yield { type: 'error', rel: name, message: `cannot read ${root}: ${fsReason(e)}` };
      continue;
    }
    yield* visit(root, name, st, o, 0);
  }
}

/** The name a root arrives under: its last path component ("." and "/" resolved first). */
export function rootName(root: string): string {
  return basename(resolve(root));
}

async function* visit(source: string, rel: string, st: Stats, o: Walk, depth: number): AsyncGenerator<TreeEvent> {
  if (st.isSymbolicLink()) {
    if (!o.symlinks) {
      yield { type: 'warning', rel, message: `skipped symbolic link ${rel} (use --symlinks to send links)` };
      return;
    }
    let link: string;
    try {
      link = await readlink(source);
    } catch (e) {
      yield { type: 'error', rel, message: `cannot read link ${source}: ${fsReason(e)}` };
      return;
    }
    yield entry('symlink', rel, source, st, link);
    return;
  }
  if (st.isFile()) {
    yield entry('file', rel, source, st);
    return;
  }
  if (!st.isDirectory()) {
    yield { type: 'warning', rel, message: `skipped ${kindName(st)} ${rel}` };
    return;
  }
  yield entry('dir', rel, source, st);
  yield* children(source, rel, o, depth);
}

async function* children(dir: string, rel: string, o: Walk, depth: number): AsyncGenerator<TreeEvent> {
  let names: AsyncIterable<string>;
  let handle: Dir | null = null;
  try {
    if (depth < DEEP) {
      handle = await opendir(dir, { bufferSize: 64 });
      names = direntNames(handle);
    } else {
      names = listNames(await readdir(dir));
    }
  } catch (e) {
    yield { type: 'error', rel, message: `cannot list ${dir}: ${fsReason(e)}` };
    return;
  }
  try {
    // Names in small groups, stat'ed together: one lstat at a time is what limits a big walk.
    let group: string[] = [];
    for await (const name of names) {
      group.push(name);
      if (group.length < STAT_GROUP) continue;
      yield* visitGroup(dir, rel, group, o, depth);
      group = [];
    }
    yield* visitGroup(dir, rel, group, o, depth);
  } catch (e) {
    yield { type: 'error', rel, message: `cannot list ${dir}: ${fsReason(e)}` };
  } finally {
    // Iterating a Dir closes it at the end; an early return (consumer stopped) must too.
    await handle?.close().catch(() => undefined);
  }
}

async function* visitGroup(dir: string, rel: string, names: string[], o: Walk, depth: number): AsyncGenerator<TreeEvent> {
  const stats = await o.stats.stat(names.map((n) => join(dir, n)));
  for (let i = 0; i < names.length; i++) {
    const source = join(dir, names[i]!);
    const childRel = `${rel}/${names[i]}`;
    const st = stats[i]!;
    if (st instanceof Error) yield { type: 'error', rel: childRel, message: unreadable(source, st) };
    else yield* visit(source, childRel, st, o, depth + 1);
  }
}

/**
 * Node decodes names as UTF-8 and puts U+FFFD where bytes are not, so such a name cannot be
 * opened again and the protocol (UTF-8 paths) could not carry it anyway: say so, rather than a
 * puzzling "no such file".
 */
function unreadable(source: string, err: Error): string {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT' && source.includes('\uFFFD')) {
    return `cannot send ${source}: its name is not valid UTF-8 (xfer sends UTF-8 names only; rename it)`;
  }
  return `cannot read ${source}: ${fsReason(err)}`;
}

async function* direntNames(d: Dir): AsyncGenerator<string> {
  for (let e = await d.read(); e !== null; e = await d.read()) yield e.name;
}

async function* listNames(names: string[]): AsyncGenerator<string> {
  yield* names;
}

function entry(kind: EntryKind, rel: string, source: string, st: Stats, link?: string): TreeEntry {
  const e: TreeEntry = {
    type: 'entry', kind, rel, source,
    size: kind === 'file' ? st.size : 0,
    mode: st.mode & 0o777,
    mtime: st.mtimeMs,
    dev: st.dev,
    ino: st.ino,
  };
  if (link !== undefined) e.link = link;
  return e;
}

function kindName(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}
