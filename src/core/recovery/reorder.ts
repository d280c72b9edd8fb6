// How much reordering loss detection tolerates, learned from the path (RFC 8985 RACK, as RFC
// 9002 §6.1 allows). A packet is lost once a later-sent packet is acknowledged and either
// `packetThreshold` later packets are, or it has gone unacknowledged for the RTT plus
// `windowMs(rtt)`. On a path that never reorders both stay at RFC 9002's values (3 packets, an
// eighth of the RTT), so random loss is found as fast as before; jitter, bonded links and
// multipath reorder by many packets and milliseconds, and treating each late packet as lost
// resends most of a file and backs off for nothing.
//
// Both grow from evidence: a packet acknowledged after a later-sent one was (reordering seen,
// its distance in packets and in time), and a packet declared lost whose original turns up
// acknowledged after all (a spurious loss). Both decay once loss episodes keep being real, so
// a window learned on a jittery stretch does not slow loss recovery for good.
import type { RttEstimator } from './rtt.js';

/** RFC 9002 kPacketThreshold: where the packet threshold starts and decays back to. */
export const PACKET_THRESHOLD = 3;
/** RFC 9002 kTimeThreshold = 1 + this: the window before any reordering is seen. */
export const BASE_WINDOW_FRACTION = 1 / 8;
/** RFC 8985: once reordering is seen, the window grows in steps of a quarter of the min RTT ... */
export const WINDOW_STEP_FRACTION = 1 / 4;
/** ... and never beyond the smoothed RTT (RFC 8985 §6.2). */
export const MAX_WINDOW_STEPS = 4;
/**
 * Upper bound of the packet threshold. Past it the time rule finds loss anyway; a threshold
 * this high needs a reordering of ~10 ms at 1 Gbit/s.
 */
export const MAX_PACKET_THRESHOLD = 1000;
/**
 * A packet (or ACK) counts as arriving in order only after this many packets sent before it:
 * with one, two that both skip a path's delay (one in 2,500 at 2 %) would pass for in order;
 * with three, 4 in a row must (one in 6 million). Random loss of one of them costs only a sample.
 */
export const IN_ORDER_PREDECESSORS = 3;
/** Loss episodes in a row with nothing spurious before the tolerance steps down (RFC 8985: 16). */
export const DECAY_EPISODES = 16;

export class ReorderTolerance {
  private threshold = PACKET_THRESHOLD;
  private steps = 0;
  /** A spurious loss stepped the window up this recently; at most once per RTT. */
  private lastStepAt = -Infinity;
  private lastEpisodeAt = -Infinity;
  private cleanEpisodes = 0;
  /** A late packet's extra time beyond the RTT of the packets around it (ms). */
  private observedMs = 0;
  reorderingSeen = false;

  /** Packets acknowledged after a later one: a packet this many behind the largest acked is lost. */
  get packetThreshold(): number {
    return this.threshold;
  }

  /** Extra time beyond max(smoothed, latest) RTT before an unacknowledged packet is lost (ms). */
  windowMs(rtt: RttEstimator): number {
    const rttRef = Math.max(rtt.latest, rtt.smoothed);
    const base = BASE_WINDOW_FRACTION * rttRef;
    if (this.steps === 0) return base;
    const learned = Math.max(this.steps * WINDOW_STEP_FRACTION * rtt.min, this.observedMs);
    return Math.max(base, Math.min(learned, rtt.smoothed));
  }

  /**
   * A packet `distance` packet numbers below the largest previously acknowledged one was just
   * acknowledged, `lateMs` later than the RTT would have it (≥ 0). Its loss would have been
   * spurious at this threshold or window, so both must cover it.
   */
  onReordering(distance: number, lateMs: number, rtt: RttEstimator): void {
    this.reorderingSeen = true;
    this.cover(distance, lateMs, rtt);
    // Reordering seen: the window is at least one step (RFC 8985 §6.2).
    this.steps = Math.max(this.steps, 1);
  }

  /**
   * A packet declared lost was acknowledged after all: `distance` as in onReordering. Whichever
   * rule declared it was too tight. A packet threshold that was too small doubles past the
   * distance (the distance in packets grows with the send rate, which STARTUP doubles every
   * round); a time window that was too small takes a step up, at most once per RTT: one late
   * burst is one lesson (RFC 8985 §6.2).
   */
  onSpuriousLoss(distance: number, lateMs: number, byTime: boolean, now: number, rtt: RttEstimator): void {
    this.reorderingSeen = true;
    this.cleanEpisodes = 0;
    this.cover(distance, lateMs, rtt);
    if (!byTime) {
      this.threshold = Math.min(MAX_PACKET_THRESHOLD, Math.max(this.threshold, 2 * distance));
      this.steps = Math.max(this.steps, 1);
      return;
    }
    if (now - this.lastStepAt < rtt.smoothed) return;
    this.lastStepAt = now;
    this.steps = Math.min(MAX_WINDOW_STEPS, this.steps + 1);
  }

  /** Loss was declared at `now`; episodes closer than an RTT apart are one. */
  onLossDetected(now: number, rtt: RttEstimator): void {
    if (now - this.lastEpisodeAt < rtt.smoothed) return;
    this.lastEpisodeAt = now;
    if (++this.cleanEpisodes < DECAY_EPISODES) return;
    this.cleanEpisodes = 0;
    this.steps = Math.max(0, this.steps - 1);
    this.observedMs /= 2;
    this.threshold = Math.max(PACKET_THRESHOLD, Math.floor(this.threshold / 2));
  }

  private cover(distance: number, lateMs: number, rtt: RttEstimator): void {
    // The packet threshold follows the largest distance seen at once: it costs nothing on a
    // path without loss, and too small a one makes every late packet a retransmission.
    this.threshold = Math.min(MAX_PACKET_THRESHOLD, Math.max(this.threshold, distance + 1));
    // A quarter more than the lateness seen, so the next packet as late is not lost.
    this.observedMs = Math.min(rtt.smoothed, Math.max(this.observedMs, 1.25 * lateMs));
  }
}
