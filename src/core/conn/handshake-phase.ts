// A connection's life before its keys: when the client (re)sends its hello, what an incoming
// long-header datagram means, when to give up, and the handshake as the first RTT sample. It
// decides; Connection applies the outcome (its queues, counters and state stay there).
import type { CloseReason, ConnectionEvent, Millis, RandomSource } from '../api.js';
import { VERSION, type LongHeader } from '../wire/header.js';
import { MIN_CLIENT_HELLO } from '../crypto/handshake.js';
import type { Hashes } from '../crypto/hashes.js';
import { ClientHandshake, ServerHandshake, versionReject, type Established } from './handshake.js';

/** First client-hello retransmission; doubles each time (the handshake has no RTT sample yet) ... */
const HELLO_RETRY_MS = 250;
/**
 * ... up to this. A hello is one small datagram, and a link that drops bursts (a fade, a link
 * left in its bad state) can swallow a short series: 12 tries fit the default 10 s, not 6.
 */
const HELLO_RETRY_MAX_MS = 1_000;
/**
 * A hello repeated within this of the first is the client's planned copy, not a retry: it gets
 * its answer (a second chance for the reply) but keeps the RTT sample and counts as no loss.
 */
const COPY_WINDOW_MS = HELLO_RETRY_MS / 2;

/** What one long-header datagram asks of the connection. */
export interface LongOutcome {
  /** A datagram to send back (a server hello, a reject). */
  reply?: Uint8Array;
  /** The session keys are ready. */
  established?: Established;
  /** Client: the server's hello authenticated, the connection is up. */
  connected?: boolean;
  /** The handshake failed for good. */
  end?: CloseReason;
  event?: ConnectionEvent;
  dropped?: 'malformed' | 'unauthenticated';
}

export class HandshakePhase {
  private readonly client: ClientHandshake | null = null;
  private readonly server: ServerHandshake | null = null;
  private helloAt: Millis;
  private helloInterval = HELLO_RETRY_MS;
  /** Our first handshake datagram (client hello, or server hello) and how often we sent one. */
  private sentAt: Millis = 0;
  private sends = 0;
  /** Server: the first hello is built but not yet handed out; see onDatagramOut. */
  private replyQueued = false;
  /** Client: the copy of the hello just sent is still to go. */
  private copyDue = false;
  /** Server: when the first client hello came (a repeat soon after it is the client's copy). */
  private firstHelloAt: Millis | null = null;
  /** Client: give up then; server: drop a half-open handshake then (Infinity while listening). */
  deadline: Millis;
  /**
   * Client: the reason byte of a REJECT that came (busy, or a v3 server's wrong code). Anyone
   * who saw our hello can forge one, so it does not end the handshake: it only explains a
   * timeout.
   */
  rejectedWith: number | null = null;

  constructor(
    isClient: boolean,
    code: string,
    hashes: Hashes,
    random: RandomSource,
    now: Millis,
    private readonly timeoutMs: number,
    isFreshHello?: (share: Uint8Array) => boolean,
  ) {
    this.helloAt = now;
    this.deadline = isClient ? now + timeoutMs : Infinity;
    if (isClient) this.client = new ClientHandshake(code, hashes, random);
    else this.server = new ServerHandshake(code, hashes, random, isFreshHello);
  }

  get isClient(): boolean {
    return this.client !== null;
  }

  /**
   * Client: the hello when a (re)send is due, else null. Each send is two copies back to back,
   * which the server answers twice: on a path that loses one packet in five, a single exchange
   * fails 36 % of the time and costs a 250 ms retry (1.75 s after three), doubled ones 8 %. The
   * copy costs one 1,200-byte datagram per try, and it does not blur the RTT sample, since
   * both copies leave at the same moment.
   */
  pollHello(now: Millis): Uint8Array | null {
    if (!this.client) return null;
    if (this.copyDue) {
      this.copyDue = false;
      return this.client.clientHello;
    }
    if (now < this.helloAt) return null;
    this.helloAt = now + this.helloInterval;
    this.helloInterval = Math.min(2 * this.helloInterval, HELLO_RETRY_MAX_MS);
    this.noteSent(now);
    this.copyDue = true;
    return this.client.clientHello;
  }

  /** When the handshake next needs the clock. */
  nextTimeout(): Millis {
    return this.client ? Math.min(this.deadline, this.helloAt) : this.deadline;
  }

  /**
   * The handshake is the first round trip: without its sample the first flight of data would be
   * paced over no RTT at all (one burst of the initial window) and the PTO would start from
   * 333 ms. A hello that was sent more than once gives an ambiguous sample (which copy was
   * answered?), so it gives none, as with retransmitted packets (Karn).
   */
  rttSample(now: Millis): number | null {
    return this.sends === 1 ? now - this.sentAt : null;
  }

  /**
   * A hello went (client) or came (server) more than once: a datagram was lost, or the path is
   * slower than the retry interval. Either way the first exchanges deserve the same care as a
   * path that has lost packets (Connection's tail repeats).
   */
  get retried(): boolean {
    return this.sends > 1;
  }

  /** A long-header datagram that arrived while the handshake is open. */
  onLongPacket(buf: Uint8Array, header: LongHeader, headerLength: number, now: Millis): LongOutcome {
    if (header.version !== VERSION) return this.onOtherVersion(buf, header);
    if (this.client) return this.onClientSide(this.client, buf, header, headerLength);
    if (!this.server) return {};
    if (header.packetType === 'abort') return this.onAbort(this.server, buf, header, headerLength);
    if (header.packetType !== 'client_hello') return {};
    const verdict = this.server.onClientHello(buf, header, headerLength);
    if (verdict.kind === 'dropped') return { dropped: 'malformed' };
    if (verdict.kind === 'busy') return { reply: verdict.reply, dropped: 'unauthenticated' };
    if (this.sends === 0) this.replyQueued = true;
    const copy = verdict.kind === 'repeat' && this.firstHelloAt !== null && now - this.firstHelloAt < COPY_WINDOW_MS;
    if (!copy) this.noteSent(now);
    this.firstHelloAt ??= now;
    if (verdict.kind === 'repeat') return { reply: verdict.reply };
    // Half-open until the client's first sealed packet; a silent client ends the attempt.
    this.deadline = now + this.timeoutMs;
    return { reply: verdict.reply, established: verdict.established };
  }

  /** The client whose hello we answered says our confirmation did not match: its code differs. */
  private onAbort(server: ServerHandshake, buf: Uint8Array, header: LongHeader, headerLength: number): LongOutcome {
    if (!server.onAbort(buf, header, headerLength)) return { dropped: 'unauthenticated' };
    return { end: { kind: 'wrong_code' }, event: { type: 'auth_failed' } };
  }

  private onClientSide(client: ClientHandshake, buf: Uint8Array, header: LongHeader, headerLength: number): LongOutcome {
    if (header.packetType === 'server_hello') {
      const verdict = client.onServerHello(buf, header, headerLength);
      if (verdict.kind === 'accepted') return { established: verdict.established, connected: true };
      if (verdict.kind === 'failed') return { reply: verdict.abort, end: { kind: 'wrong_code' } };
      return { dropped: 'unauthenticated' };
    }
    if (header.packetType !== 'reject') return {};
    const serverVersion = client.onVersionReject(buf, header, headerLength);
    if (serverVersion !== null) return { end: { kind: 'version_mismatch', peerVersion: serverVersion } };
    const reason = client.onReject(buf, header, headerLength);
    if (reason !== null) this.rejectedWith = reason;
    return { dropped: 'unauthenticated' };
  }

  /**
   * A hello of another version gets told ours, once per hello and only while we wait for a
   * client: the answer is far smaller than a hello (no amplification), and being unauthenticated
   * it can at most end a handshake that an on-path attacker could drop anyway.
   */
  private onOtherVersion(buf: Uint8Array, header: LongHeader): LongOutcome {
    if (!this.server || header.packetType !== 'client_hello' || buf.length < MIN_CLIENT_HELLO) return { dropped: 'malformed' };
    return { reply: versionReject(header), event: { type: 'version_mismatch', peerVersion: header.version } };
  }

  /**
   * A queued datagram went out. The server's first hello leaves only after its key exchange
   * was computed (tens of ms in a process that just started), and that time is ours, not the
   * path's: the sample starts when the hello really left.
   */
  onDatagramOut(now: Millis): void {
    if (!this.replyQueued) return;
    this.replyQueued = false;
    this.sentAt = now;
  }

  private noteSent(now: Millis): void {
    if (this.sends++ === 0) this.sentAt = now;
  }
}
