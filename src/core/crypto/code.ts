// The one-time code both users type. It is the only shared secret: CPace's password-related
// string (crypto/handshake.ts, wire/README.md). CPace makes short codes safe: a recorded
// handshake tests no guess, and each attempt to connect tests exactly one, so the code only
// has to make a handful of online guesses hopeless, not an offline search.
//
// A generated code is a number from 0 to 99 and words from WORDS (words.ts), dash-separated:
// "7-amber-falcon-river". Normalisation makes typing it forgiving: Unicode NFC, lower case, and
// any run of whitespace and dashes is one separator ("7 Amber  FALCON-river" is the same code).
// Separators are kept, not dropped, so two different word sequences never become one code.
import { WORDS } from './words.js';

/** The number in front: 0 to 99, two digits at most to say. */
export const CODE_NUMBERS = 100;
/** Words after the number by default: 100 x 2048^3 codes, about 2^39.6. */
export const DEFAULT_CODE_WORDS = 3;
/** More than this adds nothing a person would type (2^94.6 codes with the number). */
export const MAX_CODE_WORDS = 8;
const WORD_BITS = 11;

/** How many codes of `words` words there are: the denominator of the online-guess bound. */
export function codeSpace(words: number = DEFAULT_CODE_WORDS): number {
  return CODE_NUMBERS * WORDS.length ** words;
}

/** log2 of codeSpace(words). */
export function codeBits(words: number = DEFAULT_CODE_WORDS): number {
  return Math.log2(CODE_NUMBERS) + words * Math.log2(WORDS.length);
}

/** A fresh code: the number, then `words` words, each drawn uniformly. */
export function generateCode(random: (n: number) => Uint8Array, words: number = DEFAULT_CODE_WORDS): string {
  if (!Number.isInteger(words) || words < 1 || words > MAX_CODE_WORDS) throw new RangeError(`code words must be 1-${MAX_CODE_WORDS}`);
  const parts = [String(uniformBelow(random, CODE_NUMBERS))];
  for (let i = 0; i < words; i++) parts.push(WORDS[wordIndex(random)]!);
  return parts.join('-');
}

/** 11 bits from two random bytes: uniform over the 2048 words, since 2048 = 2^11. */
function wordIndex(random: (n: number) => Uint8Array): number {
  const b = take(random, 2);
  return ((b[0]! << 8) | b[1]!) & ((1 << WORD_BITS) - 1);
}

/** Uniform in [0, n) for n <= 256, by rejection: bytes at or above the last multiple of n are drawn again. */
function uniformBelow(random: (n: number) => Uint8Array, n: number): number {
  const limit = 256 - (256 % n);
  for (;;) {
    const b = take(random, 1)[0]!;
    if (b < limit) return b % n;
  }
}

function take(random: (n: number) => Uint8Array, n: number): Uint8Array {
  const b = random(n);
  if (b.length < n) throw new RangeError('random source returned too few bytes');
  return b;
}

/** Canonical form of a typed code: NFC, lowercase, separators (whitespace, dashes) as single dashes. */
export function normalizeCode(code: string): string {
  // NFC again after lower-casing: a few letters lower-case to decomposed forms.
  return code
    .normalize('NFC')
    .toLowerCase()
    .normalize('NFC')
    .split(/[\s-]+/)
    .filter((part) => part !== '')
    .join('-');
}
