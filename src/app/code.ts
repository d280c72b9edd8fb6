// The one-time code as the CLI needs it: a fresh one, or a verdict on a typed one.
import { randomBytes } from 'node:crypto';
import { codeStrength, generateCode, MIN_CODE_BITS } from '../core/crypto/code.js';

export function newCode(): string {
  return generateCode((n) => new Uint8Array(randomBytes(n)));
}

/** null if the code is strong enough, else a one-line message saying why not. */
export function checkCodeStrength(code: string): string | null {
  const bits = codeStrength(code);
  if (bits >= MIN_CODE_BITS) return null;
  return `the code is too weak (about ${Math.floor(bits)} bits, at least ${MIN_CODE_BITS} needed); leave it out to get a generated one`;
}
