import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aeadVectors, ivFor } from '../core/crypto/aead-vectors.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { nobleCipher, type PacketCipher, type PacketKey } from '../../src/core/api.js';
import { nativeCipher, pickCipher, recycleDatagram } from '../../src/io/native-cipher.js';

const vectors = aeadVectors;

const ciphers: PacketCipher[] = [nobleCipher, nativeCipher];
const packetKey = fc.record({ key: fc.uint8Array({ minLength: 32, maxLength: 32 }), iv: fc.uint8Array({ minLength: 12, maxLength: 12 }) });
const header = fc.uint8Array({ minLength: 1, maxLength: 20 });
const payload = fc.oneof(fc.uint8Array({ maxLength: 1500 }), fc.uint8Array({ minLength: 4000, maxLength: 9000 }));
const pnArb = fc.oneof(fc.nat(1000), fc.maxSafeNat());

for (const c of ciphers) {
  describe(`${c.name} cipher`, () => {
    for (const v of vectors) {
      test(`${v.source}: header || published ciphertext and tag, and back`, () => {
        const pn = 0x1234_5678;
        const k: PacketKey = { key: hexToBytes(v.key), iv: ivFor(hexToBytes(v.nonce), pn) };
        const aad = hexToBytes(v.aad);
        const packet = c.sealPacket(k, pn, aad, hexToBytes(v.plaintext));
        assert.equal(bytesToHex(packet), v.aad + v.ciphertext + v.tag);
        const opened = c.open(k, pn, aad, packet.subarray(aad.length));
        assert.ok(opened);
        assert.equal(bytesToHex(opened), v.plaintext);
      });
    }

    test('a flipped bit anywhere, a wrong packet number or a short input does not open', () => {
      fc.assert(
        fc.property(packetKey, pnArb, header, payload, fc.nat(), (k, pn, h, p, where) => {
          const sealed = c.sealPacket(k, pn, h, p).subarray(h.length);
          const bad = sealed.slice();
          bad[where % bad.length]! ^= 1 << where % 8;
          assert.equal(c.open(k, pn, h, bad), null);
          assert.equal(c.open(k, pn + 1 <= Number.MAX_SAFE_INTEGER ? pn + 1 : pn - 1, h, sealed), null);
          assert.equal(c.open(k, pn, h, sealed.subarray(0, 15)), null);
          const h2 = h.slice();
          h2[0]! ^= 0x80;
          assert.equal(c.open(k, pn, h2, sealed), null);
        }),
        { numRuns: 150 },
      );
    });
  });
}

test('the two ciphers produce the same packets and open each other', () => {
  fc.assert(
    fc.property(packetKey, pnArb, header, payload, (k, pn, h, p) => {
      const a = nobleCipher.sealPacket(k, pn, h, p);
      const b = nativeCipher.sealPacket(k, pn, h, p);
      assert.equal(bytesToHex(a), bytesToHex(b));
      assert.equal(bytesToHex(nativeCipher.open(k, pn, h, a.subarray(h.length))!), bytesToHex(p));
      assert.equal(bytesToHex(nobleCipher.open(k, pn, h, b.subarray(h.length))!), bytesToHex(p));
    }),
    { numRuns: 300 },
  );
});

test('pickCipher: OpenSSL by default, the pure-JS one with XFER_CIPHER=noble', () => {
  assert.equal(pickCipher({}).name, 'openssl');
  assert.equal(pickCipher({ XFER_CIPHER: 'noble' }).name, 'noble');
});

test('the buffer of a recycled large datagram seals the next one, once; others are ignored', () => {
  const k: PacketKey = { key: new Uint8Array(32).fill(1), iv: new Uint8Array(12) };
  const h = new Uint8Array([0x40, 1]);
  const big = new Uint8Array(20_000).fill(7);
  const a = nativeCipher.sealPacket(k, 1, h, big);
  recycleDatagram(a);
  recycleDatagram(a); // a second return must not put the buffer in the pool twice
  recycleDatagram(new Uint8Array(20_000));
  const b = nativeCipher.sealPacket(k, 2, h, big);
  const c = nativeCipher.sealPacket(k, 3, h, big);
  assert.equal(b.buffer, a.buffer);
  assert.notEqual(c.buffer, b.buffer);
  assert.deepEqual(nobleCipher.open(k, 2, h, b.subarray(h.length)), big);
  assert.deepEqual(nobleCipher.open(k, 3, h, c.subarray(h.length)), big);
  const small = nativeCipher.sealPacket(k, 4, h, big.subarray(0, 1000));
  recycleDatagram(small); // from Node's shared slab: never pooled
  assert.notEqual(nativeCipher.sealPacket(k, 5, h, big.subarray(0, 1000)).buffer.byteLength, 64 * 1024);
});
