import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { nobleHashes } from '../../src/core/api.js';
import { hkdfExpand, hkdfExtract } from '../../src/core/crypto/hashes.js';
import { nativeHashes } from '../../src/io/native-handshake.js';

describe('OpenSSL SHA-256, SHA-512 and HMAC for the handshake', () => {
  const parts = [new Uint8Array(0), new Uint8Array(1200).fill(7), Uint8Array.of(1, 2, 3)];
  const key = new Uint8Array(32).fill(9);

  test('they give what noble gives, over several parts', () => {
    assert.deepEqual(nativeHashes.sha256(parts), nobleHashes.sha256(parts));
    assert.deepEqual(nativeHashes.hmac(key, parts), nobleHashes.hmac(key, parts));
    assert.deepEqual(nativeHashes.sha256([]), nobleHashes.sha256([]));
    assert.deepEqual(nativeHashes.sha512(parts), nobleHashes.sha512(parts));
  });

  test('HKDF over either is RFC 5869 (test case 1) and equals OpenSSL’s hkdfSync', async () => {
    const { hkdfSync } = await import('node:crypto');
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = hexToBytes('000102030405060708090a0b0c');
    const info = hexToBytes('f0f1f2f3f4f5f6f7f8f9');
    const okm = '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';
    for (const h of [nativeHashes, nobleHashes]) {
      assert.equal(bytesToHex(hkdfExpand(h, hkdfExtract(h, ikm, salt), info, 42)), okm);
    }
    assert.equal(Buffer.from(hkdfSync('sha256', ikm, salt, info, 42)).toString('hex'), okm);
  });
});
