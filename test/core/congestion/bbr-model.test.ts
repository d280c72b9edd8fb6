import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WindowedMaxByRound } from '../../../src/core/congestion/windowed-filter.js';
import {
  BackgroundLoss,
  LearnLog,
  MAX_BACKGROUND_LOSS,
  RoundStats,
  isCongestedRound,
} from '../../../src/core/congestion/bbr-loss.js';
import { AckAggregation } from '../../../src/core/congestion/ack-aggregation.js';

const MDS = 1400;

describe('WindowedMaxByRound', () => {
  test('keeps the max of the last N rounds and forgets older ones', () => {
    const f = new WindowedMaxByRound(3);
    f.update(0, 10);
    f.update(1, 5);
    f.update(1, 7);
    assert.equal(f.max(1), 10);
    f.update(2, 4);
    assert.equal(f.max(2), 10);
    f.update(3, 6);
    assert.equal(f.max(3), 7, 'round 0 left the window');
    assert.equal(f.max(5), 6);
    assert.equal(f.max(6), 0, 'nothing in the window');
  });

  test('matches a brute-force max over any sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(1000)), { maxLength: 60 }), (steps) => {
        const f = new WindowedMaxByRound(4);
        const seen: { round: number; v: number }[] = [];
        let round = 0;
        for (const [advance, v] of steps) {
          round += advance;
          f.update(round, v);
          seen.push({ round, v });
          const want = Math.max(0, ...seen.filter((s) => s.round > round - 4).map((s) => s.v));
          assert.equal(f.max(round), want);
        }
      }),
    );
  });

  test('resetTo keeps only the given value', () => {
    const f = new WindowedMaxByRound(10);
    f.update(0, 100);
    f.resetTo(1, 40);
    assert.equal(f.max(1), 40);
  });
});

describe('BackgroundLoss', () => {
  test('converges to the loss share, weighted by bytes, with a prior towards zero', () => {
    const b = new BackgroundLoss(MDS);
    assert.equal(b.rate, 0);
    b.add(1 * MDS, 1 * MDS);
    assert.ok(b.rate < 0.1, `one loss in two packets reads low at first (${b.rate})`);
    for (let i = 0; i < 200; i++) b.add(MDS, 9 * MDS);
    assert.ok(Math.abs(b.rate - 0.1) < 0.01, `rate ${b.rate}`);
  });

  test('one unlucky small round cannot read as a high rate, and the prior fades to no bias', () => {
    const b = new BackgroundLoss(MDS);
    b.add(3 * MDS, 3 * MDS);
    assert.ok(b.rate < 0.04, `3 lost of 6 at the start reads ${b.rate}`);
    // A full horizon at exactly 5 %: a prior that stayed would pull this under 4.6 %.
    for (let i = 0; i < 100; i++) b.add(MDS, 19 * MDS);
    assert.ok(Math.abs(b.rate - 0.05) < 0.002, `rate ${b.rate}`);
  });

  test('forgets: the estimate follows a change within its horizon', () => {
    const b = new BackgroundLoss(MDS);
    for (let i = 0; i < 300; i++) b.add(MDS, 4 * MDS);
    assert.ok(Math.abs(b.rate - 0.2) < 0.02);
    for (let i = 0; i < 1000; i++) b.add(0, 10 * MDS);
    assert.ok(b.rate < 0.01, `rate ${b.rate}`);
  });

  test(`is capped at ${MAX_BACKGROUND_LOSS}`, () => {
    const b = new BackgroundLoss(MDS);
    for (let i = 0; i < 300; i++) b.add(MDS, MDS);
    assert.equal(b.rate, MAX_BACKGROUND_LOSS);
  });
});

describe('LearnLog', () => {
  test('answers whether a send time fell into a learnable interval', () => {
    const log = new LearnLog();
    log.set(0, true);
    log.set(10, false);
    log.set(20, true);
    log.set(30, false);
    assert.ok(log.contains(0) && log.contains(9.9) && log.contains(25));
    assert.ok(!log.contains(10) && !log.contains(15) && !log.contains(30) && !log.contains(40));
    log.set(50, true);
    assert.ok(log.contains(1_000), 'an open interval covers everything after its start');
  });
});

function round(lost: number, delivered: number, minRtt: number, maxRtt: number, events = lost): RoundStats {
  const r = new RoundStats();
  r.lostPackets = lost;
  r.lostEvents = events;
  r.lostBytes = lost * MDS;
  r.deliveredPackets = delivered;
  r.deliveredBytes = delivered * MDS;
  r.minRtt = minRtt;
  r.maxRtt = maxRtt;
  return r;
}

describe('isCongestedRound', () => {
  test('random loss at the background rate is never congestion, queue or not', () => {
    assert.equal(isCongestedRound(round(50, 450, 50, 50), 0.1, 50), false);
    assert.equal(isCongestedRound(round(50, 450, 50, 80), 0.1, 50), false);
    assert.equal(isCongestedRound(round(100, 400, 50, 50), 0.2, 50), false);
  });

  test('a few losses over a zero background with a queue are congestion', () => {
    assert.equal(isCongestedRound(round(6, 400, 70, 95), 0, 50), true);
    assert.equal(isCongestedRound(round(2, 400, 70, 95), 0, 50), false, 'two losses could be chance');
  });

  test('a burst is one loss event: one run of 5 in a 9-packet round is not congestion, 5 separate losses are', () => {
    assert.equal(isCongestedRound(round(5, 4, 10, 11, 1), 0.03, 10), false);
    assert.equal(isCongestedRound(round(5, 4, 10, 11, 5), 0.03, 10), true);
  });

  test('without a queue only a large excess counts', () => {
    assert.equal(isCongestedRound(round(30, 400, 50, 55), 0, 50), false);
    assert.equal(isCongestedRound(round(100, 400, 50, 55), 0, 50), true);
  });

  test('a standing queue is one that never drained during the round', () => {
    assert.ok(round(0, 10, 70, 90).hasStandingQueue(50));
    assert.ok(!round(0, 10, 50, 90).hasStandingQueue(50));
    assert.ok(!round(0, 10, 50, 90).isClean(50));
    assert.ok(round(0, 10, 50, 60).isClean(50));
  });
});

describe('AckAggregation', () => {
  test('measures ACKs that arrive ahead of the bandwidth model', () => {
    const a = new AckAggregation();
    const bw = 10; // bytes per ms
    // Smooth ACKs at the model rate: no more than one ACK's worth of extra.
    for (let t = 0; t < 100; t += 10) a.onAck(t, 100, bw, 0);
    assert.ok(a.extra(0) <= 100);
    // 1000 bytes acknowledged at once after 10 ms of silence: 900 ahead of the model.
    a.onAck(200, 100, bw, 1);
    a.onAck(210, 1000, bw, 1);
    assert.ok(a.extra(1) >= 900, `extra ${a.extra(1)}`);
    assert.equal(a.extra(20), 0, 'forgotten after the window');
  });
});
