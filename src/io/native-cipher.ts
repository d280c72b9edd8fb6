// The packet AEAD on Node's OpenSSL ChaCha20-Poly1305: the same RFC 8439 construction and nonce
// as the core's pure-JS `nobleCipher` (the two interoperate, test/io/native-cipher.test.ts holds
// them to each other and to the RFC vectors), about 2-3x faster per 1400-byte packet here, which
// is most of what a sender or receiver spends per packet besides the socket.
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { nobleCipher, packetNonce, TAG_LEN, type PacketCipher, type PacketKey } from '../core/api.js';

const ALGORITHM = 'chacha20-poly1305';

/**
 * Output buffers of large datagrams are reused. Node's allocUnsafe serves sizes up to half its
 * slab from a shared pool, but each larger one is a fresh ArrayBuffer that the collector must
 * find and free; at ~60 KB a datagram that was a buffer per packet. A buffer comes back through
 * recycleDatagram() once the socket no longer holds it.
 */
const POOL_ABOVE = Buffer.poolSize >>> 1;
const POOLED_CAPACITY = 64 * 1024;
const MAX_SPARE = 8;
const spare: ArrayBuffer[] = [];
/** Buffers handed out and not yet recycled: only these may be taken back, each once. */
const lent = new WeakSet<ArrayBufferLike>();

function outputBuffer(len: number): Buffer {
  if (len <= POOL_ABOVE || len > POOLED_CAPACITY) return Buffer.allocUnsafe(len);
  const ab = spare.pop() ?? (Buffer.allocUnsafeSlow(POOLED_CAPACITY).buffer as ArrayBuffer);
  lent.add(ab);
  return Buffer.from(ab, 0, len);
}

/**
 * `d` (a datagram sealed here) is no longer referenced by anyone: its buffer may carry the next
 * one. Anything else is ignored, so a caller may pass every datagram it sent.
 */
export function recycleDatagram(d: Uint8Array): void {
  const ab = d.buffer;
  if (!lent.has(ab)) return;
  lent.delete(ab);
  if (spare.length < MAX_SPARE) spare.push(ab as ArrayBuffer);
}

export const nativeCipher: PacketCipher = {
  name: 'openssl',
  sealPacket(k: PacketKey, pn: number, header: Uint8Array, payload: Uint8Array): Uint8Array {
    const c = createCipheriv(ALGORITHM, k.key, packetNonce(k.iv, pn), { authTagLength: TAG_LEN });
    c.setAAD(header, { plaintextLength: payload.length });
    const out = outputBuffer(header.length + payload.length + TAG_LEN);
    out.set(header);
    const body = c.update(payload);
    out.set(body, header.length);
    const tail = c.final();
    out.set(tail, header.length + body.length);
    out.set(c.getAuthTag(), header.length + payload.length);
    return out;
  },
  open(k: PacketKey, pn: number, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    if (sealed.length < TAG_LEN) return null;
    const len = sealed.length - TAG_LEN;
    try {
      const d = createDecipheriv(ALGORITHM, k.key, packetNonce(k.iv, pn), { authTagLength: TAG_LEN });
      d.setAAD(aad, { plaintextLength: len });
      d.setAuthTag(sealed.subarray(len));
      const body = d.update(sealed.subarray(0, len));
      const tail = d.final(); // throws when the tag does not match
      return tail.length === 0 ? body : Buffer.concat([body, tail]);
    } catch {
      return null;
    }
  },
};

/**
 * The cipher a real process uses: OpenSSL's when this Node has it, else the pure-JS one.
 * XFER_CIPHER=noble forces the pure-JS cipher (for comparisons; the wire format is the same).
 */
export function pickCipher(env: NodeJS.ProcessEnv = process.env): PacketCipher {
  if (env.XFER_CIPHER === 'noble') return nobleCipher;
  return getCiphers().includes(ALGORITHM) ? nativeCipher : nobleCipher;
}
