// CPace over ristretto255 with SHA-512 (draft-irtf-cfrg-cpace, cipher suite CPACE-RISTR255-SHA512),
// the building blocks only: the generator from the code, a party's share, the shared point and
// the intermediate session key (ISK). The handshake (crypto/handshake.ts) decides what goes into
// CI, sid and the associated data; test/core/crypto/vectors/cpace-ristretto255.json pins every
// function here to the draft's vectors.
//
// Why it replaces an HMAC keyed by the code: a share is y·g with g derived from the code and y
// a fresh secret scalar, i.e. a uniformly random group element whatever the code is, so a
// recorded hello holds nothing a code guess can be checked against. Only someone who completes
// the exchange learns whether one guess (the g it used) was right.
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import type { Hashes } from './hashes.js';
import { utf8 } from './bytes.js';

type Point = InstanceType<typeof ristretto255.Point>;

/** G_Ristretto255.DSI and the ISK label (draft §"CPace group objects", "CPace protocol instructions"). */
export const CPACE_DSI = utf8('CPaceRistretto255');
const ISK_DSI = utf8('CPaceRistretto255_ISK');
/** SHA-512's input block size, which the generator string's zero padding fills up to. */
const SHA512_BLOCK = 128;
export const SHARE_LEN = 32;
/** The ristretto255 group order; scalars must lie in [1, ORDER). */
const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** LEB128 length, then the bytes (the draft's prepend_len). */
export function prependLen(data: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = data.length;
  do {
    len.push(n >= 128 ? (n & 0x7f) | 0x80 : n);
    n = Math.floor(n / 128);
  } while (n > 0);
  const out = new Uint8Array(len.length + data.length);
  out.set(len);
  out.set(data, len.length);
  return out;
}

/** prepend_len of each part, concatenated: a prefix-free encoding, so no two inputs collide. */
export function lvCat(...parts: Uint8Array[]): Uint8Array {
  const encoded = parts.map(prependLen);
  const out = new Uint8Array(encoded.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of encoded) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * lv_cat(DSI, PRS, zeros, CI, sid): the zeros make DSI and PRS fill the hash's whole first
 * block, so the time to hash does not depend on the code's length.
 */
export function generatorString(dsi: Uint8Array, prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zpad = Math.max(0, SHA512_BLOCK - 1 - prependLen(prs).length - prependLen(dsi).length);
  return lvCat(dsi, prs, new Uint8Array(zpad), ci, sid);
}

/** g = element_derivation(SHA-512(generator_string)), RFC 9496 §4.3.4's one-way map. */
export function calculateGenerator(h: Hashes, prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Point {
  const derive = ristretto255_hasher.deriveToCurve;
  if (!derive) throw new Error('@noble/curves lacks ristretto255 element derivation');
  return derive(h.sha512([generatorString(CPACE_DSI, prs, ci, sid)]));
}

/** The little-endian integer of `bytes`. */
export function scalarFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * 32 random bytes with the bits above 252 cleared, read little-endian (the draft's recommended
 * sampling): below the group order by construction. Zero, which has no inverse, is drawn again.
 */
export function sampleScalar(random: (n: number) => Uint8Array): bigint {
  for (;;) {
    const bytes = random(32).slice(0, 32);
    if (bytes.length !== 32) throw new RangeError('random source returned too few bytes');
    bytes[31]! &= 0x0f;
    const y = scalarFromBytes(bytes);
    bytes.fill(0);
    if (y !== 0n) return y;
  }
}

function checkScalar(y: bigint): void {
  if (y <= 0n || y >= ORDER) throw new RangeError('scalar out of range');
}

/** encode(y·g): a party's public share. */
export function scalarMult(y: bigint, g: Point): Uint8Array {
  checkScalar(y);
  return g.multiply(y).toBytes();
}

/**
 * encode(y·decode(X)), or null where the draft returns the identity G.I: X is not a canonical
 * ristretto255 encoding, or the product is the identity (X was the identity). Never throws on
 * peer input; null means abort.
 */
export function scalarMultVfy(y: bigint, x: Uint8Array): Uint8Array | null {
  checkScalar(y);
  if (x.length !== SHARE_LEN) return null;
  let point: Point;
  try {
    point = ristretto255.Point.fromBytes(x);
  } catch {
    return null;
  }
  if (point.is0()) return null;
  const k = point.multiply(y);
  return k.is0() ? null : k.toBytes();
}

/** ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript_ir(Ya, ADa, Yb, ADb)), 64 bytes. */
export function intermediateSessionKey(
  h: Hashes,
  sid: Uint8Array,
  k: Uint8Array,
  ya: Uint8Array,
  adA: Uint8Array,
  yb: Uint8Array,
  adB: Uint8Array,
): Uint8Array {
  return h.sha512([lvCat(ISK_DSI, sid, k), lvCat(ya, adA), lvCat(yb, adB)]);
}
