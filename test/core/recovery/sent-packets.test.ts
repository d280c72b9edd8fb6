import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SentPacketTracker } from '../../../src/core/recovery/sent-packets.js';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';
import { pkt, range } from './helpers.js';

function sendN(t: SentPacketTracker<string>, n: number, start = 0, every = 1, size = 1000): void {
  for (let i = 0; i < n; i++) t.onPacketSent(pkt(start + i, (start + i) * every, { size }));
}

describe('SentPacketTracker: sending', () => {
  test('tracks in-flight packets and counts their bytes', () => {
    const t = new SentPacketTracker<string>();
    assert.equal(t.onPacketSent(pkt(0, 0, { size: 1200 })), true);
    assert.equal(t.onPacketSent(pkt(1, 1, { size: 300, ackEliciting: false })), true);
    assert.equal(t.bytesInFlight, 1500);
    assert.equal(t.ackElicitingInFlight, 1);
    assert.equal(t.size, 2);
    assert.equal(t.has(1), true);
    assert.equal(t.lastAckElicitingSentTime(), 0);
  });

  test('ACK-only packets are not tracked', () => {
    const t = new SentPacketTracker<string>();
    assert.equal(t.onPacketSent(pkt(0, 0, { inFlight: false, ackEliciting: false })), false);
    assert.equal(t.bytesInFlight, 0);
    assert.equal(t.has(0), false);
    assert.equal(t.largestSent(), 0);
  });

  test('packet numbers must increase; re-sending a pn throws', () => {
    const t = new SentPacketTracker<string>();
    t.onPacketSent(pkt(5, 0));
    assert.throws(() => t.onPacketSent(pkt(5, 1)), RangeError);
    assert.throws(() => t.onPacketSent(pkt(3, 1)), RangeError);
    assert.equal(t.bytesInFlight, 1000);
  });

  test('an ack-eliciting packet that claims not to be in flight is rejected', () => {
    const t = new SentPacketTracker<string>();
    assert.throws(() => t.onPacketSent(pkt(0, 0, { inFlight: false, ackEliciting: true })), RangeError);
  });

  test('stamps delivery state on each packet', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 10));
    t.onPacketSent(pkt(1, 11));
    t.onAckReceived([range(0, 0)], 0, 50, rtt);
    t.onPacketSent(pkt(2, 51));
    assert.equal(t.get(1)!.delivered, 0);
    assert.equal(t.get(2)!.delivered, 1000);
    assert.equal(t.get(2)!.deliveredTime, 50);
  });
});

describe('SentPacketTracker: ACKs', () => {
  test('ACK ranges release exactly the acked packets', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 10, 0, 0);
    // Sent at t=0, acked at 0.5: well inside the time threshold, so nothing else is lost.
    const r = t.onAckReceived([range(6, 8), range(2, 3)], 0, 0.5, rtt);
    assert.deepEqual(r.newlyAcked.map((p) => p.pn), [2, 3, 6, 7, 8]);
    // 0, 1, 4, 5 are 3+ below the largest acked (8): lost by packet threshold.
    assert.deepEqual(r.lost.map((p) => p.pn), [0, 1, 4, 5]);
    assert.deepEqual([...t.packets()].map((p) => p.pn), [9]);
    assert.equal(t.bytesInFlight, 1000);
    assert.equal(t.largestAcked(), 8);
    assert.equal(r.largestAckedNewly, true);
  });

  test('repeated ACK releases nothing', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 4);
    t.onAckReceived([range(0, 3)], 0, 5, rtt);
    const again = t.onAckReceived([range(0, 3)], 0, 6, rtt);
    assert.equal(again.newlyAcked.length, 0);
    assert.equal(again.largestAckedNewly, false);
    assert.equal(t.bytesInFlight, 0);
  });

  test('ACK of never-sent pns is ignored and does not move largest acked beyond largest sent', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 3);
    const r = t.onAckReceived([range(0, 100)], 0, 5, rtt);
    assert.equal(r.newlyAcked.length, 3);
    assert.equal(t.largestAcked(), 2);
  });

  test('RTT sample from the largest newly acked when it is ack-eliciting', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 100));
    t.onPacketSent(pkt(1, 110));
    t.onAckReceived([range(0, 1)], 0, 160, rtt);
    assert.equal(rtt.latest, 50);
  });

  test('no RTT sample when only non-ack-eliciting packets are newly acked', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 100, { ackEliciting: false }));
    t.onAckReceived([range(0, 0)], 0, 160, rtt);
    assert.equal(rtt.hasSample, false);
  });

  test('no RTT sample when the frame largest was acked before (old ACK reordered)', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 3, 0, 10);
    t.onAckReceived([range(2, 2)], 0, 100, rtt);
    const first = rtt.latest;
    t.onAckReceived([range(1, 2)], 0, 500, rtt);
    assert.equal(rtt.latest, first);
  });

  test('sample falls back to the newest tracked packet when the frame largest is ACK-only', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 100));
    t.onPacketSent(pkt(1, 120, { inFlight: false, ackEliciting: false }));
    t.onAckReceived([range(0, 1)], 0, 170, rtt);
    assert.equal(rtt.latest, 70);
  });

  test('oldestUnacked follows releases', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 5);
    t.onAckReceived([range(0, 1)], 0, 5, rtt);
    assert.equal(t.oldestUnacked()!.pn, 2);
  });

  test('large windows: many ACKs keep the invariant and release everything', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    const n = 20000;
    sendN(t, n, 0, 0.01, 1200);
    let released = 0;
    for (let end = 1; end < n; end += 2) {
      // ACK frames repeat old ranges, as real peers do.
      released += t.onAckReceived([range(Math.max(0, end - 500), end)], 0, 300 + end * 0.01, rtt).newlyAcked.length;
      assert.equal(t.bytesInFlight, (n - released) * 1200);
    }
    assert.equal(released, n);
    assert.equal(t.size, 0);
  });
});

describe('SentPacketTracker: loss detection', () => {
  test('packet threshold: 3 newer packets acked declares a packet lost', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 5, 0, 0);
    const r1 = t.onAckReceived([range(3, 3)], 0, 0.5, rtt);
    assert.deepEqual(r1.lost.map((p) => p.pn), [0]);
    const r2 = t.onAckReceived([range(4, 4)], 0, 0.6, rtt);
    assert.deepEqual(r2.lost.map((p) => p.pn), [1]);
    assert.equal(t.has(2), true);
    assert.equal(t.bytesInFlight, 1000);
  });

  test('time threshold: 9/8 * max(srtt, latest) after sending', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0));
    t.onPacketSent(pkt(1, 10));
    const r = t.onAckReceived([range(1, 1)], 0, 110, rtt); // sample 100 -> delay 112.5
    assert.equal(r.lost.length, 0);
    assert.equal(t.lossTime(), 112.5);
    assert.deepEqual(t.detectLosses(112.4, rtt), []);
    assert.deepEqual(t.detectLosses(112.5, rtt).map((p) => p.pn), [0]);
    assert.equal(t.lossTime(), null);
    assert.equal(t.bytesInFlight, 0);
  });

  test('time threshold never below 1 ms granularity', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0));
    t.onPacketSent(pkt(1, 0.01));
    t.onAckReceived([range(1, 1)], 0, 0.02, rtt);
    assert.equal(t.lossTime(), 1);
  });

  test('nothing is lost without an ACK, and packets above the largest acked are never lost', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 3);
    assert.deepEqual(t.detectLosses(1e9, rtt), []);
    t.onAckReceived([range(0, 0)], 0, 5, rtt);
    assert.deepEqual(t.detectLosses(1e9, rtt), []);
    assert.equal(t.size, 2);
  });

  test('persistent congestion: all packets over > 3 PTOs lost after an RTT sample', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator(333, 0);
    t.onPacketSent(pkt(0, 0));
    t.onAckReceived([range(0, 0)], 0, 100, rtt); // srtt 100, rttvar 50 -> duration 3*(300) = 900
    for (let pn = 1; pn <= 12; pn++) t.onPacketSent(pkt(pn, 100 + pn * 100));
    t.onPacketSent(pkt(13, 1500));
    const r = t.onAckReceived([range(13, 13)], 0, 1600, rtt);
    assert.equal(r.lost.length, 12);
    assert.equal(r.persistentCongestion, true);
  });

  test('no persistent congestion when an ACKed packet sits between the losses', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator(333, 0);
    t.onPacketSent(pkt(0, 0));
    t.onAckReceived([range(0, 0)], 0, 100, rtt);
    for (let pn = 1; pn <= 12; pn++) t.onPacketSent(pkt(pn, 100 + pn * 100));
    t.onPacketSent(pkt(13, 1500));
    const r = t.onAckReceived([range(13, 13), range(6, 6)], 0, 1600, rtt);
    assert.equal(r.lost.length, 11);
    assert.equal(r.persistentCongestion, false);
  });

  function blackout(dropOthers: boolean): boolean {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator(333, 0);
    t.onPacketSent(pkt(0, 0));
    t.onAckReceived([range(0, 0)], 0, 100, rtt); // persistent congestion duration 900 ms
    for (let pn = 1; pn <= 3000; pn++) t.onPacketSent(pkt(pn, 100 + pn, { streamId: dropOthers ? pn % 3 : 2 }));
    if (dropOthers) {
      // 2000 holes between the survivors: enough to make the tracker compact its storage.
      t.dropStream(0);
      t.dropStream(1);
    }
    t.onPacketSent(pkt(3001, 3200));
    const r = t.onAckReceived([range(3001, 3001)], 0, 3300, rtt);
    assert.equal(r.lost.length, dropOthers ? 1000 : 3000);
    return r.persistentCongestion;
  }

  test('persistent congestion over a long blackout', () => {
    assert.equal(blackout(false), true);
  });

  test('dropped packets between losses break the span, also after storage compaction', () => {
    assert.equal(blackout(true), false);
  });

  test('property: ACK + loss never release a pn twice and bytes stay consistent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(60), fc.nat(8), fc.nat(50)), { minLength: 1, maxLength: 40 }),
        (acks) => {
          const t = new SentPacketTracker<string>();
          const rtt = new RttEstimator();
          const sizes = new Map<number, number>();
          for (let pn = 0; pn < 70; pn++) {
            const size = 100 + ((pn * 37) % 1200);
            sizes.set(pn, size);
            t.onPacketSent(pkt(pn, pn, { size }));
          }
          const gone = new Set<number>();
          let now = 70;
          for (const [start, len, dt] of acks) {
            now += dt;
            const r = t.onAckReceived([range(start, start + len)], 0, now, rtt);
            for (const p of [...r.newlyAcked, ...r.lost]) {
              assert.ok(!gone.has(p.pn), `pn ${p.pn} released twice`);
              gone.add(p.pn);
            }
            for (const p of r.newlyAcked) assert.ok(p.pn >= start && p.pn <= start + len);
            let expect = 0;
            for (const [pn, s] of sizes) if (!gone.has(pn)) expect += s;
            assert.equal(t.bytesInFlight, expect);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SentPacketTracker: overtaking (RTT samples shorter than the path)', () => {
  test('an ACK whose newest packet came after all its predecessors: not overtaken', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 10);
    assert.equal(t.onAckReceived([range(0, 4)], 0, 30, rtt).overtook, false);
    assert.equal(t.onAckReceived([range(5, 9)], 0, 31, rtt).overtook, false);
  });

  test('a packet acknowledged while one of the three sent before it is in flight overtook it', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 20);
    t.onAckReceived([range(0, 4)], 0, 30, rtt);
    // 9 skipped the delay line: 5-8 are still on the way.
    assert.equal(t.onAckReceived([range(9, 9), range(0, 4)], 0, 20, rtt).overtook, true);
    // So did 10, right behind it: 9 is acked, but 8 and 7 are not.
    assert.equal(t.onAckReceived([range(9, 10), range(0, 4)], 0, 21, rtt).overtook, true);
    // The late ones arrive: the newest acknowledged (8) came after 5-7.
    assert.equal(t.onAckReceived([range(0, 10)], 0, 32, rtt).overtook, false);
  });

  test('a hole further back than three packets (a loss not yet declared) does not count', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    sendN(t, 20);
    const r = t.onAckReceived([range(6, 12), range(0, 4)], 0, 30, rtt);
    assert.equal(r.overtook, false);
  });
});
