// The handshake's hashes on Node's OpenSSL: the same functions as the core's pure-JS
// `nobleHashes` (test/io/native-handshake.test.ts holds them to each other and to RFC 5869), each
// well under a millisecond where noble's take several in a process that has just started: both
// sides hash each ~1.2 KB hello several times (CPace's ISK, HKDF) on the handshake's critical
// path. CPace's ristretto255 arithmetic has no OpenSSL counterpart and stays in the core.
import { createHash, createHmac } from 'node:crypto';
import type { Hashes } from '../core/api.js';

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
