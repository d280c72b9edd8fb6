// SHA-256, SHA-512, HMAC-SHA256 and HKDF (RFC 5869) as the handshake uses them, behind an interface so
// that io can hand in OpenSSL's. The core's own are noble's, in pure JS: in a process that has
// just started they run interpreted, and each side hashes its ~1.2 KB hellos two or three times
// on the handshake's critical path (about 10 ms on this 2-core host, a fraction of one natively).
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

export interface Hashes {
  /** SHA-256 of the parts, concatenated. */
  sha256(parts: Uint8Array[]): Uint8Array;
  /** SHA-512 of the parts, concatenated (CPace's hash). */
  sha512(parts: Uint8Array[]): Uint8Array;
  /** HMAC-SHA256 under `key` of the parts, concatenated. */
  hmac(key: Uint8Array, parts: Uint8Array[]): Uint8Array;
}

export const nobleHashes: Hashes = {
  sha256(parts) {
    const h = sha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  },
  sha512(parts) {
    const h = sha512.create();
    for (const p of parts) h.update(p);
    return h.digest();
  },
  hmac(key, parts) {
    const m = hmac.create(sha256, key);
    for (const p of parts) m.update(p);
    return m.digest();
  },
};

const HASH_LEN = 32;

/** HKDF-Extract(salt, ikm) = HMAC(salt, ikm). */
export function hkdfExtract(h: Hashes, ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return h.hmac(salt, [ikm]);
}

/** HKDF-Expand(prk, info, length): T(i) = HMAC(prk, T(i-1) | info | i), concatenated. */
export function hkdfExpand(h: Hashes, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * HASH_LEN) throw new RangeError('HKDF output too long');
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++, at += HASH_LEN) {
    t = h.hmac(prk, [t, info, Uint8Array.of(i)]);
    out.set(t.subarray(0, Math.min(HASH_LEN, length - at)), at);
  }
  t.fill(0);
  return out;
}
