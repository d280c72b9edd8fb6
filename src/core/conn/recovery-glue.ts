// Ties the recovery pieces together for one connection: sent-packet tracking, RTT, receive-side
// ACK state, the congestion controller, the pacer, and the probe timeout.
import { SentPacketTracker, type SentPacket } from '../recovery/sent-packets.js';
import type { LostRecord } from '../recovery/lost-history.js';
import { RttEstimator } from '../recovery/rtt.js';
import { PtoBackoff, nextRecoveryTimer, ptoDuration } from '../recovery/pto.js';
import { AckTracker } from '../recovery/ack-tracker.js';
import { createController, type CongestionController, type SpuriousLossInfo } from '../congestion/controller.js';
import { CONNECTION_CATCH_UP_MS, CONNECTION_MIN_BURST_MS, Pacer } from '../congestion/pacer.js';
import type { CongestionAlgorithm, Millis } from '../api.js';
import type { SentFrame } from './sent-frame.js';

export type Sent = SentPacket<SentFrame>;

/** A path MTU probe: acked or lost, it says something about size, nothing about congestion. */
export function isMtuProbe(p: Sent): boolean {
  return p.frames.length === 1 && p.frames[0]!.k === 'mtu';
}

export interface RecoverySnapshot {
  rttMs: number;
  minRttMs: number;
  cwndBytes: number;
  bytesInFlight: number;
  pacingRateBytesPerSec: number;
  packetsLost: number;
  retransmittedBytes: number;
  /** Packets declared lost that were acknowledged after all (late, not lost). */
  spuriousLosses: number;
  /** Stream bytes those packets carried: an upper bound of what was resent for nothing. */
  spuriousBytes: number;
  /** Loss detection's current tolerance: packet threshold and time window beyond the RTT. */
  reorderThreshold: number;
  reorderWindowMs: number;
}

export class Recovery {
  readonly tracker = new SentPacketTracker<SentFrame>();
  readonly rtt = new RttEstimator();
  readonly acks = new AckTracker();
  readonly cc: CongestionController;
  readonly pacer: Pacer;
  readonly backoff = new PtoBackoff();
  /** Probe packets owed after a PTO; they may exceed the congestion window. */
  probesPending = 0;
  packetsLost = 0;
  retransmittedBytes = 0;
  spuriousLosses = 0;
  spuriousBytes = 0;

  constructor(algorithm: CongestionAlgorithm, maxDatagram: number, private readonly rateCap: number) {
    this.cc = createController(algorithm, maxDatagram);
    this.pacer = new Pacer(maxDatagram);
  }

  /** The sender had window to spare but nothing to send: rate samples must not shrink the model. */
  onAppLimited(): void {
    this.tracker.onAppLimited();
    this.cc.onAppLimited(this.tracker.bytesInFlight);
  }

  canSend(): boolean {
    return this.cc.canSend(this.tracker.bytesInFlight);
  }

  updatePacer(now: Millis): void {
    let rate = this.cc.pacingRate(this.rtt);
    if (this.rateCap > 0) rate = Math.min(rate, this.rateCap);
    this.pacer.setMinBurstMs(this.cc.inSlowStart() ? 0 : CONNECTION_MIN_BURST_MS);
    this.pacer.setCatchUpMs(this.cc.inSlowStart() ? 0 : CONNECTION_CATCH_UP_MS);
    this.pacer.setRate(rate, now);
  }

  onPacketSent(pn: number, now: Millis, size: number, streamId: number | null, frames: SentFrame[], paced: boolean): void {
    const p: Sent = { pn, timeSent: now, size, ackEliciting: true, inFlight: true, streamId, frames } as Sent;
    this.tracker.onPacketSent(p);
    this.cc.onPacketSent(now, pn, size, this.tracker.bytesInFlight, true);
    if (paced) this.pacer.onSend(now, size);
  }

  onAck(ranges: { start: number; end: number }[], ackDelayMs: number, now: Millis): { newlyAcked: Sent[]; lost: Sent[]; spurious: Sent[] } {
    const r = this.tracker.onAckReceived(ranges, ackDelayMs, now, this.rtt);
    const spurious = this.noteSpurious(r.spurious, now);
    if (r.newlyAcked.length > 0) {
      this.backoff.reset();
      // A packet or an ACK that overtook those sent before it skipped part of the path's delay.
      const inOrder = !r.overtook && this.acks.arrivedInOrder;
      this.cc.onAck(now, r.newlyAcked, this.rtt, this.tracker.bytesInFlight, r.rateSample, inOrder);
    }
    this.noteLost(r.lost, r.persistentCongestion, now);
    if (r.newlyAcked.length > 0) this.updatePacer(now);
    return { newlyAcked: r.newlyAcked, lost: r.lost, spurious };
  }

  /** Late packets that were declared lost: counted apart, and their congestion response undone. */
  private noteSpurious(found: readonly LostRecord<Sent>[], now: Millis): Sent[] {
    if (found.length === 0) return [];
    const packets: Sent[] = [];
    const infos: SpuriousLossInfo[] = [];
    for (const r of found) {
      const p = r.packet;
      packets.push(p);
      if (isMtuProbe(p)) continue;
      infos.push({ ...p, lostAt: r.lostAt });
      this.spuriousLosses++;
      for (const f of p.frames) if (f.k === 'stream') this.spuriousBytes += f.length;
    }
    if (infos.length > 0) {
      this.packetsLost -= infos.length;
      this.cc.onSpuriousLoss(now, infos);
    }
    return packets;
  }

  private noteLost(lost: Sent[], persistentCongestion: boolean, now: Millis): void {
    // RFC 9000 §14.4: a lost path MTU probe was most likely too big, not a sign of congestion.
    const congestive = lost.filter((p) => !isMtuProbe(p));
    if (congestive.length === 0) return;
    this.packetsLost += congestive.length;
    this.cc.onLoss(now, congestive, persistentCongestion, this.tracker.bytesInFlight);
  }

  /** Path MTU discovery changed the datagram size: windows and bursts count in it. */
  setDatagramSize(size: number): void {
    this.cc.setDatagramSize(size);
    this.pacer.setDatagramSize(size);
  }

  ptoMs(): number {
    return ptoDuration(this.rtt, this.backoff.count);
  }

  lossOrPtoDeadline(lastAckElicitingSent: Millis): Millis | null {
    const pto = this.backoff.deadline(lastAckElicitingSent, this.tracker.ackElicitingInFlight, this.rtt);
    return nextRecoveryTimer(this.tracker.lossTime(), pto)?.at ?? null;
  }

  /** Runs the loss or PTO timer if due; returns packets newly declared lost. */
  onTimer(now: Millis, lastAckElicitingSent: Millis): Sent[] {
    const lt = this.tracker.lossTime();
    if (lt !== null) {
      if (now < lt) return [];
      const { lost, persistentCongestion } = this.tracker.detectLossesWithInfo(now, this.rtt);
      this.noteLost(lost, persistentCongestion, now);
      return lost;
    }
    const pto = this.backoff.deadline(lastAckElicitingSent, this.tracker.ackElicitingInFlight, this.rtt);
    if (pto === null || now < pto) return [];
    this.backoff.onPtoFired();
    this.probesPending = 2;
    return [];
  }

  snapshot(): RecoverySnapshot {
    return {
      rttMs: this.rtt.smoothed,
      minRttMs: this.rtt.hasSample ? this.rtt.min : 0,
      cwndBytes: this.cc.window(),
      bytesInFlight: this.tracker.bytesInFlight,
      pacingRateBytesPerSec: this.pacer ? this.cc.pacingRate(this.rtt) : 0,
      packetsLost: this.packetsLost,
      retransmittedBytes: this.retransmittedBytes,
      spuriousLosses: this.spuriousLosses,
      spuriousBytes: this.spuriousBytes,
      reorderThreshold: this.tracker.reorder.packetThreshold,
      reorderWindowMs: this.tracker.reorder.windowMs(this.rtt),
    };
  }
}
