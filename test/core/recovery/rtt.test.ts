import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';

describe('RttEstimator (RFC 9002 §5)', () => {
  test('before any sample: initial rtt 333 ms, rttvar half of it', () => {
    const r = new RttEstimator();
    assert.equal(r.hasSample, false);
    assert.equal(r.smoothed, 333);
    assert.equal(r.rttvar, 166.5);
    assert.equal(r.firstSampleTime, null);
    // 333 + 4 * 166.5 + 25
    assert.equal(r.ptoBase(), 1024);
  });

  test('first sample sets smoothed = latest = min and rttvar = latest / 2, ignoring ack delay', () => {
    const r = new RttEstimator();
    r.update(100, 20, 5000);
    assert.equal(r.hasSample, true);
    assert.equal(r.latest, 100);
    assert.equal(r.min, 100);
    assert.equal(r.smoothed, 100);
    assert.equal(r.rttvar, 50);
    assert.equal(r.firstSampleTime, 5000);
  });

  test('later samples: ack delay subtracted, EWMA 7/8 and 3/4', () => {
    const r = new RttEstimator();
    r.update(100, 0, 0);
    r.update(200, 20, 10); // adjusted 180
    assert.equal(r.rttvar, 0.75 * 50 + 0.25 * 80); // 57.5
    assert.equal(r.smoothed, 0.875 * 100 + 0.125 * 180); // 110
    assert.equal(r.min, 100);
    assert.equal(r.latest, 200);
    assert.equal(r.firstSampleTime, 0);
  });

  test('ack delay not subtracted when it would go below min_rtt', () => {
    const r = new RttEstimator();
    r.update(100, 0, 0);
    r.update(105, 10, 1); // 105 < 100 + 10: use 105 as is
    assert.equal(r.smoothed, 0.875 * 100 + 0.125 * 105);
  });

  test('ack delay clamped to max_ack_delay', () => {
    const r = new RttEstimator(333, 25);
    r.update(100, 0, 0);
    r.update(300, 100, 1); // delay clamped to 25 -> adjusted 275
    assert.equal(r.smoothed, 0.875 * 100 + 0.125 * 275);
  });

  test('latestAckDelay: the peer-reported delay of the last sample, clamped; 0 for the first', () => {
    const r = new RttEstimator(333, 25);
    r.update(100, 20, 0);
    assert.equal(r.latestAckDelay, 0);
    r.update(120, 10, 1);
    assert.equal(r.latestAckDelay, 10);
    r.update(300, 100, 2);
    assert.equal(r.latestAckDelay, 25);
  });

  test('min rtt tracks the smallest raw sample', () => {
    const r = new RttEstimator();
    r.update(50, 0, 0);
    r.update(30, 0, 1);
    r.update(80, 0, 2);
    assert.equal(r.min, 30);
  });

  test('ptoBase = smoothed + max(4 rttvar, 1 ms) + max ack delay', () => {
    const r = new RttEstimator(333, 10);
    r.update(100, 0, 0);
    assert.equal(r.ptoBase(), 100 + 200 + 10);
    // Constant samples shrink rttvar toward 0; the 1 ms floor then applies.
    for (let i = 0; i < 200; i++) r.update(100, 0, i);
    assert.ok(r.rttvar < 0.25);
    assert.equal(r.ptoBase(), r.smoothed + 1 + 10);
  });

  test('negative or NaN samples are ignored', () => {
    const r = new RttEstimator();
    r.update(-5, 0, 0);
    r.update(Number.NaN, 0, 0);
    assert.equal(r.hasSample, false);
  });

  test('property: smoothed stays within [min sample, max sample] after the first sample', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0.1, max: 5000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })), { minLength: 1, maxLength: 50 }), (samples) => {
        const r = new RttEstimator();
        let lo = Infinity;
        let hi = -Infinity;
        samples.forEach(([s, d], i) => {
          r.update(s, d, i);
          lo = Math.min(lo, s);
          hi = Math.max(hi, s);
        });
        assert.ok(r.smoothed >= lo - 1e-9 && r.smoothed <= hi + 1e-9);
        assert.ok(r.rttvar >= 0);
        assert.equal(r.min, Math.min(...samples.map(([s]) => s)));
      }),
      { numRuns: 200 },
    );
  });
});
