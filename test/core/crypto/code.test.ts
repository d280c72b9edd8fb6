import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CODE_NUMBERS, DEFAULT_CODE_WORDS, codeBits, codeSpace, generateCode, normalizeCode } from '../../../src/core/crypto/code.js';
import { codeBytes } from '../../../src/core/crypto/handshake.js';
import { WORDS } from '../../../src/core/crypto/words.js';

/** A RandomSource that hands out the given bytes (repeated if more are asked for). */
function fixedRandom(bytes: Uint8Array): (n: number) => Uint8Array {
  let at = 0;
  return (n) => Uint8Array.from({ length: n }, () => bytes[at++ % bytes.length]!);
}
const seed = fc.uint8Array({ minLength: 7, maxLength: 7 });
const SHAPE = /^\d{1,2}(-[a-z]{3,7}){3}$/;

describe('the word list', () => {
  test('has 2048 distinct words of 3-7 lowercase letters, so each word is 11 bits', () => {
    assert.equal(WORDS.length, 2048);
    assert.equal(new Set(WORDS).size, 2048);
    for (const w of WORDS) assert.match(w, /^[a-z]{3,7}$/);
  });
});

describe('generateCode', () => {
  test('is a number 0-99 and 3 words by default: at most 4 parts to read aloud', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const code = generateCode(fixedRandom(s));
        assert.match(code, SHAPE);
        const [num, ...words] = code.split('-');
        assert.ok(Number(num) < CODE_NUMBERS);
        assert.equal(words.length, DEFAULT_CODE_WORDS);
        for (const w of words) assert.ok(WORDS.includes(w!));
      }),
      { numRuns: 200 },
    );
  });

  test('the default code space is 100 x 2048^3, about 2^39.6 (>= 32 bits)', () => {
    assert.equal(codeSpace(), 100 * 2048 ** 3);
    assert.ok(codeBits() >= 32);
    assert.ok(Math.abs(codeBits() - 39.64) < 0.01);
    assert.equal(codeSpace(5), 100 * 2048 ** 5);
  });

  test('draws the words from 11 bits of two bytes, and the number by rejection (no bias)', () => {
    // 255 and 200 are >= 200 (the last multiple of 100 below 256): drawn again; 57 -> 57.
    const code = generateCode(fixedRandom(Uint8Array.of(255, 200, 57, 0x00, 0x00, 0xff, 0xff, 0x80, 0x01)));
    assert.equal(code, `57-${WORDS[0]}-${WORDS[2047]}-${WORDS[1]}`);
  });

  test('--code-words: 1 to 8 words', () => {
    assert.match(generateCode(fixedRandom(Uint8Array.of(1, 2, 3)), 6), /^\d{1,2}(-[a-z]+){6}$/);
    assert.throws(() => generateCode(fixedRandom(Uint8Array.of(1)), 0), RangeError);
    assert.throws(() => generateCode(fixedRandom(Uint8Array.of(1)), 9), RangeError);
  });

  test('refuses a random source that returns too few bytes', () => {
    assert.throws(() => generateCode(() => new Uint8Array(0)), RangeError);
  });
});

describe('normalizeCode', () => {
  test('folds case and makes any run of spaces and dashes one dash', () => {
    assert.equal(normalizeCode('  7 Amber  FALCON-\t- river\n'), '7-amber-falcon-river');
    assert.equal(normalizeCode('7-amber-falcon-river'), '7-amber-falcon-river');
  });

  test('keeps word boundaries: different word sequences stay different codes', () => {
    assert.notEqual(normalizeCode('7-sun-flower'), normalizeCode('7-sunflower'));
  });

  test('a generated code survives retyping: upper case, spaces instead of dashes, stray blanks', () => {
    fc.assert(
      fc.property(seed, fc.boolean(), fc.constantFrom(' ', '-', '  ', ' - '), (s, upper, sep) => {
        const code = generateCode(fixedRandom(s));
        const retyped = ` ${(upper ? code.toUpperCase() : code).split('-').join(sep)} `;
        assert.equal(normalizeCode(retyped), code);
        assert.deepEqual(codeBytes(retyped), codeBytes(code));
      }),
      { numRuns: 100 },
    );
  });

  test('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => normalizeCode(normalizeCode(s)) === normalizeCode(s)));
  });

  test('treats NFC and NFD spellings alike', () => {
    assert.equal(normalizeCode('cafe\u0301-noir'), normalizeCode('café-noir'));
  });
});
