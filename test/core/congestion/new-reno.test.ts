import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NewReno, initialWindow, minimumWindow } from '../../../src/core/congestion/new-reno.js';
import { createController } from '../../../src/core/congestion/controller.js';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';

const MDS = 1200;

function rttOf(ms: number): RttEstimator {
  const r = new RttEstimator();
  r.update(ms, 0, 0);
  return r;
}

/** Sends one full window at `now`, acks all of it one RTT later; returns the next pn. */
function roundTrip(cc: NewReno, rtt: RttEstimator, now: number, pn: number): number {
  const n = Math.floor(cc.window() / MDS);
  const pkts = [];
  let inFlight = 0;
  for (let i = 0; i < n; i++) {
    inFlight += MDS;
    cc.onPacketSent(now, pn, MDS, inFlight, true);
    pkts.push({ pn: pn++, size: MDS, timeSent: now });
  }
  cc.onAck(now + rtt.smoothed, pkts, rtt, 0);
  return pn;
}

describe('NewReno', () => {
  test('initial and minimum windows per RFC 9002', () => {
    assert.equal(initialWindow(1200), 12000);
    assert.equal(initialWindow(1500), 14720);
    assert.equal(initialWindow(8000), 16000);
    assert.equal(minimumWindow(1200), 2400);
    assert.equal(new NewReno(MDS).window(), 12000);
  });

  test('slow start doubles the window every round trip', () => {
    const cc = new NewReno(MDS);
    const rtt = rttOf(100);
    let pn = 0;
    for (let round = 0; round < 5; round++) {
      const before = cc.window();
      assert.equal(cc.inSlowStart(), true);
      pn = roundTrip(cc, rtt, round * 100, pn);
      assert.equal(cc.window(), 2 * before);
    }
  });

  test('loss halves the window once per recovery period', () => {
    const cc = new NewReno(MDS);
    for (let i = 0; i < 20; i++) cc.onPacketSent(i, i, MDS, (i + 1) * MDS, true);
    cc.onLoss(100, [{ pn: 3, size: MDS, timeSent: 3 }], false, 0);
    assert.equal(cc.window(), 6000);
    assert.equal(cc.slowStartThreshold(), 6000);
    assert.equal(cc.inSlowStart(), false);
    // Sent before the reduction: same congestion event.
    cc.onLoss(101, [{ pn: 7, size: MDS, timeSent: 50 }], false, 0);
    assert.equal(cc.window(), 6000);
    // Acks of packets from before the reduction do not grow the window either.
    cc.onAck(102, [{ pn: 8, size: MDS, timeSent: 99 }], rttOf(100), 0);
    assert.equal(cc.window(), 6000);
    // A packet sent after the recovery started opens a new event.
    cc.onLoss(300, [{ pn: 30, size: MDS, timeSent: 150 }], false, 0);
    assert.equal(cc.window(), 3000);
  });

  test('the window never drops below the minimum', () => {
    const cc = new NewReno(MDS);
    for (let k = 0; k < 10; k++) cc.onLoss(k * 100 + 1, [{ pn: k, size: MDS, timeSent: k * 100 + 0.5 }], false, 0);
    assert.equal(cc.window(), minimumWindow(MDS));
  });

  test('congestion avoidance: one datagram per window of acked bytes', () => {
    const cc = new NewReno(MDS);
    cc.onLoss(1, [{ pn: 0, size: MDS, timeSent: 0 }], false, 0); // cwnd 6000, ssthresh 6000
    const rtt = rttOf(100);
    const pn = roundTrip(cc, rtt, 10, 1);
    assert.equal(cc.window(), 6000 + MDS);
    roundTrip(cc, rtt, 200, pn);
    assert.equal(cc.window(), 6000 + 2 * MDS);
  });

  test('persistent congestion collapses to the minimum window, then slow start resumes', () => {
    const cc = new NewReno(MDS);
    const rtt = rttOf(100);
    roundTrip(cc, rtt, 0, 0); // 24000
    cc.onLoss(500, [{ pn: 1, size: MDS, timeSent: 10 }], true, 0);
    assert.equal(cc.window(), minimumWindow(MDS));
    assert.equal(cc.slowStartThreshold(), 12000);
    assert.equal(cc.inSlowStart(), true);
    cc.onPacketSent(600, 100, MDS, MDS, true);
    cc.onAck(700, [{ pn: 100, size: MDS, timeSent: 600 }], rtt, 0);
    assert.equal(cc.window(), minimumWindow(MDS) + MDS);
  });

  test('no growth while app-limited; filling the window lifts it', () => {
    const cc = new NewReno(MDS);
    const rtt = rttOf(100);
    cc.onPacketSent(0, 0, MDS, MDS, true);
    cc.onAppLimited(MDS);
    cc.onAck(100, [{ pn: 0, size: MDS, timeSent: 0 }], rtt, 0);
    assert.equal(cc.window(), 12000);
    roundTrip(cc, rtt, 200, 1); // sends a full window: no longer app-limited
    assert.equal(cc.window(), 24000);
  });

  test('canSend compares bytes in flight to the window', () => {
    const cc = new NewReno(MDS);
    assert.equal(cc.canSend(11999), true);
    assert.equal(cc.canSend(12000), false);
  });

  test('pacing rate = 1.25 * cwnd / srtt, using the initial RTT before a sample', () => {
    const cc = new NewReno(MDS);
    assert.equal(cc.pacingRate(rttOf(100)), (1.25 * 12000 * 1000) / 100);
    assert.ok(Math.abs(cc.pacingRate(new RttEstimator()) - (1.25 * 12000 * 1000) / 333) < 1e-6);
  });

  test('property: window stays at or above the minimum under any ack/loss sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.nat(200)), { maxLength: 100 }), (events) => {
        const cc = new NewReno(MDS);
        const rtt = rttOf(50);
        let now = 0;
        events.forEach(([isLoss, pc, dt], pn) => {
          now += dt;
          cc.onPacketSent(now, pn, MDS, MDS, true);
          if (isLoss) cc.onLoss(now + 1, [{ pn, size: MDS, timeSent: now }], pc, 0);
          else cc.onAck(now + 1, [{ pn, size: MDS, timeSent: now }], rtt, 0);
          assert.ok(cc.window() >= minimumWindow(MDS));
          assert.ok(Number.isFinite(cc.window()));
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('createController', () => {
  test('newreno', () => {
    const cc = createController('newreno', MDS);
    assert.equal(cc.name, 'newreno');
    assert.equal(cc.window(), 12000);
  });

  test('bbr builds the model-based controller, with its own initial window of 32 packets', () => {
    const cc = createController('bbr', 1500);
    assert.equal(cc.window(), 32 * 1500);
    assert.equal(cc.name, 'bbr');
  });
});

describe('NewReno: spurious loss undo', () => {
  function grown(): { cc: NewReno; rtt: RttEstimator; pn: number } {
    const cc = new NewReno(MDS);
    const rtt = rttOf(100);
    let pn = 0;
    for (let i = 0; i < 3; i++) pn = roundTrip(cc, rtt, i * 100, pn);
    return { cc, rtt, pn };
  }
  const lostPkt = (pn: number, timeSent: number, lostAt: number) => ({ pn, size: MDS, timeSent, lostAt });

  test('a reduction whose every loss proves spurious is taken back', () => {
    const { cc } = grown();
    const before = cc.window();
    cc.onLoss(400, [lostPkt(100, 350, 400), lostPkt(101, 351, 400)], false, 0);
    assert.equal(cc.window(), before / 2);
    cc.onSpuriousLoss(420, [lostPkt(100, 350, 400)]);
    assert.equal(cc.window(), before / 2, 'one of two losses is still real');
    cc.onSpuriousLoss(421, [lostPkt(101, 351, 400)]);
    assert.equal(cc.window(), before);
    assert.equal(cc.slowStartThreshold(), Infinity);
    assert.equal(cc.inRecovery(399), false);
  });

  test('a later real loss of the same round keeps the reduction', () => {
    const { cc } = grown();
    const before = cc.window();
    cc.onLoss(400, [lostPkt(100, 350, 400)], false, 0);
    cc.onLoss(410, [lostPkt(102, 352, 410)], false, 0);
    cc.onSpuriousLoss(420, [lostPkt(100, 350, 400)]);
    assert.equal(cc.window(), before / 2);
  });

  test('a spurious loss of an older reduction does not undo a newer one', () => {
    const { cc } = grown();
    const before = cc.window();
    cc.onLoss(400, [lostPkt(100, 350, 400)], false, 0);
    cc.onLoss(700, [lostPkt(200, 650, 700)], false, 0);
    cc.onSpuriousLoss(720, [lostPkt(100, 350, 400)]);
    assert.equal(cc.window(), before / 4);
  });
});
