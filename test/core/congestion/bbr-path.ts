// A packet-level path for driving a congestion controller directly, without a Connection:
// a sender that always has data, the real SentPacketTracker (loss detection, delivery-rate
// samples), RttEstimator and Pacer, and a bottleneck with rate, drop-tail queue, propagation
// delay, seeded random loss and packets that skip the delay. Every packet is acknowledged on its
// own the moment it arrives.
// Virtual time; deterministic per seed.
import { SentPacketTracker } from '../../../src/core/recovery/sent-packets.js';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';
import { Pacer } from '../../../src/core/congestion/pacer.js';
import type { CongestionController } from '../../../src/core/congestion/controller.js';

export const MDS = 1400;

export interface PathConfig {
  rateMbps: number;
  /** Round-trip propagation delay in ms. */
  rttMs: number;
  lossPct?: number;
  /** Drop-tail queue in bytes (default: one BDP). */
  queueBytes?: number;
  seed?: number;
  /**
   * Percent of packets that skip the propagation delay both ways (their ACK too), as linkem's
   * `--reorder`: they overtake what is on the way and read an RTT of little more than the queue.
   */
  skipPct?: number;
  /** Hand the controller no in-order mark (as before it had one): every sample counts as in order. */
  ignoreOrder?: boolean;
}

interface Ack {
  at: number;
  pn: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Path {
  now = 0;
  readonly tracker = new SentPacketTracker<null>();
  readonly rtt = new RttEstimator();
  readonly pacer = new Pacer(MDS);
  /** Bytes that reached the receiver (each packet counted once; no retransmissions here). */
  deliveredBytes = 0;
  sentPackets = 0;
  randomDrops = 0;
  queueDrops = 0;
  /** Queueing delay (ms) each arriving packet met at the bottleneck. */
  readonly queueDelays: { at: number; ms: number }[] = [];
  /** Called after every ACK, e.g. to record the controller's state. */
  onAck: (p: Path) => void = () => {};
  /** When set, the sender only sends while this returns true (app-limited phases). */
  hasData: (now: number) => boolean = () => true;
  /**
   * When set, the sending host manages at most this many Mbit/s whatever the pacer allows (a
   * busy CPU): it is neither app- nor window-limited, so nothing tells the controller.
   */
  hostMbps: ((now: number) => number) | null = null;
  private hostFreeAt = 0;
  private readonly acks: Ack[] = [];
  private ackHead = 0;
  private busyUntil = 0;
  private pn = 0;
  private readonly rand: () => number;
  private bytesPerMs: number;

  constructor(
    readonly cc: CongestionController,
    readonly cfg: PathConfig,
  ) {
    this.rand = prng(cfg.seed ?? 1);
    this.bytesPerMs = (cfg.rateMbps * 1e6) / 8 / 1000;
    this.pacer.setRate(cc.pacingRate(this.rtt), 0);
  }

  get bdpBytes(): number {
    return this.bytesPerMs * this.cfg.rttMs;
  }

  /** Changes the bottleneck rate from now on. */
  setRate(rateMbps: number): void {
    this.bytesPerMs = (rateMbps * 1e6) / 8 / 1000;
  }

  /** Runs until `until` (virtual ms). */
  run(until: number): void {
    while (this.now < until) {
      const next = Math.min(this.nextAckAt(), this.nextSendAt(), this.lossTimerAt(), until);
      this.now = Math.max(this.now, next);
      this.deliverAcks();
      this.runLossTimer();
      this.sendWhatWeMay();
    }
  }

  private nextAckAt(): number {
    return this.ackHead < this.acks.length ? this.acks[this.ackHead]!.at : Infinity;
  }

  private lossTimerAt(): number {
    return this.tracker.lossTime() ?? Infinity;
  }

  private nextSendAt(): number {
    if (!this.hasData(this.now)) return this.now + 1;
    if (!this.cc.canSend(this.tracker.bytesInFlight)) return Infinity;
    return Math.max(this.hostFreeAt, this.now + this.pacer.timeUntilSend(this.now, MDS));
  }

  private sendWhatWeMay(): void {
    for (;;) {
      if (!this.hasData(this.now)) {
        if (this.cc.canSend(this.tracker.bytesInFlight)) {
          this.tracker.onAppLimited();
          this.cc.onAppLimited(this.tracker.bytesInFlight);
        }
        return;
      }
      if (!this.cc.canSend(this.tracker.bytesInFlight)) return;
      if (this.pacer.timeUntilSend(this.now, MDS) > 0 || this.now < this.hostFreeAt) return;
      this.send();
    }
  }

  private send(): void {
    const pn = this.pn++;
    this.tracker.onPacketSent({ pn, timeSent: this.now, size: MDS, ackEliciting: true, inFlight: true, streamId: null, frames: [] });
    this.cc.onPacketSent(this.now, pn, MDS, this.tracker.bytesInFlight, true);
    this.pacer.onSend(this.now, MDS);
    this.sentPackets++;
    const host = this.hostMbps?.(this.now);
    if (host !== undefined) this.hostFreeAt = this.now + (MDS * 8) / (host * 1000);
    if (this.rand() * 100 < (this.cfg.lossPct ?? 0)) {
      this.randomDrops++;
      return;
    }
    const backlog = Math.max(0, this.busyUntil - this.now) * this.bytesPerMs;
    if (backlog + MDS > (this.cfg.queueBytes ?? this.bdpBytes)) {
      this.queueDrops++;
      return;
    }
    const start = Math.max(this.now, this.busyUntil);
    this.busyUntil = start + MDS / this.bytesPerMs;
    // Drawn only when asked for, so that the other tests' loss draws stay as they were.
    const skip = this.cfg.skipPct !== undefined && this.rand() * 100 < this.cfg.skipPct;
    const oneWay = skip ? 0 : this.cfg.rttMs / 2;
    const arrive = this.busyUntil + oneWay;
    this.queueDelays.push({ at: arrive, ms: start - this.now });
    this.queueAck({ at: arrive + oneWay, pn });
  }

  /** ACKs stay sorted by arrival: one that skipped the delay goes ahead of those on the way. */
  private queueAck(a: Ack): void {
    let i = this.acks.length;
    while (i > this.ackHead && this.acks[i - 1]!.at > a.at) i--;
    this.acks.splice(i, 0, a);
  }

  private deliverAcks(): void {
    while (this.ackHead < this.acks.length && this.acks[this.ackHead]!.at <= this.now) {
      const { pn } = this.acks[this.ackHead++]!;
      this.deliveredBytes += MDS;
      const r = this.tracker.onAckReceived([{ start: pn, end: pn }], 0, this.now, this.rtt);
      const inOrder = this.cfg.ignoreOrder ? undefined : !r.overtook;
      if (r.newlyAcked.length > 0) this.cc.onAck(this.now, r.newlyAcked, this.rtt, this.tracker.bytesInFlight, r.rateSample, inOrder);
      if (r.lost.length > 0) this.cc.onLoss(this.now, r.lost, r.persistentCongestion, this.tracker.bytesInFlight);
      this.pacer.setRate(this.cc.pacingRate(this.rtt), this.now);
      this.onAck(this);
    }
    if (this.ackHead > 4096) {
      this.acks.splice(0, this.ackHead);
      this.ackHead = 0;
    }
  }

  private runLossTimer(): void {
    const t = this.tracker.lossTime();
    if (t === null || t > this.now) return;
    const { lost, persistentCongestion } = this.tracker.detectLossesWithInfo(this.now, this.rtt);
    if (lost.length > 0) {
      this.cc.onLoss(this.now, lost, persistentCongestion, this.tracker.bytesInFlight);
      this.pacer.setRate(this.cc.pacingRate(this.rtt), this.now);
    }
  }

  /** Mean queueing delay (ms) of packets arriving in [from, to). */
  meanQueueDelay(from: number, to: number): number {
    let sum = 0;
    let n = 0;
    for (const q of this.queueDelays) {
      if (q.at >= from && q.at < to) {
        sum += q.ms;
        n++;
      }
    }
    return n === 0 ? 0 : sum / n;
  }
}
