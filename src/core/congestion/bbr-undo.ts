// Undoing what the BBR controller did about losses that proved spurious: packets declared lost
// that were acknowledged after all (late, on a path that reorders). Their bytes move from lost
// to delivered in the round that counted them and in the background-loss estimate, and a cut of
// the inflight cap that they caused is taken back, as long as no later cut happened.
import { isCongestedRound, type LossModel, type RoundStats } from './bbr-loss.js';
import type { SpuriousLossInfo } from './controller.js';

/** What a cut of the inflight cap changed, to be put back on undo. */
export interface CutState {
  inflightHi: number;
  hiGrowth: number;
  lastCutRound: number;
  cutTime: number;
}

interface SavedCut {
  before: CutState;
  /** The round that was judged congested, as it was then. */
  stats: RoundStats;
  background: number;
  minRttMs: number;
  /** The round's span: losses declared in [from, to) were counted in it. */
  from: number;
  to: number;
  round: number;
}

/** What the controller's current round looks like to the undo. */
export interface OpenRound {
  stats: RoundStats;
  startedAt: number;
  /** Losses of packets sent at or before this were not counted (they belong to the last cut). */
  cutTime: number;
  lastCutRound: number;
}

export class CutUndo {
  private saved: SavedCut | null = null;

  /** A round that ended at `to` was judged congested and cut; `before` is what the cut replaced. */
  onCut(before: CutState, rs: RoundStats, background: number, minRttMs: number, from: number, to: number, round: number): void {
    this.saved = { before, stats: rs.clone(), background, minRttMs, from, to, round };
  }

  /**
   * Moves spurious losses back to delivered; returns the state to restore when the last cut no
   * longer stands (its round, corrected, is not congested), else null.
   */
  onSpurious(packets: readonly SpuriousLossInfo[], open: OpenRound, loss: LossModel): CutState | null {
    const s = this.saved;
    let cutRoundChanged = false;
    for (const p of packets) {
      if (p.lostAt >= open.startedAt) {
        if (p.timeSent > open.cutTime) open.stats.unlose(p.size);
        loss.uncount(open.stats, p.timeSent, p.size);
        continue;
      }
      loss.uncount(null, p.timeSent, p.size);
      if (s && p.lostAt >= s.from && p.lostAt < s.to && p.timeSent > s.before.cutTime) {
        s.stats.unlose(p.size);
        cutRoundChanged = true;
      }
    }
    if (!s || !cutRoundChanged || open.lastCutRound !== s.round) return null;
    if (isCongestedRound(s.stats, s.background, s.minRttMs)) return null;
    this.saved = null;
    return s.before;
  }
}
