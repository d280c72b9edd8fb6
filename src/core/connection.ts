// The sans-IO connection: datagrams in, datagrams out, one timer, events. See api.ts for the
// contract and wire/README.md for the format. Stream bookkeeping lives in conn/stream-ops.ts.
import type {
  CloseReason,
  ConnectionEvent,
  ConnectionHandle,
  ConnectionOptions,
  ConnectionStats,
  Millis,
  RandomSource,
  StreamReadResult,
} from './api.js';
import { VERSION, parseHeader, shortHeaderSize, type LongHeader } from './wire/header.js';
import { ByteWriter } from './wire/varint.js';
import { decodeFrames, encodeFrame, frameSize, isAckEliciting, type Frame } from './wire/frame.js';
import { nobleCipher, TAG_LEN, type PacketCipher } from './crypto/aead.js';
import { nobleHashes } from './crypto/hashes.js';
import type { SessionKeys } from './crypto/keys.js';
import type { Established } from './conn/handshake.js';
import { HandshakePhase } from './conn/handshake-phase.js';
import { EventQueue } from './conn/event-queue.js';
import { StreamError } from './conn/streams.js';
import { StreamOps } from './conn/stream-ops.js';
import { Recovery, isMtuProbe, type Sent } from './conn/recovery-glue.js';
import { sealShortPacket } from './conn/packet.js';
import { MtuDiscovery } from './recovery/mtu-discovery.js';
import { Linger } from './conn/linger.js';
import { Counters, connectionStats } from './conn/counters.js';
import { AckFrequency } from './conn/ack-frequency.js';
import type { SentFrame } from './conn/sent-frame.js';

/** The largest UDP payload IPv4 carries; the default upper bound when the user sets none. */
const MAX_UDP_PAYLOAD = 65_507;
/**
 * The path cap until the io layer says what the outgoing interface allows: a 1500-byte MTU
 * less IPv6 and UDP headers, which almost every path carries without fragments.
 */
const DEFAULT_PATH_DATAGRAM = 1452;
const ERR_INTERNAL = 0x1;
/**
 * Acknowledged bytes before the first path MTU probe during STARTUP: more than the initial
 * window (10 x 1200), so the first flight, whose ACK train STARTUP's jump measures, is back.
 */
const MTU_PROBE_AFTER_BYTES = 16 * 1024;
const PACER_SLACK_MS = 0.05;

type State = 'handshake' | 'connected' | 'closing' | 'closed';

export class Connection implements ConnectionHandle {
  private state: State = 'handshake';
  private readonly events = new EventQueue();
  private readonly hs: HandshakePhase;
  private keys: SessionKeys | null = null;
  /** The user's cap on datagram size; the path's cap comes from setPathMtu(). */
  private readonly userCap: number;
  private readonly mtu: MtuDiscovery;
  private readonly cipher: PacketCipher;
  private readonly scratch: Uint8Array;
  private readonly idleTimeoutMs: number;
  private readonly keepAliveMs: number;
  private readonly outbox: Uint8Array[] = [];
  private nextPn = 0;
  private clock: Millis;
  private lastReceived: Millis;
  private lastAckElicitingSent: Millis;
  private pingPending = false;
  private pacerWakeAt: Millis | null = null;
  // closing
  private readonly linger = new Linger();
  private closeReason: CloseReason | null = null;
  /** The peer closed: one CONNECTION_CLOSE goes back (pollTransmit after 'closed'). */
  private answerClose = false;
  private readonly n = new Counters();

  private readonly recovery: Recovery;
  private readonly streams: StreamOps;
  private readonly ackFreq: AckFrequency;

  constructor(opts: ConnectionOptions) {
    const random: RandomSource = opts.random;
    this.userCap = Math.min(opts.maxDatagramSize ?? MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD);
    this.mtu = new MtuDiscovery(Math.min(this.userCap, DEFAULT_PATH_DATAGRAM));
    this.cipher = opts.cipher ?? nobleCipher;
    this.scratch = new Uint8Array(Math.max(this.userCap, this.mtu.current));
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
    this.keepAliveMs = opts.keepAliveMs ?? 5_000;
    this.clock = opts.now;
    this.lastReceived = opts.now;
    this.lastAckElicitingSent = opts.now;
    const timeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    this.hs = new HandshakePhase(opts.role === 'client', opts.code, opts.hashes ?? nobleHashes, random, opts.now, timeoutMs, opts.isFreshHello);
    this.recovery = new Recovery(opts.congestion ?? 'newreno', this.mtu.current, opts.maxSendRate ?? 0);
    this.streams = new StreamOps(opts.role, this.events, this.recovery);
    this.ackFreq = new AckFrequency(this.recovery);
  }

  setPathMtu(maxPayload: number, now: Millis): void {
    this.clock = now;
    this.mtu.setMax(Math.min(this.userCap, maxPayload));
    this.syncDatagramSize();
  }

  /** Congestion control and pacing count in datagrams of the size in use. */
  private syncDatagramSize(): void {
    this.recovery.setDatagramSize(this.mtu.current);
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  // ---------------------------------------------------------------- input

  handleDatagram(buf: Uint8Array, now: Millis): void {
    this.clock = now;
    if (this.state === 'closed') return;
    try {
      this.receive(buf, now);
    } catch (err) {
      this.onReceiveError(err, now);
    }
  }

  private receive(buf: Uint8Array, now: Millis): void {
    let parsed: ReturnType<typeof parseHeader>;
    try {
      parsed = parseHeader(buf);
    } catch {
      this.n.droppedMalformed++;
      return;
    }
    const { header, headerLength } = parsed;
    if (header.form === 'long') this.onLongPacket(buf, header, headerLength, now);
    else this.onShortPacket(buf, header.packetNumber, headerLength, now);
  }

  private onReceiveError(err: unknown, now: Millis): void {
    if (err instanceof StreamError) {
      this.closeReason = { kind: 'protocol_error', errorCode: err.code, reason: err.message };
      this.beginClose(err.code, err.message, now);
    } else if (err instanceof Error && err.name === 'WireError') {
      this.n.droppedMalformed++;
    } else {
      // A bug, not the peer's doing: never let it escape into the socket loop.
      const msg = err instanceof Error ? err.message : String(err);
      this.closeReason = { kind: 'local', errorCode: ERR_INTERNAL, reason: `internal error: ${msg}` };
      this.beginClose(ERR_INTERNAL, 'internal error', now);
    }
  }

  private onLongPacket(buf: Uint8Array, header: LongHeader, headerLength: number, now: Millis): void {
    if (this.state !== 'handshake') {
      if (header.version !== VERSION) this.n.droppedMalformed++;
      return;
    }
    const out = this.hs.onLongPacket(buf, header, headerLength, now);
    if (out.dropped === 'malformed') this.n.droppedMalformed++;
    if (out.dropped === 'unauthenticated') this.n.droppedUnauthenticated++;
    if (out.event) this.events.push(out.event);
    if (out.end) {
      this.terminate(out.end);
      // Last words (a client's ABORT) still leave after the close: pollTransmit hands them out.
      if (out.reply) this.outbox.push(out.reply);
      return;
    }
    if (out.reply) this.outbox.push(out.reply);
    if (out.connected) this.seedRtt(now);
    if (out.established) this.establish(out.established, now);
    if (out.connected) {
      this.state = 'connected';
      // Tell the server at once that we have the keys: its first authenticated packet from us confirms it.
      this.pingPending = true;
      this.events.push({ type: 'connected' });
    }
  }

  /** The handshake as the first RTT sample, when it was unambiguous (HandshakePhase.rttSample). */
  private seedRtt(now: Millis): void {
    const sample = this.hs.rttSample(now);
    if (sample !== null) this.recovery.rtt.update(sample, 0, now);
  }

  private establish(est: Established, now: Millis): void {
    this.keys = est.keys;
    this.lastReceived = now;
    this.recovery.updatePacer(now);
  }

  private onShortPacket(buf: Uint8Array, pn: number, headerLength: number, now: Millis): void {
    const keys = this.keys;
    if (!keys) {
      this.n.droppedUnauthenticated++;
      return;
    }
    if (this.recovery.acks.isDuplicate(pn)) return;
    const payload = this.cipher.open(keys.recv, pn, buf.subarray(0, headerLength), buf.subarray(headerLength));
    if (!payload) {
      this.n.droppedUnauthenticated++;
      return;
    }
    let frames: Frame[];
    try {
      frames = decodeFrames(payload);
    } catch {
      this.n.droppedMalformed++;
      return;
    }
    if (this.state === 'handshake') {
      this.seedRtt(now);
      this.state = 'connected';
      this.hs.deadline = Infinity;
      this.events.push({ type: 'connected' });
    }
    this.lastReceived = now;
    this.n.packetsReceived++;
    this.n.bytesReceived += buf.length;
    let eliciting = false;
    let ping = false;
    for (const f of frames) {
      if (isAckEliciting(f)) eliciting = true;
      if (f.type === 'ping') ping = true;
    }
    // A PING asks for an answer now: it rides on probes and keep-alives, whose sender is
    // waiting on this ACK (see recovery README, "probes are acked at once").
    this.recovery.acks.onPacketReceived(pn, eliciting, now, ping);
    this.ackFreq.onPeerPacket(now);
    for (const f of frames) {
      if (this.state === 'closed') return;
      this.onFrame(f, now);
    }
    if (this.state === 'closing') this.linger.onPacket();
  }

  private onFrame(f: Frame, now: Millis): void {
    switch (f.type) {
      case 'ack':
        this.onAckFrame(f.ranges, f.ackDelayMicros, now);
        return;
      case 'connection_close':
        // Answering a close we did not start lets the peer stop at once: otherwise it lingers
        // three PTOs in case its close was lost (a quarter of a second at 50 ms RTT, the same
        // for every transfer). If the answer is lost, it lingers as before.
        this.answerClose = this.state === 'connected';
        this.terminate(this.closeReason ?? { kind: 'peer', errorCode: f.errorCode, reason: f.reason });
        return;
      case 'ack_frequency':
        this.ackFreq.onPeerRequest(f);
        return;
      case 'padding':
      case 'ping':
      case 'handshake_done':
        return;
      default:
        if (this.state === 'connected') this.streams.onFrame(f, now);
    }
  }

  private onAckFrame(ranges: { start: number; end: number }[], ackDelayMicros: number, now: Millis): void {
    const r = this.recovery.onAck(ranges, ackDelayMicros / 1000, now);
    for (const p of r.newlyAcked) for (const f of p.frames) this.onFrameAcked(f);
    // A late packet declared lost did arrive: what it carried need not be sent again (a probe's
    // size is left to discovery's own bookkeeping, which has moved on since).
    for (const p of r.spurious) for (const f of p.frames) if (f.k !== 'mtu') this.onFrameAcked(f);
    this.onPathSizes(r.newlyAcked, r.lost, now);
    this.onLost(r.lost, now);
    this.streams.afterAcks();
  }

  private onFrameAcked(f: SentFrame): void {
    if (f.k === 'ack') this.recovery.acks.pruneBelow(f.floor);
    else if (f.k === 'afreq') this.ackFreq.onAcked(f.seq);
    else if (f.k === 'mtu') {
      this.mtu.onProbeAcked(f.size);
      this.syncDatagramSize();
    }
    else this.streams.onFrameAcked(f);
  }

  /** What the path carried and lost, for path MTU discovery's black hole watch. */
  private onPathSizes(acked: readonly Sent[], lost: readonly Sent[], now: Millis): void {
    if (this.mtu.onPackets(acked, lost, now, isMtuProbe)) this.syncDatagramSize();
  }

  private onLost(lost: readonly Sent[], now: Millis): void {
    if (lost.length === 0) return;
    for (const p of lost) {
      for (const f of p.frames) {
        if (f.k === 'mtu') this.mtu.onProbeLost(f.size);
        else if (f.k === 'afreq') this.ackFreq.onLost(f.seq);
        else if (f.k !== 'ack') this.streams.onFrameLost(f);
      }
    }
    this.recovery.updatePacer(now);
  }

  // ---------------------------------------------------------------- output

  pollTransmit(now: Millis, holdAcks = false): Uint8Array | null {
    this.clock = now;
    const queued = this.outbox.shift();
    if (queued) {
      this.hs.onDatagramOut(now);
      return this.count(queued);
    }
    switch (this.state) {
      case 'closed':
        if (!this.answerClose) return null;
        this.answerClose = false;
        return this.sealFrames([{ type: 'connection_close', errorCode: 0, reason: '' }]);
      case 'handshake': {
        const hello = this.hs.pollHello(now);
        return hello ? this.count(hello) : null;
      }
      case 'closing': {
        const close = this.linger.take();
        return close ? this.sealFrames([close]) : null;
      }
      case 'connected':
        return this.buildPacket(now, holdAcks);
    }
  }

  private count(d: Uint8Array): Uint8Array {
    this.n.packetsSent++;
    this.n.bytesSent += d.length;
    return d;
  }

  private buildPacket(now: Millis, holdAcks: boolean): Uint8Array | null {
    const rec = this.recovery;
    const probe = rec.probesPending > 0;
    const cwndOk = probe || rec.canSend();
    const ackNow = rec.acks.shouldAckNow(now) || rec.acks.repeatOwed;
    const wantControl = cwndOk && this.streams.control.size > 0;
    let wantData = false;
    let wantRepeat = false;
    this.pacerWakeAt = null;
    const hasWork = this.streams.hasWork();
    if (!hasWork && cwndOk) rec.onAppLimited();
    // Nothing new to send but a stream's tail is unacknowledged on a path that loses packets:
    // the spare window repeats the tail, so a lost last packet costs no timeout (see README).
    const repeat = !hasWork && cwndOk && !probe && (rec.packetsLost > 0 || this.hs.retried) && this.streams.hasRedundant();
    // After two probe timeouts in a row the probes shrink to the base size: if the path's MTU
    // fell, they still arrive, and their ACK lets the black hole watch see it (mtu-discovery.ts).
    const size = probe && rec.backoff.count >= 2 ? this.mtu.baseSize : this.mtu.current;
    if (cwndOk && (hasWork || repeat)) {
      const wait = probe ? 0 : rec.pacer.timeUntilSend(now, size);
      // Sub-timer-resolution waits are rounded: chasing a microsecond deficit only burns wakeups.
      if (wait >= PACER_SLACK_MS) this.pacerWakeAt = now + wait;
      else if (hasWork) wantData = true;
      else wantRepeat = true;
    } else rec.pacer.rest(now); // idle until the next ask: no catch-up owed for it (pacer.ts)
    const wantPing = this.pingPending || (probe && !wantData && !wantControl);
    if ((holdAcks || !ackNow) && !wantControl && !wantData && !wantRepeat && !wantPing) return null;
    // Path MTU probes go out only while there is data to move (a side that only acknowledges
    // never needs a larger datagram), and not inside the first flight: a probe there spoiled
    // the ACK train STARTUP's jump measures (simulated 100 Mbit/s x 200 ms: the jump never
    // came, 86 instead of 90 % of ideal).
    const probeOk = wantData && (!rec.cc.inSlowStart() || rec.tracker.delivered >= MTU_PROBE_AFTER_BYTES);
    const mtuProbe = probeOk ? this.mtu.probeSize(now) : null;
    if (mtuProbe !== null) return this.sendMtuProbe(mtuProbe, now);

    const room = size - shortHeaderSize(this.nextPn) - TAG_LEN;
    // The payload only lives until sealPacket copies it out, so one scratch buffer serves every
    // packet: a fresh one per packet was thousands of short-lived ArrayBuffers a second.
    const w = ByteWriter.over(this.scratch.subarray(0, room));
    const sent: SentFrame[] = [];
    const ack = rec.acks.ackDeadline() !== null || ackNow ? rec.acks.buildAck(now) : null;
    if (ack) {
      const frame: Frame = { type: 'ack', ranges: ack.ranges, ackDelayMicros: ack.ackDelayMicros };
      encodeFrame(w, frame);
      rec.acks.onAckSent(now);
      sent.push({ k: 'ack', floor: ack.ranges[ack.ranges.length - 1]!.start });
    }
    if (wantData) this.ackFreq.write(w, sent, now, size);
    if (wantControl) {
      for (const f of this.streams.control.take((c) => frameSize(c) <= w.remaining - 1)) {
        encodeFrame(w, f);
        sent.push({ k: 'ctl', f });
      }
    }
    // Every probe carries a PING, so that the receiver acks it at once instead of pairing it.
    if (probe || wantPing) encodeFrame(w, { type: 'ping' });
    let streamId: number | null = null;
    if (wantData) streamId = this.streams.fillStreamData(w, sent);
    // A probe carries data where it can (RFC 9002 6.2.4): the ack it draws then also repairs.
    else if (wantRepeat || (probe && !wantControl)) streamId = this.streams.fillRedundant(w, sent, probe);
    const eliciting = sent.some((s) => s.k !== 'ack');
    this.pingPending = false;
    if (w.length === 0) return null;
    const datagram = this.sealWritten(w);
    const ackEliciting = eliciting || wantPing || probe;
    if (!ackEliciting && ack) this.n.ackPacketsSent++;
    if (ackEliciting) {
      if (probe) rec.probesPending--;
      rec.onPacketSent(this.nextPn - 1, now, datagram.length, streamId, sent, streamId !== null);
      this.lastAckElicitingSent = now;
    }
    return datagram;
  }

  /** A PING padded to exactly `size` bytes on the wire (RFC 9000 §14.4). */
  private sendMtuProbe(size: number, now: Millis): Uint8Array {
    const w = ByteWriter.over(this.scratch.subarray(0, size - shortHeaderSize(this.nextPn) - TAG_LEN));
    encodeFrame(w, { type: 'ping' });
    encodeFrame(w, { type: 'padding', length: w.remaining });
    const datagram = this.sealWritten(w);
    this.mtu.onProbeSent(size);
    this.recovery.onPacketSent(this.nextPn - 1, now, datagram.length, null, [{ k: 'mtu', size }], true);
    this.lastAckElicitingSent = now;
    return datagram;
  }

  private sealWritten(w: ByteWriter): Uint8Array {
    const keys = this.keys!;
    const pn = this.nextPn++;
    return this.count(sealShortPacket(keys.send, pn, w.finish(), this.cipher));
  }

  /** Seals a packet of the given frames (used for CONNECTION_CLOSE). */
  private sealFrames(frames: Frame[]): Uint8Array {
    const w = new ByteWriter(this.mtu.current - shortHeaderSize(this.nextPn) - TAG_LEN);
    for (const f of frames) encodeFrame(w, f);
    return this.sealWritten(w);
  }

  // ---------------------------------------------------------------- timers

  pollTimeout(): Millis | null {
    let t = Infinity;
    switch (this.state) {
      case 'closed':
        return null;
      case 'handshake':
        t = this.hs.nextTimeout();
        break;
      case 'closing':
        t = this.linger.deadline();
        break;
      case 'connected': {
        const rec = this.recovery;
        t = Math.min(this.lastReceived + this.idleTimeoutMs, this.lastAckElicitingSent + this.keepAliveMs);
        const ack = rec.acks.ackDeadline();
        if (ack !== null) t = Math.min(t, ack);
        const loss = rec.lossOrPtoDeadline(this.lastAckElicitingSent);
        if (loss !== null) t = Math.min(t, loss);
        if (this.pacerWakeAt !== null) t = Math.min(t, this.pacerWakeAt);
        break;
      }
    }
    return Number.isFinite(t) ? t : null;
  }

  handleTimeout(now: Millis): void {
    this.clock = now;
    try {
      this.onTimeout(now);
    } catch (err) {
      this.onReceiveError(err, now);
    }
  }

  private onTimeout(now: Millis): void {
    if (this.state === 'closing') {
      if (this.linger.onTimeout(now, this.recovery.ptoMs())) this.terminate(this.closeReason!);
      return;
    }
    if (this.state === 'handshake') {
      if (now < this.hs.deadline) return;
      if (this.hs.isClient) {
        const rejected = this.hs.rejectedWith;
        this.terminate(rejected === null ? { kind: 'handshake_timeout' } : { kind: 'handshake_timeout', rejectedWith: rejected });
        return;
      }
      // A hello we answered was never confirmed: the attempt failed (its sender may have
      // learned whether one guess was right), and this connection's share is spent.
      this.events.push({ type: 'auth_failed' });
      this.terminate({ kind: 'handshake_timeout' });
      return;
    }
    if (this.state !== 'connected') return;
    if (now >= this.lastReceived + this.idleTimeoutMs) {
      this.terminate({ kind: 'idle_timeout' });
      return;
    }
    const lost = this.recovery.onTimer(now, this.lastAckElicitingSent);
    this.onPathSizes([], lost, now);
    this.onLost(lost, now);
    this.streams.afterAcks();
    // Compare against the same sum pollTimeout() returned: a difference can round below it.
    if (now >= this.lastAckElicitingSent + this.keepAliveMs) this.pingPending = true;
  }

  // ---------------------------------------------------------------- lifecycle

  close(errorCode: number, reason: string, now: Millis): void {
    this.clock = now;
    if (this.state === 'closing' || this.state === 'closed') return;
    this.closeReason = { kind: 'local', errorCode, reason };
    if (this.state === 'handshake' || !this.keys) {
      this.terminate(this.closeReason);
      return;
    }
    this.beginClose(errorCode, reason, now);
  }

  private beginClose(errorCode: number, reason: string, now: Millis): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (!this.keys || this.state === 'handshake') {
      this.terminate(this.closeReason ?? { kind: 'local', errorCode, reason });
      return;
    }
    this.state = 'closing';
    this.linger.start(errorCode, reason, now, this.recovery.ptoMs());
  }

  private terminate(reason: CloseReason): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    this.outbox.length = 0;
    this.events.push({ type: 'closed', reason });
  }

  pollEvent(): ConnectionEvent | null {
    return this.events.shift();
  }

  // ---------------------------------------------------------------- streams

  openStream(): number | null {
    if (this.state !== 'connected') return null;
    return this.streams.open();
  }

  streamWrite(id: number, data: Uint8Array): number {
    return this.streams.write(id, data);
  }

  streamFinish(id: number): void {
    this.streams.finish(id);
  }

  streamRead(id: number, maxBytes?: number): StreamReadResult | null {
    return this.streams.read(id, maxBytes ?? 1 << 16, this.clock);
  }

  streamReset(id: number, errorCode: number): void {
    this.streams.reset(id, errorCode);
  }

  streamStopSending(id: number, errorCode: number): void {
    this.streams.stopSending(id, errorCode, this.clock);
  }

  stats(): ConnectionStats {
    return connectionStats(this.n, this.recovery.snapshot(), this.mtu.stats());
  }
}
