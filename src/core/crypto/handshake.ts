// Handshake bodies (wire/README.md, "Handshake bodies"). Each hello carries an X25519 public
// key, 16 random bytes and an HMAC keyed by the code, so only someone who knows the code can
// produce a hello the peer accepts. Header bytes come in from the caller: this module does
// not parse packets, it only needs to know where the long header ends.
import { x25519 } from '@noble/curves/ed25519.js';
import { constantTimeEqual, isAllZero } from './bytes.js';
import type { CodeSecrets } from './code.js';
import { ByteReader, ByteWriter } from '../wire/varint.js';

export interface KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * One side's X25519 for one handshake: its public key, and the secret it shares with the peer's
 * public key (null when that key is malformed or of low order). The private key stays inside,
 * so io can hand in OpenSSL's (about 20x faster than noble's ladder on a cold process, where a
 * key pair and an agreement sat on the handshake's critical path for 10-30 ms).
 */
export interface KeyExchange {
  readonly publicKey: Uint8Array;
  agree(peerPublic: Uint8Array): Uint8Array | null;
}

/** Makes one KeyExchange. */
export type KeyExchangeFactory = (random: (n: number) => Uint8Array) => KeyExchange;

/** The core's own: noble's X25519 on the injected random source. */
export const nobleKeyExchange: KeyExchangeFactory = (random) => {
  const kp = generateKeyPair(random);
  return { publicKey: kp.publicKey, agree: (peer) => sharedSecret(kp.privateKey, peer) };
};

export const PUBLIC_KEY_LEN = 32;
export const RANDOM_LEN = 16;
export const MAC_LEN = 32;
/** pub | random | mac: the authenticated part of both hellos. */
export const HELLO_FIELDS_LEN = PUBLIC_KEY_LEN + RANDOM_LEN + MAC_LEN;
/** Smallest CLIENT_HELLO datagram; the answer is much smaller, so we never amplify. */
export const MIN_CLIENT_HELLO = 1200;

export const REJECT_AUTH = 1;
export const REJECT_BUSY = 2;
/** The server speaks another protocol version; its own version follows the reason byte. */
export const REJECT_VERSION = 3;

/** The X25519 base point, u = 9 (RFC 7748 §4.1). */
const BASE_U = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 9 : 0));

/**
 * The public key is X25519(privateKey, 9) by the Montgomery ladder, as for the shared secret.
 * noble's getPublicKey gives the same key through a base-point table that it first builds, ~70 ms
 * of a client's start (a process makes one key pair, so the table never pays off).
 */
export function generateKeyPair(random: (n: number) => Uint8Array): KeyPair {
  const privateKey = random(32).slice(0, 32);
  if (privateKey.length !== 32) throw new RangeError('random source returned too few bytes');
  return { privateKey, publicKey: x25519.scalarMult(privateKey, BASE_U) };
}

/**
 * X25519(privateKey, peerPublic), or null when the peer's key is malformed or of low order
 * (an all-zero secret would let an attacker fix the session keys). Never throws.
 */
export function sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  if (privateKey.length !== 32 || peerPublic.length !== PUBLIC_KEY_LEN) return null;
  try {
    const ss = x25519.getSharedSecret(privateKey, peerPublic);
    return isAllZero(ss) ? null : ss;
  } catch {
    return null;
  }
}


/** What a hello needs of a key pair. */
type HelloKey = Pick<KeyPair, 'publicKey'>;

function checkHelloInputs(kp: HelloKey, random16: Uint8Array): void {
  if (kp.publicKey.length !== PUBLIC_KEY_LEN) throw new RangeError('public key must be 32 bytes');
  if (random16.length !== RANDOM_LEN) throw new RangeError('hello random must be 16 bytes');
}

/** pub | random | mac, followed by `padding` zero bytes. */
function helloBody(kp: HelloKey, random16: Uint8Array, mac: Uint8Array, padding: number): Uint8Array {
  const body = new Uint8Array(HELLO_FIELDS_LEN + padding);
  body.set(kp.publicKey, 0);
  body.set(random16, PUBLIC_KEY_LEN);
  body.set(mac, PUBLIC_KEY_LEN + RANDOM_LEN);
  return body;
}

/**
 * CLIENT_HELLO body: client_pub | client_random | mac | zeros, padded so that the datagram
 * (headerBytes + body) is at least MIN_CLIENT_HELLO bytes.
 * mac = HMAC-SHA256(authKey, headerBytes | client_pub | client_random).
 */
export function buildClientHelloBody(s: CodeSecrets, kp: HelloKey, random16: Uint8Array, headerBytes: Uint8Array): Uint8Array {
  checkHelloInputs(kp, random16);
  const mac = s.hashes.hmac(s.authKey, [headerBytes, kp.publicKey, random16]);
  const padding = Math.max(0, MIN_CLIENT_HELLO - headerBytes.length - HELLO_FIELDS_LEN);
  return helloBody(kp, random16, mac, padding);
}

/** True when `headerLength` is a usable split point leaving room for the hello fields. */
function fitsHello(datagram: Uint8Array, headerLength: number): boolean {
  return Number.isSafeInteger(headerLength) && headerLength >= 0 && datagram.length >= headerLength + HELLO_FIELDS_LEN;
}

/** Verifies the MAC that follows pub|random at `headerLength`, over `prefix` | datagram[0, mac). */
function macMatches(s: CodeSecrets, prefix: Uint8Array[], datagram: Uint8Array, headerLength: number): boolean {
  const macStart = headerLength + PUBLIC_KEY_LEN + RANDOM_LEN;
  const expected = s.hashes.hmac(s.authKey, [...prefix, datagram.subarray(0, macStart)]);
  return constantTimeEqual(expected, datagram.subarray(macStart, macStart + MAC_LEN));
}

/**
 * Checks a received CLIENT_HELLO datagram whose long header is `headerLength` bytes. Returns
 * null (never throws) when it is shorter than MIN_CLIENT_HELLO (anti-amplification) or the MAC
 * is wrong, i.e. the client used another code. Padding content is not checked.
 */
export function openClientHello(
  s: CodeSecrets,
  datagram: Uint8Array,
  headerLength: number,
): { clientPublic: Uint8Array; clientRandom: Uint8Array } | null {
  if (datagram.length < MIN_CLIENT_HELLO || !fitsHello(datagram, headerLength)) return null;
  try {
    if (!macMatches(s, [], datagram, headerLength)) return null;
  } catch {
    return null;
  }
  const pubStart = headerLength;
  return {
    clientPublic: datagram.slice(pubStart, pubStart + PUBLIC_KEY_LEN),
    clientRandom: datagram.slice(pubStart + PUBLIC_KEY_LEN, pubStart + PUBLIC_KEY_LEN + RANDOM_LEN),
  };
}

/**
 * SERVER_HELLO body: server_pub | server_random | mac (no padding).
 * mac = HMAC-SHA256(authKey, clientHelloDatagram | headerBytes | server_pub | server_random),
 * which also proves to the client that the server saw its hello unmodified.
 */
export function buildServerHelloBody(
  s: CodeSecrets,
  kp: HelloKey,
  random16: Uint8Array,
  clientHelloDatagram: Uint8Array,
  headerBytes: Uint8Array,
): Uint8Array {
  checkHelloInputs(kp, random16);
  const mac = s.hashes.hmac(s.authKey, [clientHelloDatagram, headerBytes, kp.publicKey, random16]);
  return helloBody(kp, random16, mac, 0);
}

/**
 * Checks a received SERVER_HELLO against the CLIENT_HELLO we sent. Returns null (never throws)
 * unless the body is exactly pub|random|mac and the MAC matches.
 */
export function openServerHello(
  s: CodeSecrets,
  clientHelloDatagram: Uint8Array,
  datagram: Uint8Array,
  headerLength: number,
): { serverPublic: Uint8Array } | null {
  if (!fitsHello(datagram, headerLength) || datagram.length !== headerLength + HELLO_FIELDS_LEN) return null;
  try {
    if (!macMatches(s, [clientHelloDatagram], datagram, headerLength)) return null;
  } catch {
    return null;
  }
  return { serverPublic: datagram.slice(headerLength, headerLength + PUBLIC_KEY_LEN) };
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
