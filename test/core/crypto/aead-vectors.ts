// The RFC 8439 AEAD vectors (vectors/rfc8439-aead.json) and the helper that runs them through
// the packet-number nonce API; shared by the core and io cipher tests.
import { readFileSync } from 'node:fs';

export interface AeadVector {
  source: string;
  direction: string;
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
}

export const aeadVectors: AeadVector[] = (
  JSON.parse(readFileSync(new URL('./vectors/rfc8439-aead.json', import.meta.url), 'utf8')) as { vectors: AeadVector[] }
).vectors;

/** iv such that packetNonce(iv, pn) equals `nonce`: lets the RFC vectors run through the public API. */
export function ivFor(nonce: Uint8Array, pn: number): Uint8Array {
  const iv = nonce.slice();
  let v = BigInt(pn);
  for (let i = 11; i >= 0; i--, v >>= 8n) iv[i]! ^= Number(v & 0xffn);
  return iv;
}
