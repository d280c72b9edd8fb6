// The 1-RTT handshake glue: builds and checks the long-header datagrams around the crypto
// bodies of crypto/handshake.ts. See wire/README.md "Handshake bodies".
import { ByteWriter } from '../wire/varint.js';
import { VERSION, encodeLongHeader, type LongHeader } from '../wire/header.js';
import {
  buildClientHelloBody,
  buildRejectBody,
  buildServerHelloBody,
  buildVersionRejectBody,
  nobleKeyExchange,
  openClientHello,
  openServerHello,
  parseRejectBody,
  parseVersionRejectBody,
  REJECT_AUTH,
  type KeyExchange,
  type KeyExchangeFactory,
} from '../crypto/handshake.js';
import { deriveSessionKeys, type SessionKeys } from '../crypto/keys.js';
import type { CodeSecrets } from '../crypto/code.js';
import type { RandomSource } from '../api.js';

function longPacket(
  type: LongHeader['packetType'],
  dcid: Uint8Array,
  scid: Uint8Array,
  body: (header: Uint8Array) => Uint8Array,
  version = VERSION,
): Uint8Array {
  const w = new ByteWriter(64);
  encodeLongHeader(w, type, dcid, scid, version);
  const header = w.finish();
  const b = body(header);
  const out = new Uint8Array(header.length + b.length);
  out.set(header);
  out.set(b, header.length);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface Established {
  keys: SessionKeys;
}

export class ClientHandshake {
  readonly localCid: Uint8Array;
  readonly clientHello: Uint8Array;
  private readonly kx: KeyExchange;

  constructor(private readonly secrets: CodeSecrets, random: RandomSource, kx: KeyExchangeFactory = nobleKeyExchange) {
    this.localCid = random(8);
    this.kx = kx(random);
    const rnd = random(16);
    this.clientHello = longPacket('client_hello', random(8), this.localCid, (h) =>
      buildClientHelloBody(secrets, this.kx, rnd, h),
    );
  }

  /** A SERVER_HELLO for us: the session keys, or null if it does not authenticate. */
  onServerHello(datagram: Uint8Array, header: LongHeader, headerLength: number): Established | null {
    if (!equalBytes(header.dcid, this.localCid)) return null;
    const opened = openServerHello(this.secrets, this.clientHello, datagram, headerLength);
    if (!opened) return null;
    const ss = this.kx.agree(opened.serverPublic);
    if (!ss) return null;
    const keys = deriveSessionKeys('client', this.secrets.psk, ss, this.clientHello, datagram, this.secrets.hashes);
    return { keys };
  }

  /** A REJECT addressed to us: its reason code, else null. */
  onReject(datagram: Uint8Array, header: LongHeader, headerLength: number): number | null {
    if (!equalBytes(header.dcid, this.localCid)) return null;
    return parseRejectBody(datagram.subarray(headerLength));
  }

  /** A REJECT_VERSION addressed to us: the server's version, else null. */
  onVersionReject(datagram: Uint8Array, header: LongHeader, headerLength: number): number | null {
    if (!equalBytes(header.dcid, this.localCid)) return null;
    return parseVersionRejectBody(datagram.subarray(headerLength));
  }
}

export type ServerVerdict =
  | { kind: 'accepted'; reply: Uint8Array; established: Established }
  | { kind: 'repeat'; reply: Uint8Array }
  | { kind: 'rejected'; reply: Uint8Array };

/**
 * The answer to a CLIENT_HELLO of another version: a REJECT in the client's version (long
 * headers share one layout) naming ours, so the client can say what is wrong instead of
 * waiting out its handshake timeout.
 */
export function versionReject(header: LongHeader): Uint8Array {
  return longPacket('reject', header.scid, header.dcid, () => buildVersionRejectBody(VERSION), header.version);
}

export class ServerHandshake {
  private lastHello: Uint8Array | null = null;
  private lastReply: Uint8Array | null = null;
  /**
   * Made with the connection, while no client waits yet: a server process that had just started
   * took 50-72 ms to answer its first hello with both of its X25519 operations, cold, on the
   * clock (the client makes its key pair before its hello goes out, too). It serves one
   * session only: a connection accepts one hello.
   */
  private readonly kx: KeyExchange;

  constructor(private readonly secrets: CodeSecrets, private readonly random: RandomSource, kx: KeyExchangeFactory = nobleKeyExchange) {
    this.kx = kx(random);
  }

  onClientHello(datagram: Uint8Array, header: LongHeader, headerLength: number): ServerVerdict {
    // A retransmitted hello gets the identical answer, so both sides keep the same keys.
    if (this.lastHello && this.lastReply && equalBytes(datagram, this.lastHello)) {
      return { kind: 'repeat', reply: this.lastReply };
    }
    const reject = () => ({ kind: 'rejected' as const, reply: longPacket('reject', header.scid, header.dcid, () => buildRejectBody(REJECT_AUTH)) });
    const opened = openClientHello(this.secrets, datagram, headerLength);
    if (!opened) return reject();
    const kp = this.kx;
    const ss = kp.agree(opened.clientPublic);
    if (!ss) return reject();
    const localCid = this.random(8);
    const rnd = this.random(16);
    const hello = datagram.slice();
    const reply = longPacket('server_hello', header.scid, localCid, (h) => buildServerHelloBody(this.secrets, kp, rnd, hello, h));
    const keys = deriveSessionKeys('server', this.secrets.psk, ss, hello, reply, this.secrets.hashes);
    this.lastHello = hello;
    this.lastReply = reply;
    return { kind: 'accepted', reply, established: { keys } };
  }
}
