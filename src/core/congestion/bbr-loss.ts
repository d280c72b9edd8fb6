// Loss bookkeeping for the BBR controller: what share of packets the path drops regardless of
// how fast we send (the "background" loss), and whether a round's loss is above it.
//
// The background rate is learned only from packets that cannot have met a full queue:
//  - sent while our pacing gain was below 1 (DRAIN, the 0.75 phase of PROBE_BW, PROBE_RTT) or
//    in STARTUP rounds that still grew the bandwidth estimate (the pipe was not full yet), and
//  - acknowledged in a round whose largest RTT sample shows no queue to speak of.
// Drops of such packets are not our doing, so they must not slow us down; instead the
// controller sends bw / (1 - rate) so that the rate that survives the loss still fills the
// bottleneck. Drops in probing phases or at a standing queue are never learned from, which keeps
// self-inflicted overflow (on a shallow buffer) from being mistaken for background loss and
// feeding itself: in a low-gain phase the bottleneck queue shrinks, so nothing overflows.

import { FULL_BW_GROWTH, HOST_LIMITED_DELIVERED } from './bbr-constants.js';

/** The compensation 1 / (1 - rate) stops here: beyond ~30 % loss a link is too broken to trust. */
export const MAX_BACKGROUND_LOSS = 0.3;
/** Memory of the estimator, in packets' worth of bytes: ~1000 samples keep the noise near 1 %. */
export const LOSS_HORIZON_PACKETS = 1000;
/**
 * Pseudo-count of delivered packets, fading out as real samples fill the horizon: a handful of
 * early losses must not read as a high rate. It has to outweigh one unlucky round: on a 10
 * Mbit/s x 10 ms path a round has ~6 learnable packets, and with a prior of 10 one round with 3
 * of them lost read as 15 % background at 5 % real loss. An estimate that high paces above the
 * bottleneck, so the queue never empties, no round is clean enough to learn from again and the
 * error locks in (until PROBE_RTT, 10 s later). Fading keeps the long-run estimate unbiased.
 */
export const LOSS_PRIOR_PACKETS = 100;
/** A round counts as queue-free when its largest RTT is within this factor of min RTT ... */
export const CLEAN_RTT_FACTOR = 1.25;
/** ... plus this slack for ack delay and timer noise (ms). */
export const CLEAN_RTT_SLACK_MS = 2;

export class BackgroundLoss {
  private lost = 0;
  private total = 0;

  /** Datagram size in use (path MTU discovery may change it). */
  constructor(public mds: number) {}

  /** Adds bytes lost / delivered that passed the filters above. */
  add(lostBytes: number, deliveredBytes: number): void {
    this.lost += lostBytes;
    this.total += lostBytes + deliveredBytes;
    const horizon = LOSS_HORIZON_PACKETS * this.mds;
    if (this.total > horizon) {
      // Exponential forgetting measured in bytes, not time: slow paths keep a long memory.
      const k = horizon / this.total;
      this.lost *= k;
      this.total = horizon;
    }
  }

  /** Bytes counted lost were delivered after all (a spurious loss): they count as delivered. */
  forgive(bytes: number): void {
    this.lost = Math.max(0, this.lost - bytes);
  }

  /** Forgets this share of the loss learned so far (the estimate drops by it). */
  doubt(share: number): void {
    this.lost *= 1 - share;
  }

  /** Estimated fraction of sent bytes the path drops at random, in [0, MAX_BACKGROUND_LOSS]. */
  get rate(): number {
    const horizon = LOSS_HORIZON_PACKETS * this.mds;
    const prior = LOSS_PRIOR_PACKETS * this.mds * Math.max(0, 1 - this.total / horizon);
    const p = this.lost / (this.total + prior);
    return Math.min(MAX_BACKGROUND_LOSS, Math.max(0, p));
  }
}

/**
 * Send-time intervals whose packets may teach the background rate (pacing gain below 1, or a
 * STARTUP round still growing); kept for a few rounds.
 */
export class LearnLog {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private open = false;

  /** Call whenever the gain may have changed. */
  set(now: number, learnable: boolean): void {
    if (learnable === this.open) return;
    this.open = learnable;
    if (learnable) {
      this.starts.push(now);
      this.ends.push(Infinity);
      // Packets are acked or lost within a few rounds; older intervals can never match again.
      if (this.starts.length > 8) {
        this.starts.shift();
        this.ends.shift();
      }
    } else {
      this.ends[this.ends.length - 1] = now;
    }
  }

  contains(timeSent: number): boolean {
    for (let i = this.starts.length - 1; i >= 0; i--) {
      if (timeSent >= this.starts[i]! && timeSent < this.ends[i]!) return true;
      if (timeSent >= this.ends[i]!) return false;
    }
    return false;
  }
}

/**
 * The two loss estimates of the BBR controller. `judged` learns from every learnable packet,
 * STARTUP's included, and decides which loss is congestion; `compensated` learns only outside
 * STARTUP, may be doubted, and the send rate divides by the smaller of the two. STARTUP's rounds
 * can look queue-free against a min RTT inflated by another flow's queue while they overflow it;
 * compensating for that "loss" once sent 1.43 x the link (README: p_c).
 */
export class LossModel {
  readonly judged: BackgroundLoss;
  readonly compensated: BackgroundLoss;
  private readonly learn = new LearnLog();
  private readonly cruiseLearn = new LearnLog();

  constructor(mds: number) {
    this.judged = new BackgroundLoss(mds);
    this.compensated = new BackgroundLoss(mds);
    this.setLearnable(0, true, true);
  }

  setDatagramSize(size: number): void {
    this.judged.mds = size;
    this.compensated.mds = size;
  }

  /** The share of sent bytes the send rate makes up for. */
  get compensation(): number {
    return Math.min(this.judged.rate, this.compensated.rate);
  }

  /** Call whenever the gain or the state may have changed. */
  setLearnable(now: number, learnable: boolean, inStartup: boolean): void {
    this.learn.set(now, learnable);
    this.cruiseLearn.set(now, learnable && !inStartup);
  }

  /** Counts an acknowledged (lost = false) or lost packet into the round's learnable bytes. */
  count(rs: RoundStats, timeSent: number, size: number, lost: boolean): void {
    if (this.learn.contains(timeSent)) {
      if (lost) rs.learnLost += size;
      else rs.learnDelivered += size;
    }
    if (this.cruiseLearn.contains(timeSent)) {
      if (lost) rs.cruiseLost += size;
      else rs.cruiseDelivered += size;
    }
  }

  /**
   * A packet counted lost was delivered (a spurious loss). `rs` is the round it was counted in
   * while that round is still open; null once the round has been learned from.
   */
  uncount(rs: RoundStats | null, timeSent: number, size: number): void {
    const learnable = this.learn.contains(timeSent);
    const cruise = this.cruiseLearn.contains(timeSent);
    if (rs === null) {
      if (learnable) this.judged.forgive(size);
      if (cruise) this.compensated.forgive(size);
      return;
    }
    if (learnable) {
      rs.learnLost = Math.max(0, rs.learnLost - size);
      rs.learnDelivered += size;
    }
    if (cruise) {
      rs.cruiseLost = Math.max(0, rs.cruiseLost - size);
      rs.cruiseDelivered += size;
    }
  }

  /** Learns from a round that ended queue-free. */
  learnFrom(rs: RoundStats): void {
    if (rs.learnLost + rs.learnDelivered > 0) this.judged.add(rs.learnLost, rs.learnDelivered);
    if (rs.cruiseLost + rs.cruiseDelivered > 0) this.compensated.add(rs.cruiseLost, rs.cruiseDelivered);
  }
}

/** Per-round counters, reset at every round start. */
export class RoundStats {
  lostBytes = 0;
  lostPackets = 0;
  /** Runs of consecutive lost packet numbers: a burst of loss is one event. */
  lostEvents = 0;
  deliveredBytes = 0;
  deliveredPackets = 0;
  /** Lost / delivered bytes of packets eligible for the background estimate. */
  learnLost = 0;
  learnDelivered = 0;
  /** The same, for packets sent outside STARTUP. */
  cruiseLost = 0;
  cruiseDelivered = 0;
  minRtt = Infinity;
  maxRtt = 0;
  maxInflight = 0;
  /** Bytes we sent during the round, and whether the window stopped us at some point. */
  sentBytes = 0;
  windowLimited = false;
  /** Largest delivery-rate sample of the round (bytes/s). */
  maxRate = 0;
  /** The round produced a sample the bandwidth filter took. */
  sampled = false;
  /** Some sample of the round was taken while the application limited the sender. */
  appLimited = false;

  /** A packet counted lost in this round was delivered after all. */
  unlose(size: number): void {
    this.lostBytes = Math.max(0, this.lostBytes - size);
    this.lostPackets = Math.max(0, this.lostPackets - 1);
    // A run of lost packets that loses a member may split or shrink; never more runs than packets.
    this.lostEvents = Math.min(this.lostEvents, this.lostPackets);
    this.deliveredBytes += size;
    this.deliveredPackets++;
  }

  clone(): RoundStats {
    return Object.assign(new RoundStats(), this);
  }

  reset(): void {
    this.maxRate = 0;
    this.sampled = false;
    this.appLimited = false;
    this.lostBytes = 0;
    this.lostPackets = 0;
    this.lostEvents = 0;
    this.deliveredBytes = 0;
    this.deliveredPackets = 0;
    this.learnLost = 0;
    this.learnDelivered = 0;
    this.cruiseLost = 0;
    this.cruiseDelivered = 0;
    this.minRtt = Infinity;
    this.maxRtt = 0;
    this.maxInflight = 0;
    this.sentBytes = 0;
    this.windowLimited = false;
  }

  /** No queue worth the name during the round (relative to the path's min RTT). */
  isClean(minRtt: number): boolean {
    return this.maxRtt <= minRtt * CLEAN_RTT_FACTOR + CLEAN_RTT_SLACK_MS;
  }

  /** A queue that never drained during the round: someone keeps the bottleneck full. */
  hasStandingQueue(minRtt: number): boolean {
    return this.minRtt > minRtt * CLEAN_RTT_FACTOR + CLEAN_RTT_SLACK_MS && Number.isFinite(this.minRtt);
  }
}

/** Loss share above background that counts as congestion when a queue was present. */
export const QUEUE_EXCESS_LOSS = 0.005;
/** Loss share above background that counts as congestion even with no visible queue (shallow buffers). */
export const NO_QUEUE_EXCESS_LOSS = 0.15;

/**
 * True when a round's losses say "congestion": clearly above what background loss explains
 * (a ~2 sigma binomial margin plus 2 packets, so tiny rounds never trigger on noise), and either
 * a queue was present or the excess is large. The margin counts loss events (runs of
 * consecutive packets), not packets: the binomial assumes independent losses, and a link that
 * loses in bursts (radio fades; linkem's --ge 1,25 loses runs of ~4) would otherwise read as
 * congested whenever one burst fills a small round. Simulated 10 Mbit/s x 10 ms with such
 * bursts: 26 cuts and 2 restarts in 12 s when counting packets. A paced sender overflowing a
 * queue loses packets spread over the round, i.e. many events, so congestion still shows.
 */
export function isCongestedRound(r: RoundStats, background: number, minRtt: number): boolean {
  const n = r.lostPackets + r.deliveredPackets;
  if (n === 0 || r.lostPackets === 0) return false;
  const expected = n * background;
  if (r.lostEvents < expected + 3 + 3 * Math.sqrt(expected)) return false;
  const excess = r.lostBytes / (r.lostBytes + r.deliveredBytes) - background;
  const queued = !r.isClean(minRtt);
  return excess > (queued ? QUEUE_EXCESS_LOSS : NO_QUEUE_EXCESS_LOSS);
}

/**
 * The round could not have shown the estimate growing 25 %: we sent less than 1.25 x the rate
 * the path already delivers (loss-compensated), though neither the window nor the application
 * held us back. The pacer allowed 2.885 x; the host did not keep up (a process in its first
 * second, timers firing late on a busy or stolen CPU). Its flat estimate is ours, not the path's.
 * `sentRate` (this round) and `lastRoundSendRate` (the one before) are bytes per ms of `ms`;
 * `sendRate` is the model's loss-compensated rate, bytes per second.
 */
export function wasHostLimited(rs: RoundStats, ms: number, sentRate: number, lastRoundSendRate: number, judgedLoss: number, sendRate: number): boolean {
  if (rs.windowLimited || rs.appLimited) return false;
  // A path that delivered clearly less than we sent (a round earlier: those are the packets
  // this round's ACKs cover) is full, however little we sent: a host 1.05-1.2 x as fast as
  // the bottleneck builds a queue that must still end STARTUP.
  if (rs.deliveredBytes / ms < HOST_LIMITED_DELIVERED * lastRoundSendRate * (1 - judgedLoss)) return false;
  return sentRate * 1000 < FULL_BW_GROWTH * sendRate;
}
