// Receiver-side safety for incoming relative paths. A path is accepted only if it stays inside
// the output directory by construction: no absolute path, no "." or "..", no empty, NUL or
// backslash components, no names reserved for our partial files; and, on disk, no existing
// component of it may be a symbolic link (lstat on each one), so a link planted earlier, by
// anyone including this sender, can never redirect a write out of the output directory.
// Missing parent directories are created one component at a time under the same checks.
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { printable } from '../io/printable.js';
import { isPartName } from './resume.js';

export const MAX_PATH_BYTES = 4096;
export const MAX_COMPONENT_BYTES = 255;

/** A path the receiver will not write; the message names it and says why. */
export class PathRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathRefused';
  }
}

/** The path split into components, or the reason it is refused (message without the path). */
export function checkRelPath(path: string): string[] | string {
  if (path === '') return 'empty path';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/')) return 'absolute path';
  if (path.includes('\\')) return 'contains a backslash';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `longer than ${MAX_PATH_BYTES} bytes`;
  const parts = path.split('/');
  for (const p of parts) {
    if (p === '') return 'empty path component';
    if (p === '..') return 'climbs out with ".."';
    if (p === '.') return 'has a "." component';
    if (Buffer.byteLength(p) > MAX_COMPONENT_BYTES) return `a component is longer than ${MAX_COMPONENT_BYTES} bytes`;
    if (isPartName(p)) return 'uses a name reserved for partial files';
  }
  return parts;
}

/**
 * A path as it may be shown on a terminal: the sender chose it, so it is escaped like all peer
 * text (controls, bidi and invisible characters; see io/printable.ts), nothing else changed.
 */
export function displayPath(path: string): string {
  return printable(path);
}

/** Directories already checked (or created) are not lstat'ed again; bounded so memory stays flat. */
const MAX_KNOWN_DIRS = 4096;

/**
 * Places entries under `root`. Not a security boundary against local users racing us inside
 * the output directory; it is one against what a remote sender can make us do.
 */
export class SafeTree {
  private readonly known = new Set<string>();

  constructor(readonly root: string) {}

  /** Makes sure every parent of `parts` is a real directory inside root; returns the full path. */
  async prepare(parts: string[]): Promise<string> {
    await this.ensureDirs(parts, parts.length - 1);
    return join(this.root, ...parts);
  }

  /** Makes sure `parts` itself is a real directory (creating it and its parents if missing). */
  async prepareDir(parts: string[]): Promise<string> {
    await this.ensureDirs(parts, parts.length);
    return join(this.root, ...parts);
  }

  /** Forget what is known under `parts` (the caller replaced something there). */
  forget(parts: string[]): void {
    const key = parts.join('/');
    for (const k of this.known) if (k === key || k.startsWith(`${key}/`)) this.known.delete(k);
  }

  private async ensureDirs(parts: string[], count: number): Promise<void> {
    for (let i = 1; i <= count; i++) {
      const key = parts.slice(0, i).join('/');
      if (this.known.has(key)) continue;
      await this.ensureDir(join(this.root, ...parts.slice(0, i)), key, parts);
      if (this.known.size >= MAX_KNOWN_DIRS) this.known.clear();
      this.known.add(key);
    }
  }

  private async ensureDir(abs: string, key: string, parts: string[]): Promise<void> {
    const whole = displayPath(parts.join('/'));
    for (let attempt = 0; attempt < 2; attempt++) {
      const st = await lstat(abs).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (st?.isSymbolicLink()) throw new PathRefused(`${whole}: passes through a symbolic link (${displayPath(key)})`);
      if (st && !st.isDirectory()) throw new PathRefused(`${whole}: ${displayPath(key)} exists and is not a directory`);
      if (st) return;
      try {
        await mkdir(abs);
        return;
      } catch (e) {
        // Another stream created it meanwhile: check what is there now.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    throw new PathRefused(`${whole}: cannot create ${displayPath(key)}`);
  }
}
