// Holding a fair share next to loss-based TCP (CUBIC, NewReno). Those flows grow until the
// bottleneck's buffer overflows; in a deep buffer their queue stands for seconds, RTT samples
// carry it, the model's window (2 x bandwidth x min RTT) covers less and less of the real RTT,
// and the standing-queue cut (bbr.ts) yields on top: xfer spirals down to a few % of the link.
//
// The sign of such a competitor is a queue model-based flows cannot hold: their windows add up
// to 2 x the pipe, so together they queue at most a min RTT (plus headroom), and the 0.75 phases
// and standing-queue cuts drain it. A round whose *smallest* RTT is above ENTER_QUEUE x the base
// RTT, for ENTER_ROUNDS PROBE_BW rounds in a row, is someone else's buffer-filling: the window
// becomes an AIMD window that plays the loss-based flows' game (as Copa's competitive mode). A
// round whose queue falls under EXIT_QUEUE x base (the competitor left or backed off; the
// model's PROBE_RTT drains our own part every 10 s) switches back.
import type { RoundStats } from './bbr-loss.js';

/** Queue floor (x base RTT) that model-based flows cannot hold among themselves. */
export const COMPETE_ENTER_QUEUE = 1.5;
/** Rounds in a row: more than a gain cycle, so our own 0.75 phase has had its chance. */
export const COMPETE_ENTER_ROUNDS = 10;
/**
 * Queue floor (x base RTT, plus 2 ms) under which the competitor is gone: the clean-round test of
 * bbr-loss.ts. Our own part drains in the model's PROBE_RTT; a loss-based flow's does not.
 */
export const COMPETE_EXIT_QUEUE = 0.25;
export const COMPETE_EXIT_SLACK_MS = 2;
/** Reno's increase and decrease: next to Reno, the same rules keep the same split. */
export const COMPETE_ALPHA = 1;
export const COMPETE_BETA = 0.5;
/**
 * Until the first congested round after the switch the window grows this much per round: the
 * competitor's slow start may hold most of a deep buffer, and only an overflow makes it give
 * some back.
 */
export const COMPETE_SEARCH_GROWTH = 1.25;
/** Pacing over the AIMD window per RTT: a little faster, so the window is the limit. */
export const COMPETE_PACING_GAIN = 1.25;
/**
 * The base RTT: the smallest RTT seen, kept this long without a sample near it. Longer than the
 * model's 10 s min RTT on purpose: a PROBE_RTT next to a loss-based flow measures its queue.
 */
export const BASE_RTT_WINDOW_MS = 60_000;

/** What the model tells the AIMD window at the end of each round. */
export interface CompeteRound {
  /** In PROBE_BW (STARTUP and DRAIN queue on their own; PROBE_RTT drains ours). */
  probing: boolean;
  /** The round's loss was congestion (bbr-loss.ts isCongestedRound). */
  congested: boolean;
  /** The model's window: the AIMD window's start. */
  window: number;
  mds: number;
  now: number;
}

export class Compete {
  private active = false;
  private wnd = 0;
  private deep = 0;
  private searching = false;
  private baseRttMs = Infinity;
  /** First search round's inflight and smallest RTT: the slope to the latest one is the link rate. */
  private searchFrom: { inflight: number; rtt: number } | null = null;
  /** Bytes per ms: how much our added inflight raised the queue while searching (0: unknown). */
  private linkRate = 0;
  private baseStamp = 0;
  /** The last round's RTT, midway between its smallest and largest sample. */
  private rttMs = 0;

  get isActive(): boolean {
    return this.active;
  }

  /** The AIMD window while active (bytes). */
  get window(): number {
    return this.wnd;
  }

  /** Pacing rate (bytes/s) that lets the AIMD window out over the last round's RTT. */
  pacingRate(): number {
    return (COMPETE_PACING_GAIN * this.wnd * 1000) / Math.max(this.rttMs, 1);
  }

  /** The base RTT follows the rounds' smallest samples (those bbr.ts trusts). */
  private updateBase(now: number, rttMs: number): void {
    if (rttMs < this.baseRttMs || now - this.baseStamp > BASE_RTT_WINDOW_MS) {
      this.baseRttMs = rttMs;
      this.baseStamp = now;
    } else if (rttMs <= this.baseRttMs * 1.02 + 0.25) {
      this.baseStamp = now;
    }
  }

  /** Closes a round (see CompeteRound). */
  onRound(rs: RoundStats, r: CompeteRound): void {
    if (!Number.isFinite(rs.minRtt) || !(rs.minRtt >= 0)) return;
    this.updateBase(r.now, rs.minRtt);
    this.rttMs = Number.isFinite(rs.maxRtt) ? (rs.minRtt + rs.maxRtt) / 2 : rs.minRtt;
    const floor = rs.minRtt / this.baseRttMs - 1;
    if (!this.active) {
      this.deep = r.probing && floor > COMPETE_ENTER_QUEUE ? this.deep + 1 : 0;
      if (this.deep < COMPETE_ENTER_ROUNDS) return;
      this.active = true;
      this.wnd = Math.max(r.window, rs.maxInflight);
      this.searching = true;
      return;
    }
    if (rs.minRtt < this.baseRttMs * (1 + COMPETE_EXIT_QUEUE) + COMPETE_EXIT_SLACK_MS) return this.reset();
    if (r.congested) {
      this.wnd = Math.max(4 * r.mds, this.searching ? this.firstCut(rs) : COMPETE_BETA * this.wnd);
      this.searching = false;
    } else if (rs.windowLimited && rs.maxInflight + 2 * r.mds >= this.wnd) {
      // Only a window we filled may grow: one that did not limit proves nothing.
      if (this.searching) this.measure(rs);
      this.wnd = this.searching ? this.wnd * COMPETE_SEARCH_GROWTH : this.wnd + COMPETE_ALPHA * r.mds;
    }
  }

  /**
   * While we search on a saturated link every byte we add queues: the smallest RTT of a round
   * grows by inflight / link rate. The slope from the first search round gives the rate.
   */
  private measure(rs: RoundStats): void {
    if (this.searchFrom === null) {
      this.searchFrom = { inflight: rs.maxInflight, rtt: rs.minRtt };
      return;
    }
    const dRtt = rs.minRtt - this.searchFrom.rtt;
    const dInflight = rs.maxInflight - this.searchFrom.inflight;
    if (dRtt > 1 && dInflight > 0) this.linkRate = dInflight / dRtt;
  }

  /**
   * The search ends in an overflow that the competitor answers by halving its window. To start
   * the AIMD game from an even split, ours comes down to the same half of what the competitor
   * had (link rate x RTT at the overflow, less our part); without a rate measured, by BETA.
   */
  private firstCut(rs: RoundStats): number {
    const halved = COMPETE_BETA * this.wnd;
    if (this.linkRate <= 0 || !Number.isFinite(rs.maxRtt)) return halved;
    const theirs = this.linkRate * rs.maxRtt - this.wnd;
    return Math.min(halved, Math.max(COMPETE_BETA * theirs, 0));
  }

  /** Back to the model (the competitor left, or the path went dark). */
  reset(): void {
    this.active = false;
    this.deep = 0;
    this.wnd = 0;
    this.searchFrom = null;
    this.linkRate = 0;
  }
}
