// What a receiver accepts as a file name, and where it writes before the name is final.
import { join } from 'node:path';

const MAX_NAME_BYTES = 255;
// C0 controls and DEL: harmless to the file system but able to rewrite the user's terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** null when `name` is a plain base name safe to create in the output directory, else why not. */
export function checkName(name: string): string | null {
  const shown = JSON.stringify(name);
  if (name === '') return 'empty file name';
  if (name === '.' || name === '..') return `unsafe file name ${shown}`;
  if (name.includes('/') || name.includes('\\')) return `unsafe file name ${shown} (contains a path separator)`;
  if (CONTROL.test(name)) return `unsafe file name ${shown} (contains control characters)`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `file name too long (${shown})`;
  return null;
}

/**
 * The temp file beside the target: hidden, suffixed, with a random tag so a leftover from a
 * crashed run or a second incoming copy never collides (it is created with 'wx' anyway).
 */
export function tempPath(dir: string, name: string, tag: string): string {
  return join(dir, `.${clip(name, STEM_BYTES)}.${tag}.xfer-part`);
}

/** Keeps the temp name under NAME_MAX (255 bytes) even for the longest accepted names. */
const STEM_BYTES = 200;

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

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.xfer-part');
}
