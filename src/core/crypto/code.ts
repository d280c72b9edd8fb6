// The one-time code both users type. It is the only shared secret: CPace's password-related
// string (crypto/handshake.ts, wire/README.md).
//
// Normalisation: surrounding and inner whitespace and dashes are separators and are dropped,
// letters are case-folded (after Unicode NFC, so visually identical input from different
// keyboards/OSes agrees). "ABCD-efgh", "abcd efgh" and "abcdefgh" are the same code.

/** Codes weaker than this are refused (an observed handshake allows an offline guessing attack). */
export const MIN_CODE_BITS = 128;

/** RFC 4648 base32 alphabet, lowercase: no 0/1/8/9, so no 0-vs-o or 1-vs-l confusion. */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BITS_PER_CHAR = 5;
/** 26 chars x 5 bits = 130 bits, the smallest whole number of characters above 128 bits. */
const CODE_CHARS = Math.ceil(MIN_CODE_BITS / BITS_PER_CHAR);
const GROUP_MAX = 5;

/**
 * A fresh code of >= 128 bits: lowercase base32 in dash-separated groups of 4-5 characters,
 * e.g. "abcde-fghij-klmn-opqr-stuv-wxyz" (26 characters, 130 bits).
 */
export function generateCode(random: (n: number) => Uint8Array): string {
  const bytes = random(Math.ceil((CODE_CHARS * BITS_PER_CHAR) / 8));
  const chars = base32Chars(bytes, CODE_CHARS);
  return groupChars(chars).join('-');
}

/** Reads `count` 5-bit values from the front of `bytes`; each is uniform if the bytes are. */
function base32Chars(bytes: Uint8Array, count: number): string {
  if (bytes.length * 8 < count * BITS_PER_CHAR) throw new RangeError('random source returned too few bytes');
  let out = '';
  let acc = 0;
  let bits = 0;
  let i = 0;
  while (out.length < count) {
    if (bits < BITS_PER_CHAR) {
      acc = ((acc << 8) | bytes[i++]!) & 0xffff;
      bits += 8;
    }
    bits -= BITS_PER_CHAR;
    out += BASE32[(acc >>> bits) & 0x1f];
  }
  return out;
}

/** Splits into the fewest groups of at most 5, as even as possible (longer groups first). */
function groupChars(chars: string): string[] {
  const groups = Math.ceil(chars.length / GROUP_MAX);
  const base = Math.floor(chars.length / groups);
  const extra = chars.length % groups;
  const out: string[] = [];
  let pos = 0;
  for (let g = 0; g < groups; g++) {
    const size = base + (g < extra ? 1 : 0);
    out.push(chars.slice(pos, pos + size));
    pos += size;
  }
  return out;
}

/** Canonical form of a typed code: NFC, lowercase, without whitespace or dashes. */
export function normalizeCode(code: string): string {
  return code.normalize('NFC').toLowerCase().replace(/[\s-]+/g, '');
}

const DIGITS = /^[0-9]+$/;
const HEX = /^[0-9a-f]+$/;
const BASE32_ONLY = /^[a-z2-7]+$/;
const ALNUM = /^[a-z0-9]+$/;

/**
 * Conservative entropy estimate (bits) of a code, assuming each normalised character was drawn
 * uniformly from the smallest usual alphabet that contains all of them: digits only 3.32 bits,
 * hex 4, base32 5, [a-z0-9] 5.1, anything else 6. It cannot see structure (words, repeats), so
 * it overestimates human-chosen codes; it is meant to reject obviously short ones.
 */
export function codeStrength(code: string): number {
  const norm = normalizeCode(code);
  const n = [...norm].length;
  if (n === 0) return 0;
  return n * bitsPerChar(norm);
}

function bitsPerChar(norm: string): number {
  if (DIGITS.test(norm)) return Math.log2(10);
  if (HEX.test(norm)) return 4;
  if (BASE32_ONLY.test(norm)) return 5;
  if (ALNUM.test(norm)) return 5.1;
  return 6;
}
