import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CutUndo, type OpenRound } from '../../../src/core/congestion/bbr-undo.js';
import { LossModel, RoundStats, isCongestedRound } from '../../../src/core/congestion/bbr-loss.js';

const MDS = 1200;
const MIN_RTT = 20;

/** A round of 100 packets with `lost` of them lost in separate events, at a standing queue. */
function round(lost: number): RoundStats {
  const rs = new RoundStats();
  rs.lostPackets = lost;
  rs.lostEvents = lost;
  rs.lostBytes = lost * MDS;
  rs.deliveredPackets = 100 - lost;
  rs.deliveredBytes = (100 - lost) * MDS;
  rs.minRtt = MIN_RTT;
  rs.maxRtt = 2 * MIN_RTT;
  return rs;
}

const before = { inflightHi: Infinity, hiGrowth: 0, lastCutRound: -Infinity, cutTime: -Infinity };
const lost = (timeSent: number, lostAt: number) => ({ pn: 0, size: MDS, timeSent, lostAt });

function openRound(lastCutRound: number): OpenRound {
  return { stats: new RoundStats(), startedAt: 1000, cutTime: 900, lastCutRound };
}

describe('BBR: undoing a cut that spurious losses caused', () => {
  test('the cut is taken back once its round, corrected, is no longer congested', () => {
    const undo = new CutUndo();
    const rs = round(6);
    assert.equal(isCongestedRound(rs, 0, MIN_RTT), true);
    undo.onCut(before, rs, 0, MIN_RTT, 800, 900, 7);
    const model = new LossModel(MDS);
    assert.equal(undo.onSpurious([lost(790, 850)], openRound(7), model), null, 'still congested');
    const restore = undo.onSpurious([lost(791, 851), lost(792, 852), lost(793, 853)], openRound(7), model);
    assert.deepEqual(restore, before);
    assert.equal(undo.onSpurious([lost(794, 854)], openRound(7), model), null, 'only once');
  });

  test('not after a later cut, and not for losses declared outside the cut round', () => {
    const undo = new CutUndo();
    undo.onCut(before, round(6), 0, MIN_RTT, 800, 900, 7);
    const model = new LossModel(MDS);
    const all = [lost(790, 850), lost(791, 851), lost(792, 852), lost(793, 853)];
    assert.equal(undo.onSpurious(all, openRound(9), model), null, 'a newer cut stands');
    const undo2 = new CutUndo();
    undo2.onCut(before, round(6), 0, MIN_RTT, 800, 900, 7);
    const elsewhere = all.map((p) => ({ ...p, lostAt: p.lostAt - 100 }));
    assert.equal(undo2.onSpurious(elsewhere, openRound(7), model), null);
  });

  test('a spurious loss of the open round moves its bytes back to delivered', () => {
    const undo = new CutUndo();
    const open = openRound(0);
    open.stats.lostPackets = 2;
    open.stats.lostEvents = 2;
    open.stats.lostBytes = 2 * MDS;
    undo.onSpurious([lost(950, 1010)], open, new LossModel(MDS));
    assert.equal(open.stats.lostPackets, 1);
    assert.equal(open.stats.lostBytes, MDS);
    assert.equal(open.stats.deliveredPackets, 1);
    // Sent before the last cut: never counted, nothing to move.
    undo.onSpurious([lost(850, 1010)], open, new LossModel(MDS));
    assert.equal(open.stats.lostPackets, 1);
  });
});
