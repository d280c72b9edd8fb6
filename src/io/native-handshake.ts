// The handshake's X25519 and SHA-256 on Node's OpenSSL: the same functions as the core's pure-JS
// `nobleKeyExchange` and `nobleHashes` (test/io/native-handshake.test.ts holds them to each other
// and to the RFC vectors), each well under a millisecond where noble's take several in a process
// that has just started: the handshake's critical path runs X25519 twice on the client and once
// on the server, and hashes every hello on both. Keys go in and out as JWK: OpenSSL decodes a
// DER key ten times slower.
import { createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { nobleKeyExchange, type Hashes, type KeyExchange, type KeyExchangeFactory } from '../core/api.js';

const KEY_LEN = 32;

function isAllZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** A key pair from OpenSSL's own random source (the injected one is for the pure-JS path). */
export const nativeKeyExchange: KeyExchangeFactory = (): KeyExchange => {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (x === undefined) throw new Error('X25519 public key without x');
  return {
    publicKey: new Uint8Array(Buffer.from(x, 'base64url')),
    agree(peerPublic: Uint8Array): Uint8Array | null {
      if (peerPublic.length !== KEY_LEN) return null;
      try {
        const jwk = { kty: 'OKP', crv: 'X25519', x: Buffer.from(peerPublic).toString('base64url') };
        const ss = diffieHellman({ privateKey, publicKey: createPublicKey({ key: jwk, format: 'jwk' }) });
        // OpenSSL refuses low-order keys itself; an all-zero secret is checked all the same.
        return isAllZero(ss) ? null : new Uint8Array(ss);
      } catch {
        return null;
      }
    },
  };
};

/** OpenSSL's X25519 where this Node has it (some FIPS builds refuse it), else the pure-JS one. */
export const defaultKeyExchange: KeyExchangeFactory = (random) => {
  try {
    return nativeKeyExchange(random);
  } catch {
    return nobleKeyExchange(random);
  }
};

export const nativeHashes: Hashes = {
  sha256(parts) {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  sha512(parts) {
    const h = createHash('sha512');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  hmac(key, parts) {
    const m = createHmac('sha256', key);
    for (const p of parts) m.update(p);
    return new Uint8Array(m.digest());
  },
};
