// PROBE_BW's gain cycle (bbr.ts): one phase per min RTT of 1.25 (probe), 0.75 (drain the
// probe's queue) and six at 1 (cruise).
import { MAX_DRAIN_RTTS, PROBE_BW_GAINS } from './bbr-constants.js';

/** What a phase needs to know of the model to decide whether it is over. */
export interface CycleView {
  minRttMs: number;
  /** A queue stood all last round. */
  standingQueue: boolean;
  /** Bytes in flight before this ACK. */
  priorInflight: number;
  window: number;
  /** Estimated BDP in bytes (send rate x min RTT). */
  bdp: number;
  mds: number;
}

export class ProbeBwCycle {
  private index = 0;
  private stamp = 0;
  private lost = false;

  get gain(): number {
    return PROBE_BW_GAINS[this.index]!;
  }

  /** A probe that met loss or congestion is over. */
  onLoss(): void {
    if (this.gain > 1) this.lost = true;
  }

  /**
   * Starts anywhere but in the drain phase, so that flows starting together do not probe in
   * lockstep. The core has no randomness source here; a hash of the clock and the byte count
   * differs between flows, which is all this needs.
   */
  enter(now: number, delivered: number): void {
    const pick = mix(now, delivered) % (PROBE_BW_GAINS.length - 1);
    this.set(pick === 1 ? PROBE_BW_GAINS.length - 1 : pick, now);
  }

  update(now: number, v: CycleView): void {
    const gain = this.gain;
    const fullLength = now - this.stamp > v.minRttMs;
    let advance: boolean;
    if (gain > 1) {
      // Probe until the extra inflight is really out there, or loss or the window ends it.
      advance = fullLength && (this.lost || v.priorInflight >= gain * v.bdp || v.priorInflight + v.mds >= v.window);
    } else if (gain < 1) {
      // Drain until the queue is gone; a queue that stood all last round (the bottleneck got
      // slower, or our estimate is stale) keeps draining for up to MAX_DRAIN_RTTS min RTTs.
      const longest = v.standingQueue ? MAX_DRAIN_RTTS * v.minRttMs : v.minRttMs;
      advance = now - this.stamp > longest || v.priorInflight <= v.bdp;
    } else {
      advance = fullLength;
    }
    if (advance) this.set((this.index + 1) % PROBE_BW_GAINS.length, now);
  }

  private set(index: number, now: number): void {
    this.index = index;
    this.stamp = now;
    this.lost = false;
  }
}

/** Scrambles two numbers into 32 bits (multiply-xorshift); only has to differ between flows. */
function mix(a: number, b: number): number {
  let h = (Math.floor(a * 1000) ^ Math.imul(b | 0, 0x2c1b3c6d)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x297a2d39) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x5bd1e995) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}
