import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, diffieHellman, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { nobleHashes, nobleKeyExchange } from '../../src/core/api.js';
import { hkdfExpand, hkdfExtract } from '../../src/core/crypto/hashes.js';
import { generateKeyPair, sharedSecret } from '../../src/core/crypto/handshake.js';
import { defaultKeyExchange, nativeHashes, nativeKeyExchange } from '../../src/io/native-handshake.js';

const x25519Vector = JSON.parse(readFileSync(new URL('../core/crypto/vectors/rfc7748-x25519.json', import.meta.url), 'utf8')) as Record<string, string>;

const none = (): Uint8Array => new Uint8Array(0);
const seeded = (n: number): Uint8Array => new Uint8Array(n).fill(n);

describe('OpenSSL X25519 for the handshake', () => {
  test(`it is the RFC 7748 function: ${x25519Vector.source}, through OpenSSL directly`, () => {
    // The factory makes its own private key, so the vector's keys go in through a JWK here.
    const jwk = (d: string, x: string): Record<string, string> => ({ kty: 'OKP', crv: 'X25519', d: Buffer.from(hexToBytes(d)).toString('base64url'), x: Buffer.from(hexToBytes(x)).toString('base64url') });
    const alice = createPrivateKey({ key: jwk(x25519Vector.alicePrivate!, x25519Vector.alicePublic!), format: 'jwk' });
    const bob = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(hexToBytes(x25519Vector.bobPublic!)).toString('base64url') }, format: 'jwk' });
    assert.equal(diffieHellman({ privateKey: alice, publicKey: bob }).toString('hex'), x25519Vector.sharedSecret);
  });

  test('native and noble agree on the secret, either way round', () => {
    for (let i = 0; i < 10; i++) {
      const n = nativeKeyExchange(none);
      const j = nobleKeyExchange((k) => new Uint8Array(k).fill(i + 1));
      const a = n.agree(j.publicKey);
      assert.ok(a && a.length === 32);
      assert.equal(bytesToHex(a), bytesToHex(j.agree(n.publicKey)!));
    }
  });

  test('a public key is 32 bytes and matches what noble derives from the same secret', () => {
    const kp = generateKeyPair(() => seeded(32));
    const n = nativeKeyExchange(none);
    assert.equal(n.publicKey.length, 32);
    // The secret the two share is the same computed from either end's private key.
    assert.deepEqual(n.agree(kp.publicKey), sharedSecret(kp.privateKey, n.publicKey));
  });

  test('low-order and malformed peer keys give null, never a throw', () => {
    const n = nativeKeyExchange(none);
    const one = new Uint8Array(32);
    one[0] = 1;
    const order8 = hexToBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
    const pMinus1 = hexToBytes('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    for (const bad of [new Uint8Array(32), one, order8, pMinus1, new Uint8Array(31), new Uint8Array(33)]) {
      assert.equal(n.agree(bad), null, bytesToHex(bad));
    }
  });

  test('the default is the native one where OpenSSL has X25519', () => {
    const d = defaultKeyExchange(none);
    assert.equal(d.publicKey.length, 32);
    assert.ok(d.agree(nobleKeyExchange(seeded).publicKey));
  });
});

describe('OpenSSL SHA-256 and HMAC for the handshake', () => {
  const parts = [new Uint8Array(0), new Uint8Array(1200).fill(7), Uint8Array.of(1, 2, 3)];
  const key = new Uint8Array(32).fill(9);

  test('they give what noble gives, over several parts', () => {
    assert.deepEqual(nativeHashes.sha256(parts), nobleHashes.sha256(parts));
    assert.deepEqual(nativeHashes.hmac(key, parts), nobleHashes.hmac(key, parts));
    assert.deepEqual(nativeHashes.sha256([]), nobleHashes.sha256([]));
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
