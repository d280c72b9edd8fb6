// The one-time code as the CLI needs it: a fresh one from OS randomness.
import { randomBytes } from 'node:crypto';
import { DEFAULT_CODE_WORDS, generateCode } from '../core/crypto/code.js';

export { DEFAULT_CODE_WORDS, MAX_CODE_WORDS } from '../core/crypto/code.js';

/** A fresh spoken code, e.g. "7-amber-falcon-river" (`words` words after the number). */
export function newCode(words: number = DEFAULT_CODE_WORDS): string {
  return generateCode((n) => new Uint8Array(randomBytes(n)), words);
}
