// The packet AEAD on Node's OpenSSL ChaCha20-Poly1305: the same RFC 8439 construction and nonce
// as the core's pure-JS `nobleCipher` (the two interoperate, test/io/native-cipher.test.ts holds
// them to each other and to the RFC vectors), about 2-3x faster per 1400-byte packet here, which
// is most of what a sender or receiver spends per packet besides the socket.
import { createCipheriv, createDecipheriv, getCiphers, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { nobleCipher, packetNonceInto, TAG_LEN, type PacketCipher, type PacketKey } from '../core/api.js';

const ALGORITHM = 'chacha20-poly1305';
const TAG_OPTIONS = { authTagLength: TAG_LEN };
/** createCipheriv copies the nonce, so one buffer serves every packet. */
const nonce = new Uint8Array(12);

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

/** Whether `d` lies in a pooled buffer, which recycleDatagram() may take back. */
export function isPooledDatagram(d: Uint8Array): boolean {
  return d.length > POOL_ABOVE && lent.has(d.buffer);
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
    const c = createCipheriv(ALGORITHM, k.key, packetNonceInto(k.iv, pn, nonce), TAG_OPTIONS);
    // Without plaintextLength (@types/node asks for it as for CCM, the only mode that needs it)
    // a seal and open cost ~3 us less here.
    (c as unknown as CipherGCM).setAAD(header);
    const out = outputBuffer(header.length + payload.length + TAG_LEN);
    out.set(header);
    const body = c.update(payload);
    out.set(body, header.length);
    // A stream cipher: final() only computes the tag, it never returns bytes.
    const tail = c.final();
    if (tail.length > 0) out.set(tail, header.length + body.length);
    out.set(c.getAuthTag(), header.length + payload.length);
    return out;
  },
  open(k: PacketKey, pn: number, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    if (sealed.length < TAG_LEN) return null;
    const len = sealed.length - TAG_LEN;
    // Plain Uint8Array views: Buffer#subarray builds a Buffer through its species constructor.
    const at = sealed.byteOffset;
    try {
      const d = createDecipheriv(ALGORITHM, k.key, packetNonceInto(k.iv, pn, nonce), TAG_OPTIONS);
      (d as unknown as DecipherGCM).setAAD(aad);
      d.setAuthTag(new Uint8Array(sealed.buffer, at + len, TAG_LEN));
      const body = d.update(new Uint8Array(sealed.buffer, at, len));
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
