import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SentPacketTracker } from '../../../src/core/recovery/sent-packets.js';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';
import { DECAY_EPISODES, PACKET_THRESHOLD, ReorderTolerance } from '../../../src/core/recovery/reorder.js';
import { LostHistory, MAX_LOST_RECORDS, type LostRecord } from '../../../src/core/recovery/lost-history.js';
import { pkt, range } from './helpers.js';

function rttOf(ms: number): RttEstimator {
  const r = new RttEstimator();
  r.update(ms, 0, 0);
  return r;
}

/** A tracker with packets 0..n-1 sent 1 ms apart, and an RTT of `rttMs` learned from none of them. */
function tracker(n: number): SentPacketTracker<string> {
  const t = new SentPacketTracker<string>();
  for (let i = 0; i < n; i++) t.onPacketSent(pkt(i, i));
  return t;
}

describe('ReorderTolerance', () => {
  test('starts at RFC 9002: 3 packets and an eighth of the RTT', () => {
    const r = new ReorderTolerance();
    assert.equal(r.packetThreshold, PACKET_THRESHOLD);
    assert.equal(r.windowMs(rttOf(80)), 10);
    assert.equal(r.reorderingSeen, false);
  });

  test('reordering seen covers its distance and opens the window one step (a quarter of min RTT)', () => {
    const r = new ReorderTolerance();
    const rtt = rttOf(80);
    r.onReordering(20, 0, rtt);
    assert.equal(r.packetThreshold, 21);
    assert.equal(r.windowMs(rtt), 20);
    r.onReordering(5, 0, rtt);
    assert.equal(r.packetThreshold, 21, 'a smaller distance does not lower it');
  });

  test('the window covers the lateness seen, with a margin, up to the smoothed RTT', () => {
    const r = new ReorderTolerance();
    const rtt = rttOf(80);
    r.onReordering(1, 40, rtt);
    assert.equal(r.windowMs(rtt), 50);
    r.onReordering(1, 400, rtt);
    assert.equal(r.windowMs(rtt), 80);
  });

  test('a spurious loss by the packet rule doubles the threshold past its distance', () => {
    const r = new ReorderTolerance();
    r.onSpuriousLoss(10, 0, false, 0, rttOf(80));
    assert.equal(r.packetThreshold, 20);
  });

  test('a spurious loss by the time rule steps the window up, once per RTT', () => {
    const r = new ReorderTolerance();
    const rtt = rttOf(80);
    r.onSpuriousLoss(1, 0, true, 1000, rtt);
    assert.equal(r.windowMs(rtt), 20);
    r.onSpuriousLoss(1, 0, true, 1010, rtt);
    assert.equal(r.windowMs(rtt), 20, 'same RTT: same lesson');
    r.onSpuriousLoss(1, 0, true, 1100, rtt);
    assert.equal(r.windowMs(rtt), 40);
  });

  test('decays after loss episodes that stay real, one RTT apart', () => {
    const r = new ReorderTolerance();
    const rtt = rttOf(80);
    r.onSpuriousLoss(50, 0, false, 0, rtt);
    r.onSpuriousLoss(1, 0, true, 0, rtt);
    assert.equal(r.packetThreshold, 100);
    assert.equal(r.windowMs(rtt), 40, 'reordering seen (one step), then a window too small (two)');
    for (let i = 1; i < DECAY_EPISODES; i++) r.onLossDetected(i * 100, rtt);
    assert.equal(r.packetThreshold, 100, 'not yet');
    r.onLossDetected(DECAY_EPISODES * 100 + 10, rtt);
    r.onLossDetected(DECAY_EPISODES * 100 + 20, rtt); // same episode: no effect
    assert.equal(r.packetThreshold, 50);
    assert.equal(r.windowMs(rtt), 20);
    for (let k = 0; k < 10; k++) for (let i = 0; i < DECAY_EPISODES; i++) r.onLossDetected(10_000 + (k * DECAY_EPISODES + i) * 100, rtt);
    assert.equal(r.packetThreshold, PACKET_THRESHOLD, 'back to where it started');
  });

  test('a spurious loss resets the decay count', () => {
    const r = new ReorderTolerance();
    const rtt = rttOf(80);
    r.onSpuriousLoss(50, 0, false, 0, rtt);
    for (let i = 1; i < DECAY_EPISODES; i++) r.onLossDetected(i * 100, rtt);
    r.onSpuriousLoss(1, 0, false, DECAY_EPISODES * 100, rtt);
    r.onLossDetected(DECAY_EPISODES * 100 + 200, rtt);
    assert.equal(r.packetThreshold, 100);
  });
});

describe('SentPacketTracker: reordering', () => {
  test('a late packet declared lost shows up spurious, and the next as late is not lost', () => {
    const t = tracker(40);
    const rtt = rttOf(100);
    // 10..19 acked first: 0..9 are 3 or more behind 19, lost by the packet rule.
    const r1 = t.onAckReceived([range(10, 19)], 0, 30, rtt);
    assert.deepEqual(r1.lost.map((p) => p.pn), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 0 arrives after all: spurious, by the packet rule, overtaken by 19.
    const r2 = t.onAckReceived([range(0, 0), range(10, 19)], 0, 31, rtt);
    assert.deepEqual(r2.spurious.map((s) => s.pn), [0]);
    assert.equal(r2.spurious[0]!.largestAckedAtLoss, 19);
    assert.equal(r2.spurious[0]!.byTime, false);
    assert.equal(t.reorder.packetThreshold, 38);
    // 30..35 acked: 20..29 are up to 15 behind, which the packet rule now tolerates.
    const r3 = t.onAckReceived([range(30, 35)], 0, 32, rtt);
    assert.deepEqual(r3.lost.map((p) => p.pn), []);
  });

  test('a packet acked below the largest acked opens the time window one step', () => {
    const t = tracker(20);
    const rtt = rttOf(100);
    t.onAckReceived([range(5, 5)], 0, 105, rtt);
    assert.equal(t.reorder.reorderingSeen, false);
    const r = t.onAckReceived([range(4, 4)], 0, 106, rtt);
    assert.deepEqual(r.spurious, []);
    assert.equal(t.reorder.reorderingSeen, true);
    assert.equal(t.reorder.windowMs(rtt), 25);
    assert.equal(t.reorder.packetThreshold, PACKET_THRESHOLD);
  });

  test('a spurious loss is reported once, and forgotten after a few RTTs', () => {
    const t = tracker(10);
    const rtt = rttOf(10);
    t.onAckReceived([range(5, 9)], 0, 12, rtt);
    const r = t.onAckReceived([range(0, 0), range(5, 9)], 0, 13, rtt);
    assert.deepEqual(r.spurious.map((s) => s.pn), [0]);
    assert.deepEqual(t.onAckReceived([range(0, 0), range(5, 9)], 0, 14, rtt).spurious, []);
    // 1 and 2 were lost at 12; 1000 ms later their records are gone.
    t.onPacketSent(pkt(10, 1000));
    t.onAckReceived([range(10, 10)], 0, 1012, rtt);
    assert.deepEqual(t.onAckReceived([range(1, 2)], 0, 1013, rtt).spurious, []);
  });

  test('on a path that never reorders, loss is found as RFC 9002 finds it', () => {
    const t = tracker(10);
    const rtt = rttOf(100);
    const r = t.onAckReceived([range(4, 9)], 0, 20, rtt);
    assert.deepEqual(r.lost.map((p) => p.pn), [0, 1, 2, 3]);
    assert.equal(t.reorder.packetThreshold, PACKET_THRESHOLD);
    assert.equal(t.lossTime(), null);
  });
});

describe('LostHistory', () => {
  test('takes records by range, each once', () => {
    const h = new LostHistory<string>();
    for (const pn of [1, 4, 7, 9]) h.add(`p${pn}`, pn, 0, 20, false);
    const out: LostRecord<string>[] = [];
    h.takeRange(2, 8, out);
    assert.deepEqual(out.map((r) => r.pn), [4, 7]);
    h.takeRange(0, 100, out);
    assert.deepEqual(out.map((r) => r.pn), [4, 7, 1, 9]);
    assert.equal(h.size, 0);
  });

  test('refuses a pn that does not increase, expires by time and caps its size', () => {
    const h = new LostHistory<number>();
    h.add(0, 5, 0, 9, false);
    h.add(0, 5, 0, 9, false);
    h.add(0, 3, 0, 9, false);
    assert.equal(h.size, 1);
    h.add(0, 6, 10, 9, true);
    h.expire(5);
    const out: LostRecord<number>[] = [];
    h.takeRange(0, 10, out);
    assert.deepEqual(out.map((r) => r.pn), [6]);
    for (let i = 0; i < MAX_LOST_RECORDS + 10; i++) h.add(i, 100 + i, 20, 0, false);
    assert.equal(h.size, MAX_LOST_RECORDS);
    const first: LostRecord<number>[] = [];
    h.takeRange(0, 109, first);
    assert.deepEqual(first, [], 'the oldest went first');
  });
});
