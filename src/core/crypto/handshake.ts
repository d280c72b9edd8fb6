// Handshake bodies (wire/README.md, "Handshake bodies"): CPace over ristretto255 between the
// two hellos. A hello carries a share y·g, where g comes from the code and y is fresh, so it is
// a uniformly random group element whatever the code: nothing in a hello can be checked against
// a guess. Only the server hello's confirmation, computed from the shared point, shows whether
// both sides used the same code, and only to someone holding one of the secret scalars. Header
// bytes come in from the caller: this module does not parse packets, it only needs to know where
// the long header ends.
import { constantTimeEqual, isAllZero, utf8 } from './bytes.js';
import { normalizeCode } from './code.js';
import {
  SHARE_LEN,
  calculateGenerator,
  intermediateSessionKey,
  sampleScalar,
  scalarMult,
  scalarMultVfy,
} from './cpace.js';
import type { Hashes } from './hashes.js';
import { ByteReader, ByteWriter } from '../wire/varint.js';

export { SHARE_LEN } from './cpace.js';
/** The client's commitment to its abort token: the first bytes of SHA-256("xfer/4 abort" || token). */
export const COMMIT_LEN = 16;
export const ABORT_TOKEN_LEN = 16;
/** The server's key confirmation (keys.ts). */
export const CONFIRM_LEN = 32;
/** Smallest CLIENT_HELLO datagram; every answer is much smaller, so we never amplify. */
export const MIN_CLIENT_HELLO = 1200;

/** 1 = wrong code: sent by v3 servers only (a v4 server cannot tell a wrong code from a hello). */
export const REJECT_AUTH = 1;
export const REJECT_BUSY = 2;
/** The server speaks another protocol version; its own version follows the reason byte. */
export const REJECT_VERSION = 3;

/**
 * CPace's channel identifier: the protocol and its version, so a code typed into another
 * program or another xfer version yields another generator. sid is empty: the first message
 * leaves before the parties share anything, and uniqueness comes from the fresh shares, which
 * the ISK's transcript contains (the draft allows an empty sid).
 */
const CPACE_CI = utf8('xfer/4');
const CPACE_SID = new Uint8Array(0);
const ABORT_LABEL = utf8('xfer/4 abort');

/** The password-related string: the normalised code, so every spelling of it agrees. */
export function codeBytes(code: string): Uint8Array {
  return utf8(normalizeCode(code));
}

/**
 * One side's CPace state for one handshake: its secret scalar and public share. Each party
 * makes its own and never reuses it (a connection accepts one hello).
 */
export class CpaceParty {
  readonly share: Uint8Array;
  private readonly y: bigint;

  constructor(private readonly h: Hashes, code: string, random: (n: number) => Uint8Array) {
    const g = calculateGenerator(h, codeBytes(code), CPACE_CI, CPACE_SID);
    this.y = sampleScalar(random);
    this.share = scalarMult(this.y, g);
  }

  /**
   * The ISK over the whole transcript, the client's hello (ADa) and the server's hello up to its
   * confirmation (ADb); null when the peer's share is not a valid non-identity element.
   */
  isk(peerShare: Uint8Array, clientShare: Uint8Array, clientHello: Uint8Array, serverShare: Uint8Array, serverAd: Uint8Array): Uint8Array | null {
    const k = scalarMultVfy(this.y, peerShare);
    if (!k) return null;
    const isk = intermediateSessionKey(this.h, CPACE_SID, k, clientShare, clientHello, serverShare, serverAd);
    k.fill(0);
    return isk;
  }
}

/** The commitment a CLIENT_HELLO carries to the token its ABORT will reveal. */
export function abortCommitment(h: Hashes, token: Uint8Array): Uint8Array {
  return h.sha256([ABORT_LABEL, token]).slice(0, COMMIT_LEN);
}

/**
 * CLIENT_HELLO body: share | commitment | zeros, padded so that the datagram (headerBytes + body)
 * is at least MIN_CLIENT_HELLO bytes.
 */
export function buildClientHelloBody(share: Uint8Array, commitment: Uint8Array, headerLength: number): Uint8Array {
  if (share.length !== SHARE_LEN || commitment.length !== COMMIT_LEN) throw new RangeError('bad hello field size');
  const body = new Uint8Array(Math.max(SHARE_LEN + COMMIT_LEN, MIN_CLIENT_HELLO - headerLength));
  body.set(share, 0);
  body.set(commitment, SHARE_LEN);
  return body;
}

/**
 * The fields of a received CLIENT_HELLO datagram whose long header is `headerLength` bytes, or
 * null (never throws) when it is shorter than MIN_CLIENT_HELLO (anti-amplification) or its
 * padding is not all zero: every byte of a hello is either a field or a checked zero, so no
 * two accepted hellos differ in a byte that means nothing.
 */
export function parseClientHello(datagram: Uint8Array, headerLength: number): { share: Uint8Array; commitment: Uint8Array } | null {
  const fields = headerLength + SHARE_LEN + COMMIT_LEN;
  if (datagram.length < MIN_CLIENT_HELLO || !Number.isSafeInteger(headerLength) || headerLength < 0 || datagram.length < fields) return null;
  if (!isAllZero(datagram.subarray(fields))) return null;
  return {
    share: datagram.slice(headerLength, headerLength + SHARE_LEN),
    commitment: datagram.slice(headerLength + SHARE_LEN, fields),
  };
}

/** SERVER_HELLO body: share | confirmation (no padding). */
export function buildServerHelloBody(share: Uint8Array, confirm: Uint8Array): Uint8Array {
  if (share.length !== SHARE_LEN || confirm.length !== CONFIRM_LEN) throw new RangeError('bad hello field size');
  const body = new Uint8Array(SHARE_LEN + CONFIRM_LEN);
  body.set(share);
  body.set(confirm, SHARE_LEN);
  return body;
}

/**
 * The fields of a received SERVER_HELLO, or null unless the body is exactly share|confirmation.
 * `ad` is the datagram up to the confirmation: the server's associated data in the ISK.
 */
export function parseServerHello(datagram: Uint8Array, headerLength: number): { share: Uint8Array; confirm: Uint8Array; ad: Uint8Array } | null {
  if (!Number.isSafeInteger(headerLength) || headerLength < 0) return null;
  if (datagram.length !== headerLength + SHARE_LEN + CONFIRM_LEN) return null;
  const adEnd = headerLength + SHARE_LEN;
  return { share: datagram.slice(headerLength, adEnd), confirm: datagram.slice(adEnd), ad: datagram.slice(0, adEnd) };
}

/** True when `confirm` is the expected confirmation, compared in constant time. */
export function confirmMatches(expected: Uint8Array, confirm: Uint8Array): boolean {
  return constantTimeEqual(expected, confirm);
}

/** ABORT body: the client's token, whose commitment was in its hello. */
export function buildAbortBody(token: Uint8Array): Uint8Array {
  if (token.length !== ABORT_TOKEN_LEN) throw new RangeError('abort token must be 16 bytes');
  return token.slice();
}

/** True when an ABORT body opens the commitment of the accepted hello. */
export function abortMatches(h: Hashes, body: Uint8Array, commitment: Uint8Array): boolean {
  return body.length === ABORT_TOKEN_LEN && constantTimeEqual(abortCommitment(h, body), commitment);
}

/** REJECT body: one reason byte. Unauthenticated by design (see wire/README.md). */
export function buildRejectBody(reason: number): Uint8Array {
  if (!Number.isInteger(reason) || reason < 0 || reason > 0xff) throw new RangeError(`bad reject reason: ${reason}`);
  return Uint8Array.of(reason);
}

/**
 * The reason byte of a REJECT body, or null when the body is not exactly one byte. Unknown
 * reasons are returned as they are; callers treat them as a generic refusal.
 */
export function parseRejectBody(body: Uint8Array): number | null {
  return body.length === 1 ? body[0]! : null;
}

/**
 * REJECT_VERSION body: the reason byte, then the server's version (u32). Five bytes, so a v1
 * client, which only accepts one-byte bodies, ignores it rather than misreading it.
 */
export function buildVersionRejectBody(serverVersion: number): Uint8Array {
  const w = new ByteWriter(5);
  w.u8(REJECT_VERSION);
  w.u32(serverVersion);
  return w.finish();
}

/** The server's version from a REJECT_VERSION body, else null. */
export function parseVersionRejectBody(body: Uint8Array): number | null {
  if (body.length !== 5 || body[0] !== REJECT_VERSION) return null;
  return new ByteReader(body.subarray(1)).u32();
}
