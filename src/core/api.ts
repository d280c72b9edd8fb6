// Public surface of the sans-IO core. Everything the io layer may touch is here;
// every other file under src/core is internal to the protocol.

/** Monotonic milliseconds (fractional allowed). The core never reads a clock itself. */
export type Millis = number;

/** Injected randomness: returns `n` cryptographically random bytes. */
export type RandomSource = (n: number) => Uint8Array;

import type { PacketCipher } from './crypto/aead.js';
import type { Hashes } from './crypto/hashes.js';
export type { PacketCipher, PacketKey } from './crypto/aead.js';
export type { Hashes } from './crypto/hashes.js';
export { nobleHashes } from './crypto/hashes.js';
export { REJECT_BUSY } from './crypto/handshake.js';
export { nobleCipher, packetNonce, packetNonceInto, TAG_LEN } from './crypto/aead.js';

export type Role = 'client' | 'server';

export type CongestionAlgorithm = 'newreno' | 'bbr';

export interface ConnectionOptions {
  role: Role;
  /** The shared one-time code as typed by the user (see crypto/code.ts). */
  code: string;
  random: RandomSource;
  /** Time the Connection is created. */
  now: Millis;
  /** Give up the handshake after this long (default 10_000). */
  handshakeTimeoutMs?: number;
  /** Close when nothing at all was received for this long (default 30_000). */
  idleTimeoutMs?: number;
  /** Send a PING when nothing was sent for this long while connected (default 5_000). */
  keepAliveMs?: number;
  congestion?: CongestionAlgorithm;
  /** Hard cap on the sending rate in bytes/s (0 or undefined: none). */
  maxSendRate?: number;
  /**
   * Largest UDP payload we may emit (default 65507). The size in use is found by path MTU
   * discovery below this and below what setPathMtu() allows (1452 until it is called).
   */
  maxDatagramSize?: number;
  /** Packet AEAD for 1-RTT packets (default: the pure-JS `nobleCipher`); io injects a native one. */
  cipher?: PacketCipher;
  /** The handshake's SHA-256, SHA-512, HMAC and HKDF (default: noble's, pure JS); io injects OpenSSL's. */
  hashes?: Hashes;
  /**
   * Server: asked once per client hello about to be accepted, with the client's CPace share;
   * false refuses it silently. A listener answers each share once in its life, so an old hello
   * replayed into a later connection under the same code is not answered again.
   */
  isFreshHello?: (share: Uint8Array) => boolean;
}

/** Why a connection ended. `kind` is what the CLI maps to exit codes. */
export type CloseReason =
  | { kind: 'local'; errorCode: number; reason: string }          // we called close()
  | { kind: 'peer'; errorCode: number; reason: string }           // peer sent CONNECTION_CLOSE
  | { kind: 'idle_timeout' }                                      // peer silent too long
  | { kind: 'handshake_timeout'; rejectedWith?: number }          // no answer (client: an unauthenticated REJECT's reason, if one came); server: an answered hello never confirmed
  | { kind: 'wrong_code' }                                        // client: the server's confirmation did not match; server: the client said so
  | { kind: 'version_mismatch'; peerVersion: number }             // peer speaks another protocol version (client side)
  | { kind: 'protocol_error'; errorCode: number; reason: string }; // peer broke the protocol

export type ConnectionEvent =
  | { type: 'connected' }
  /** Server only: a hello it answered failed (wrong code, or never confirmed); the connection ends. */
  | { type: 'auth_failed' }
  /** Server only: a client of another protocol version was told ours (connection keeps waiting). */
  | { type: 'version_mismatch'; peerVersion: number }
  /** The peer opened a stream (first frame for a new peer-initiated id arrived). */
  | { type: 'stream_opened'; id: number }
  /** streamRead(id) will return data or the end of stream. */
  | { type: 'stream_readable'; id: number }
  /** The stream's send buffer has room again after streamWrite accepted less than offered. */
  | { type: 'stream_writable'; id: number }
  /** Everything we wrote on id, including FIN, was acknowledged by the peer. */
  | { type: 'stream_finished'; id: number }
  /** Peer reset its sending side of id (RESET_STREAM): no more data will come. */
  | { type: 'stream_reset'; id: number; errorCode: number }
  /** Peer asked us to stop sending on id (STOP_SENDING); the core has already reset our side. */
  | { type: 'stream_stop_sending'; id: number; errorCode: number }
  /** The peer raised MAX_STREAMS: openStream() may succeed again. */
  | { type: 'streams_available' }
  | { type: 'closed'; reason: CloseReason };

export interface StreamReadResult {
  /** Contiguous bytes in order (may be empty when only `fin` is reported). */
  data: Uint8Array;
  /** True once all data up to the final size has been returned. */
  fin: boolean;
}

export interface ConnectionStats {
  rttMs: number;
  minRttMs: number;
  cwndBytes: number;
  bytesInFlight: number;
  pacingRateBytesPerSec: number;
  packetsSent: number;
  /** Of packetsSent, the datagrams that carried nothing but an ACK (ACKs per data packet, for benches). */
  ackPacketsSent: number;
  packetsReceived: number;
  /** Packets declared lost, less those later acknowledged (spurious losses). */
  packetsLost: number;
  bytesSent: number;
  bytesReceived: number;
  retransmittedBytes: number;
  /** Packets declared lost that were acknowledged after all: late on a path that reorders. */
  spuriousLosses: number;
  /** Stream bytes those packets carried (at most what was resent for nothing). */
  spuriousBytes: number;
  /** Loss detection's reordering tolerance: packets behind the largest acked ... */
  reorderThreshold: number;
  /** ... and time beyond the RTT (ms) before a packet counts as lost; both learned from the path. */
  reorderWindowMs: number;
  /** Datagrams dropped because they failed to parse or to authenticate. */
  droppedMalformed: number;
  droppedUnauthenticated: number;
  /** Fraction of sent packets lost (0..1). */
  lossRate: number;
  /** UDP payload size in use, as path MTU discovery confirmed it. */
  datagramSize: number;
  /** The most path MTU discovery may reach (user cap and the outgoing interface). */
  datagramCap: number;
  mtuProbesSent: number;
  mtuProbesLost: number;
  /** Times the path stopped carrying the size in use and discovery started over. */
  mtuBlackHoles: number;
}

/** Application error codes carried in RESET_STREAM / STOP_SENDING / CONNECTION_CLOSE. */
export const AppError = {
  NONE: 0x0,
  CANCELLED: 0x101,       // user pressed Ctrl-C / aborted
  SOURCE_ERROR: 0x102,    // sender could not read its source
  WRITE_ERROR: 0x103,     // receiver could not write (permission, disk full)
  STALLED: 0x104,         // no progress for --stall-timeout
  INTEGRITY: 0x105,       // hash mismatch
  REFUSED: 0x106,         // receiver refused (exists, unsafe path)
  PIPE_CLOSED: 0x107,     // receiver's stdout closed (EPIPE)
} as const;

/**
 * The sans-IO connection (implemented by core/connection.ts). The io layer feeds it datagrams
 * and the clock, sends what pollTransmit() hands out, re-arms one timer at pollTimeout(), and
 * drains pollEvent() after every call.
 */
export interface ConnectionHandle {
  handleDatagram(buf: Uint8Array, now: Millis): void;
  /**
   * The largest UDP payload that leaves this host towards the peer unfragmented (the outgoing
   * interface's MTU, or the path MTU the kernel learned, less IP and UDP headers). Path MTU
   * discovery never goes above it; lowering it below the size in use takes effect at once.
   */
  setPathMtu(maxPayload: number, now: Millis): void;
  /**
   * Next datagram to put on the wire, or null (nothing to send now, or the pacer says wait).
   * `holdAcks`: a packet that would carry nothing but an ACK is not built now (more datagrams
   * are about to be handled, and one ACK after them covers them all); ACKs still ride along on
   * any other packet.
   */
  pollTransmit(now: Millis, holdAcks?: boolean): Uint8Array | null;
  /** Absolute time at which handleTimeout() must be called, or null when no timer is needed. */
  pollTimeout(): Millis | null;
  handleTimeout(now: Millis): void;
  pollEvent(): ConnectionEvent | null;
  /** Opens a new locally initiated stream; null while the peer's MAX_STREAMS limit is reached. */
  openStream(): number | null;
  /** Queues bytes; returns how many were accepted (0..data.length). The rest waits for 'stream_writable'. */
  streamWrite(id: number, data: Uint8Array): number;
  /** Marks the end of our data on the stream (FIN). */
  streamFinish(id: number): void;
  /** Reads up to maxBytes in-order bytes; null when nothing is ready yet. */
  streamRead(id: number, maxBytes?: number): StreamReadResult | null;
  /** Abandons our sending side: RESET_STREAM, and its in-flight bytes leave the congestion window at once. */
  streamReset(id: number, errorCode: number): void;
  /** Asks the peer to stop sending on the stream (STOP_SENDING) and discards what arrives. */
  streamStopSending(id: number, errorCode: number): void;
  /** Graceful or error close: sends CONNECTION_CLOSE; emits 'closed' once done. */
  close(errorCode: number, reason: string, now: Millis): void;
  readonly isConnected: boolean;
  readonly isClosed: boolean;
  stats(): ConnectionStats;
}
