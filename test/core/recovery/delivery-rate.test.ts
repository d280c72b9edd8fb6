import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryRateEstimator } from '../../../src/core/recovery/delivery-rate.js';

function sent(est: DeliveryRateEstimator, now: number, inFlight: number, size = 1000) {
  return { ...est.stamp(now, inFlight), size, timeSent: now };
}

describe('DeliveryRateEstimator', () => {
  test('steady flow: rate = delivered bytes / interval', () => {
    const est = new DeliveryRateEstimator();
    // 10 packets of 1000 B sent 1 ms apart, each acked 100 ms later.
    const pkts = [];
    for (let i = 0; i < 10; i++) pkts.push(sent(est, i, i * 1000));
    let last = null;
    for (let i = 0; i < 10; i++) last = est.onAck([pkts[i]!], 100 + i, 50);
    assert.ok(last !== null);
    // Last packet: sent at 9 with delivered 0 stamped at t=0 -> 10 000 B over max(9, 109) ms.
    assert.equal(last.delivered, 10000);
    assert.equal(last.interval, 109);
    assert.ok(Math.abs(last.deliveryRate - 10000 / 0.109) < 1e-6);
    assert.equal(est.delivered, 10000);
  });

  test('interval below min rtt gives no sample', () => {
    const est = new DeliveryRateEstimator();
    const p = sent(est, 0, 0);
    assert.equal(est.onAck([p], 10, 50), null);
  });

  test('app-limited marks packets until the mark is delivered', () => {
    const est = new DeliveryRateEstimator();
    const a = sent(est, 0, 0);
    est.onAppLimited(1000);
    const b = sent(est, 1, 1000);
    assert.equal(a.isAppLimited, false);
    assert.equal(b.isAppLimited, true);
    assert.equal(est.isAppLimited, true);
    est.onAck([a], 100, null);
    assert.equal(est.isAppLimited, true); // delivered 1000, mark 1000: not past it yet
    const s = est.onAck([b], 101, null);
    assert.equal(est.isAppLimited, false);
    assert.equal(s!.isAppLimited, true);
  });
});
