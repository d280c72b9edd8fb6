import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { aeadVectors, ivFor } from './aead-vectors.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { IV_LEN, TAG_LEN, openPayload, packetNonce, packetNonceInto, sealPayload, type PacketKey } from '../../../src/core/crypto/aead.js';

const file = { vectors: aeadVectors };

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const iv12 = fc.uint8Array({ minLength: 12, maxLength: 12 });
const pnArb = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const packetKey = fc.record({ key: key32, iv: iv12 });

/** Independent reference: Node's OpenSSL ChaCha20-Poly1305. */
function referenceSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const out = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  return out.toString('hex');
}

describe('RFC 8439 vectors', () => {
  assert.equal(file.vectors.length, 2);
  for (const v of file.vectors) {
    const nonce = hexToBytes(v.nonce);
    const aad = hexToBytes(v.aad);
    const plaintext = hexToBytes(v.plaintext);
    const sealed = hexToBytes(v.ciphertext + v.tag);

    test(`${v.source}: seal gives the published ciphertext and tag`, () => {
      for (const pn of [0, 1, 0x1234_5678_9a, Number.MAX_SAFE_INTEGER]) {
        const k: PacketKey = { key: hexToBytes(v.key), iv: ivFor(nonce, pn) };
        assert.equal(bytesToHex(sealPayload(k, pn, aad, plaintext)), v.ciphertext + v.tag);
      }
    });

    test(`${v.source}: open recovers the published plaintext`, () => {
      const k: PacketKey = { key: hexToBytes(v.key), iv: ivFor(nonce, 7) };
      const opened = openPayload(k, 7, aad, sealed);
      assert.ok(opened);
      assert.equal(bytesToHex(opened), v.plaintext);
    });
  }

  test('the A.5 plaintext is the RFC text', () => {
    const a5 = file.vectors.find((v) => v.direction === 'decrypt')!;
    const text = new TextDecoder().decode(hexToBytes(a5.plaintext));
    assert.match(text, /^Internet-Drafts are draft documents/);
    assert.ok(text.endsWith('/\u201cwork in progress./\u201d'));
  });
});

describe('packetNonce', () => {
  test('is iv XOR the 12-byte big-endian packet number', () => {
    fc.assert(
      fc.property(iv12, pnArb, (iv, pn) => {
        const expected = iv.slice();
        const be = hexToBytes(BigInt(pn).toString(16).padStart(24, '0'));
        for (let i = 0; i < 12; i++) expected[i]! ^= be[i]!;
        assert.deepEqual(packetNonce(iv, pn), expected);
      }),
    );
  });

  test('distinct packet numbers give distinct nonces', () => {
    fc.assert(
      fc.property(iv12, pnArb, pnArb, (iv, a, b) => {
        fc.pre(a !== b);
        assert.notDeepEqual(packetNonce(iv, a), packetNonce(iv, b));
      }),
    );
  });

  test('packetNonceInto writes the same nonce into a reused buffer', () => {
    const out = new Uint8Array(IV_LEN);
    fc.assert(
      fc.property(iv12, pnArb, (iv, pn) => {
        assert.equal(packetNonceInto(iv, pn, out), out);
        assert.deepEqual(out, packetNonce(iv, pn));
      }),
    );
  });

  test('does not modify the iv', () => {
    const iv = new Uint8Array(IV_LEN).fill(0xaa);
    packetNonce(iv, 0xffff_ffff_ff);
    assert.deepEqual(iv, new Uint8Array(IV_LEN).fill(0xaa));
  });

  test('rejects packet numbers outside [0, 2^53-1] and bad iv sizes', () => {
    const iv = new Uint8Array(IV_LEN);
    for (const pn of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity]) {
      assert.throws(() => packetNonce(iv, pn), RangeError);
    }
    assert.throws(() => packetNonce(new Uint8Array(8), 0), RangeError);
  });
});

describe('seal/open', () => {
  const payload = fc.uint8Array({ maxLength: 1500 });
  const aadArb = fc.uint8Array({ maxLength: 40 });

  test('matches an independent ChaCha20-Poly1305 (node:crypto)', () => {
    fc.assert(
      fc.property(packetKey, pnArb, aadArb, payload, (k, pn, aad, pt) => {
        assert.equal(bytesToHex(sealPayload(k, pn, aad, pt)), referenceSeal(k.key, packetNonce(k.iv, pn), aad, pt));
      }),
      { numRuns: 200 },
    );
  });

  test('round trips and adds exactly TAG_LEN bytes', () => {
    fc.assert(
      fc.property(packetKey, pnArb, aadArb, payload, (k, pn, aad, pt) => {
        const sealed = sealPayload(k, pn, aad, pt);
        assert.equal(sealed.length, pt.length + TAG_LEN);
        assert.deepEqual(openPayload(k, pn, aad, sealed), pt);
      }),
      { numRuns: 200 },
    );
  });

  test('does not modify its inputs', () => {
    const k: PacketKey = { key: new Uint8Array(32).fill(1), iv: new Uint8Array(12).fill(2) };
    const aad = new Uint8Array(13).fill(3);
    const pt = new Uint8Array(100).fill(4);
    const sealed = sealPayload(k, 5, aad, pt);
    const sealedCopy = sealed.slice();
    openPayload(k, 5, aad, sealed);
    assert.deepEqual([k.key, k.iv, aad, pt, sealed], [
      new Uint8Array(32).fill(1), new Uint8Array(12).fill(2), new Uint8Array(13).fill(3), new Uint8Array(100).fill(4), sealedCopy,
    ]);
  });

  test('any flipped bit in ciphertext or tag is rejected', () => {
    fc.assert(
      fc.property(packetKey, pnArb, aadArb, payload, fc.nat(), fc.integer({ min: 0, max: 7 }), (k, pn, aad, pt, at, bit) => {
        const sealed = sealPayload(k, pn, aad, pt);
        sealed[at % sealed.length]! ^= 1 << bit;
        assert.equal(openPayload(k, pn, aad, sealed), null);
      }),
      { numRuns: 200 },
    );
  });

  test('changed aad is rejected', () => {
    fc.assert(
      fc.property(packetKey, pnArb, aadArb, aadArb, payload, (k, pn, aad, other, pt) => {
        fc.pre(bytesToHex(aad) !== bytesToHex(other));
        assert.equal(openPayload(k, pn, other, sealPayload(k, pn, aad, pt)), null);
      }),
      { numRuns: 200 },
    );
  });

  test('another packet number is rejected', () => {
    fc.assert(
      fc.property(packetKey, pnArb, pnArb, aadArb, payload, (k, pn, other, aad, pt) => {
        fc.pre(pn !== other);
        assert.equal(openPayload(k, other, aad, sealPayload(k, pn, aad, pt)), null);
      }),
      { numRuns: 200 },
    );
  });

  test('another key or iv is rejected', () => {
    fc.assert(
      fc.property(packetKey, packetKey, pnArb, aadArb, payload, (k, other, pn, aad, pt) => {
        const sealed = sealPayload(k, pn, aad, pt);
        fc.pre(bytesToHex(k.key) !== bytesToHex(other.key));
        assert.equal(openPayload({ key: other.key, iv: k.iv }, pn, aad, sealed), null);
        fc.pre(bytesToHex(k.iv) !== bytesToHex(other.iv));
        assert.equal(openPayload({ key: k.key, iv: other.iv }, pn, aad, sealed), null);
      }),
      { numRuns: 100 },
    );
  });

  test('truncated input is rejected', () => {
    const k: PacketKey = { key: new Uint8Array(32), iv: new Uint8Array(12) };
    const sealed = sealPayload(k, 0, new Uint8Array(0), new Uint8Array(0));
    assert.deepEqual(openPayload(k, 0, new Uint8Array(0), sealed), new Uint8Array(0));
    for (let n = 0; n < TAG_LEN; n++) assert.equal(openPayload(k, 0, new Uint8Array(0), sealed.subarray(0, n)), null);
    const long = sealPayload(k, 0, new Uint8Array(0), new Uint8Array(50));
    assert.equal(openPayload(k, 0, new Uint8Array(0), long.subarray(1)), null);
    assert.equal(openPayload(k, 0, new Uint8Array(0), long.subarray(0, long.length - 1)), null);
  });

  test('open never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.oneof(fc.integer(), fc.double(), fc.maxSafeNat()),
        fc.uint8Array({ maxLength: 80 }),
        (key, iv, pn, sealed) => {
          assert.equal(openPayload({ key, iv }, pn, new Uint8Array(3), sealed), null);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('seal throws RangeError on an invalid packet number (caller bug)', () => {
    const k: PacketKey = { key: new Uint8Array(32), iv: new Uint8Array(12) };
    assert.throws(() => sealPayload(k, -1, new Uint8Array(0), new Uint8Array(1)), RangeError);
    assert.throws(() => sealPayload(k, 2 ** 53, new Uint8Array(0), new Uint8Array(1)), RangeError);
  });
});
