import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MIN_CODE_BITS,
  codeStrength,
  generateCode,
  normalizeCode,
} from '../../../src/core/crypto/code.js';
import { codeBytes } from '../../../src/core/crypto/handshake.js';

/** A RandomSource that hands out the given bytes (repeated if more are asked for). */
function fixedRandom(bytes: Uint8Array): (n: number) => Uint8Array {
  return (n) => Uint8Array.from({ length: n }, (_, i) => bytes[i % bytes.length]!);
}
const seed = fc.uint8Array({ minLength: 17, maxLength: 17 });
const CODE_SHAPE = /^[a-z2-7]{4,5}(-[a-z2-7]{4,5})+$/;

describe('generateCode', () => {
  test('is lowercase base32 in dash-separated groups of 4-5, >= 128 bits', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const code = generateCode(fixedRandom(s));
        assert.match(code, CODE_SHAPE);
        const chars = code.replaceAll('-', '');
        assert.ok(chars.length * 5 >= MIN_CODE_BITS);
        assert.ok(codeStrength(code) >= MIN_CODE_BITS);
      }),
    );
  });

  test('encodes the random bits (RFC 4648 base32 of the first 130 bits)', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const bits = [...s].map((b) => b.toString(2).padStart(8, '0')).join('');
        const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
        let expected = '';
        for (let i = 0; i < 26; i++) expected += alphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
        assert.equal(generateCode(fixedRandom(s)).replaceAll('-', ''), expected);
      }),
    );
  });

  test('different randomness gives different codes', () => {
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        // Only the first 130 of the 136 bits are used.
        const head = (x: Uint8Array): string => Buffer.from(x.subarray(0, 16)).toString('hex') + (x[16]! >> 6);
        fc.pre(head(a) !== head(b));
        assert.notEqual(generateCode(fixedRandom(a)), generateCode(fixedRandom(b)));
      }),
    );
  });

  test('groups 26 characters as 5-5-4-4-4-4', () => {
    const code = generateCode(fixedRandom(new Uint8Array([0x00, 0x44, 0x32, 0x14, 0xc7])));
    assert.deepEqual(code.split('-').map((g) => g.length), [5, 5, 4, 4, 4, 4]);
  });

  test('refuses a random source that returns too few bytes', () => {
    assert.throws(() => generateCode(() => new Uint8Array(4)), RangeError);
  });
});

describe('normalizeCode', () => {
  test('removes dashes and whitespace and folds case', () => {
    assert.equal(normalizeCode('  ABCD-efgh  ijKL\t-mn\n'), 'abcdefghijklmn');
    assert.equal(normalizeCode('ABCD-efgh'), normalizeCode('abcdefgh'));
  });

  test('a generated code survives retyping: upper case, spaces instead of dashes, stray blanks', () => {
    fc.assert(
      fc.property(seed, fc.boolean(), fc.constantFrom(' ', '-', '  ', ' - '), (s, upper, sep) => {
        const code = generateCode(fixedRandom(s));
        const retyped = ` ${(upper ? code.toUpperCase() : code).split('-').join(sep)} `;
        assert.equal(normalizeCode(retyped), code.replaceAll('-', ''));
        assert.deepEqual(codeBytes(retyped), codeBytes(code));
      }),
      { numRuns: 50 },
    );
  });

  test('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => assert.equal(normalizeCode(normalizeCode(s)), normalizeCode(s))));
  });

  test('treats NFC and NFD spellings alike', () => {
    assert.equal(normalizeCode('caf\u00e9'), normalizeCode('cafe\u0301'));
  });
});

describe('codeStrength', () => {
  test('a 32-hex-digit code (openssl rand -hex 16) counts as 128 bits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const hex = Buffer.from(b).toString('hex');
        fc.pre(!/^[0-9]+$/.test(hex));
        assert.ok(codeStrength(hex) >= MIN_CODE_BITS);
        assert.ok(codeStrength(hex.toUpperCase()) >= MIN_CODE_BITS);
      }),
    );
  });

  test('word codes are far too weak', () => {
    assert.ok(codeStrength('7-amber-falcon') < MIN_CODE_BITS);
    assert.ok(codeStrength('correct horse battery') < MIN_CODE_BITS);
  });

  test('is charset-based and ignores separators', () => {
    assert.equal(codeStrength(''), 0);
    assert.equal(codeStrength(' - '), 0);
    assert.equal(codeStrength('abcd-ef01'), 8 * 4);
    assert.equal(codeStrength('ABCD EF01'), 8 * 4);
    assert.equal(codeStrength('abxyz27'), 7 * 5);
    assert.ok(Math.abs(codeStrength('abxyz29') - 7 * 5.1) < 1e-9);
    assert.equal(codeStrength('ab_cd!'), 6 * 6);
    assert.ok(Math.abs(codeStrength('0123456789') - 10 * Math.log2(10)) < 1e-9);
    // Digits alone are weaker than hex: 32 digits are not 128 bits.
    assert.ok(codeStrength('1'.repeat(32)) < MIN_CODE_BITS);
  });

  test('more characters from the same alphabet never lower the estimate', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z2-7]{1,30}$/), fc.stringMatching(/^[a-z2-7]{1,10}$/), (a, b) => {
        assert.ok(codeStrength(a + b) > codeStrength(a));
      }),
    );
  });
});
