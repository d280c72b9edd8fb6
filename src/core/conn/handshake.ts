// The 1-RTT handshake glue: builds and checks the long-header datagrams around the crypto
// bodies of crypto/handshake.ts. See wire/README.md "Handshake bodies".
import { ByteWriter } from '../wire/varint.js';
import { VERSION, encodeLongHeader, type LongHeader } from '../wire/header.js';
import {
  ABORT_TOKEN_LEN,
  CpaceParty,
  REJECT_BUSY,
  abortCommitment,
  abortMatches,
  buildAbortBody,
  buildClientHelloBody,
  buildRejectBody,
  buildServerHelloBody,
  buildVersionRejectBody,
  confirmMatches,
  parseClientHello,
  parseRejectBody,
  parseServerHello,
  parseVersionRejectBody,
} from '../crypto/handshake.js';
import { deriveSessionKeys, type SessionKeys } from '../crypto/keys.js';
import type { Hashes } from '../crypto/hashes.js';
import type { RandomSource } from '../api.js';

function longPacket(
  type: LongHeader['packetType'],
  dcid: Uint8Array,
  scid: Uint8Array,
  body: (headerLength: number) => Uint8Array,
  version = VERSION,
): Uint8Array {
  const w = new ByteWriter(64);
  encodeLongHeader(w, type, dcid, scid, version);
  const header = w.finish();
  const b = body(header.length);
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

/** What the client makes of a SERVER_HELLO. */
export type ServerHelloVerdict =
  | { kind: 'ignored' }
  /** The confirmation matched: the server used our code and saw our hello unchanged. */
  | { kind: 'accepted'; established: Established }
  /** Valid share, wrong confirmation: another code (or a forger's one guess). `abort` tells the server. */
  | { kind: 'failed'; abort: Uint8Array };

export class ClientHandshake {
  readonly localCid: Uint8Array;
  readonly clientHello: Uint8Array;
  private readonly party: CpaceParty;
  private readonly abortToken: Uint8Array;

  constructor(code: string, private readonly h: Hashes, random: RandomSource) {
    this.localCid = random(8);
    this.party = new CpaceParty(h, code, random);
    this.abortToken = random(ABORT_TOKEN_LEN).slice(0, ABORT_TOKEN_LEN);
    const commitment = abortCommitment(h, this.abortToken);
    this.clientHello = longPacket('client_hello', random(8), this.localCid, (hl) => buildClientHelloBody(this.party.share, commitment, hl));
  }

  /**
   * A SERVER_HELLO for us. One with a malformed body or an invalid share tests no guess and is
   * ignored; one whose confirmation fails ends the handshake, since waiting for more would let
   * a forger test one code guess per answer it sends.
   */
  onServerHello(datagram: Uint8Array, header: LongHeader, headerLength: number): ServerHelloVerdict {
    if (!equalBytes(header.dcid, this.localCid)) return { kind: 'ignored' };
    const sh = parseServerHello(datagram, headerLength);
    if (!sh) return { kind: 'ignored' };
    const isk = this.party.isk(sh.share, this.party.share, this.clientHello, sh.share, sh.ad);
    if (!isk) return { kind: 'ignored' };
    const { keys, confirm } = deriveSessionKeys('client', isk, this.h);
    isk.fill(0);
    if (confirmMatches(confirm, sh.confirm)) return { kind: 'accepted', established: { keys } };
    const abort = longPacket('abort', header.scid, this.localCid, () => buildAbortBody(this.abortToken));
    return { kind: 'failed', abort };
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

export type ClientHelloVerdict =
  | { kind: 'accepted'; reply: Uint8Array; established: Established }
  | { kind: 'repeat'; reply: Uint8Array }
  /** Another hello came after one was accepted: told we are busy, and nothing else changes. */
  | { kind: 'busy'; reply: Uint8Array }
  /** Short, non-zero padding, an invalid share, or a replay of a hello answered before. */
  | { kind: 'dropped' };

/**
 * The answer to a CLIENT_HELLO of another version: a REJECT in the client's version (long
 * headers share one layout) naming ours, so the client can say what is wrong instead of
 * waiting out its handshake timeout.
 */
export function versionReject(header: LongHeader): Uint8Array {
  return longPacket('reject', header.scid, header.dcid, () => buildVersionRejectBody(VERSION), header.version);
}

interface Accepted {
  hello: Uint8Array;
  reply: Uint8Array;
  commitment: Uint8Array;
  localCid: Uint8Array;
  clientCid: Uint8Array;
}

export class ServerHandshake {
  private accepted: Accepted | null = null;
  /**
   * Made with the connection, while no client waits yet: the generator and the share cost a
   * hash-to-group and a scalar multiplication, which then stay off the first client's clock.
   * It serves one session only: a connection accepts one hello.
   */
  private readonly party: CpaceParty;

  constructor(
    code: string,
    private readonly h: Hashes,
    private readonly random: RandomSource,
    private readonly isFreshHello: (share: Uint8Array) => boolean = () => true,
  ) {
    this.party = new CpaceParty(h, code, random);
  }

  /** Whether a hello was accepted (the handshake is half-open or done). */
  get busy(): boolean {
    return this.accepted !== null;
  }

  onClientHello(datagram: Uint8Array, header: LongHeader, headerLength: number): ClientHelloVerdict {
    const acc = this.accepted;
    if (acc) {
      // A retransmitted hello gets the identical answer, so both sides keep the same keys;
      // any other hello changes nothing here (no key swap mid-handshake).
      if (equalBytes(datagram, acc.hello)) return { kind: 'repeat', reply: acc.reply };
      if (!parseClientHello(datagram, headerLength)) return { kind: 'dropped' };
      return { kind: 'busy', reply: longPacket('reject', header.scid, header.dcid, () => buildRejectBody(REJECT_BUSY)) };
    }
    const ch = parseClientHello(datagram, headerLength);
    if (!ch) return { kind: 'dropped' };
    const localCid = this.random(8);
    const share = this.party.share;
    const serverAd = longPacket('server_hello', header.scid, localCid, () => share);
    const hello = datagram.slice();
    const isk = this.party.isk(ch.share, ch.share, hello, share, serverAd);
    if (!isk || !this.isFreshHello(ch.share)) return { kind: 'dropped' };
    const { keys, confirm } = deriveSessionKeys('server', isk, this.h);
    isk.fill(0);
    const reply = longPacket('server_hello', header.scid, localCid, () => buildServerHelloBody(share, confirm));
    this.accepted = { hello, reply, commitment: ch.commitment, localCid, clientCid: header.scid.slice() };
    return { kind: 'accepted', reply, established: { keys } };
  }

  /** True when `datagram` is the ABORT of the client whose hello was accepted. */
  onAbort(datagram: Uint8Array, header: LongHeader, headerLength: number): boolean {
    const acc = this.accepted;
    if (!acc || !equalBytes(header.dcid, acc.localCid) || !equalBytes(header.scid, acc.clientCid)) return false;
    return abortMatches(this.h, datagram.subarray(headerLength), acc.commitment);
  }
}
