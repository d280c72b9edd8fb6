// BBR's min RTT on paths where a few packets skip the delay (min-rtt.ts): samples that overtook
// others neither set nor confirm it; the controller keeps the path's BDP and DRAIN cannot stick.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MinRttFilter } from '../../../src/core/congestion/min-rtt.js';
import { Bbr } from '../../../src/core/congestion/bbr.js';
import { MAX_DRAIN_ROUNDS, MIN_RTT_WINDOW_MS } from '../../../src/core/congestion/bbr-constants.js';
import { Path } from './bbr-path.js';

describe('MinRttFilter', () => {
  test('in-order samples keep the smallest; out-of-order ones below it are ignored', () => {
    const f = new MinRttFilter();
    f.update(0, 21, true);
    f.update(1, 20, true);
    f.update(2, 10, false);
    f.update(3, 0.1, false);
    f.update(4, 25, true);
    assert.equal(f.ms, 20);
  });

  test('until an in-order sample comes any sample counts, and the first in-order one replaces it', () => {
    const f = new MinRttFilter();
    f.update(0, 12, false);
    assert.equal(f.ms, 12);
    f.update(1, 9, false);
    assert.equal(f.ms, 9);
    f.update(2, 20, true);
    assert.equal(f.ms, 20);
    f.update(3, 8, false);
    assert.equal(f.ms, 20);
  });

  test('only in-order samples confirm it; unconfirmed it expires after the window', () => {
    const f = new MinRttFilter();
    f.update(0, 20, true);
    // Out-of-order samples close to (or below) the min keep coming: they do not confirm it.
    for (let t = 100; t <= MIN_RTT_WINDOW_MS; t += 100) assert.equal(f.update(t, 19.9, false), false);
    assert.equal(f.update(MIN_RTT_WINDOW_MS + 1, 19.9, false), true, 'expired');
    // The next in-order sample, even a higher one, becomes the new min.
    f.update(MIN_RTT_WINDOW_MS + 2, 24, true);
    assert.equal(f.ms, 24);
    // A close in-order sample confirms it: no expiry a window after the first.
    f.update(MIN_RTT_WINDOW_MS + 500, 24.2, true);
    assert.equal(f.update(2 * MIN_RTT_WINDOW_MS + 100, 30, true), false);
    assert.equal(f.ms, 24);
  });
});

describe('BBR where 2 % of packets skip the delay (100 Mbit/s x 20 ms)', () => {
  const cfg = { rateMbps: 100, rttMs: 20, skipPct: 2, seed: 5 };

  function run(ignoreOrder: boolean): { cc: Bbr; path: Path; mbps: number; drainRounds: number[] } {
    const cc = new Bbr(1400);
    const path = new Path(cc, { ...cfg, ignoreOrder });
    const drainRounds: number[] = [];
    let drainFrom: number | null = null;
    path.onAck = () => {
      if (cc.state === 'drain' && drainFrom === null) drainFrom = cc.roundCount;
      if (cc.state !== 'drain' && drainFrom !== null) {
        drainRounds.push(cc.roundCount - drainFrom);
        drainFrom = null;
      }
    };
    path.run(1000);
    const from = path.deliveredBytes;
    path.run(3000);
    return { cc, path, mbps: ((path.deliveredBytes - from) * 8) / 2000 / 1000, drainRounds };
  }

  test('the min RTT stays the path’s and the rate near the bottleneck', () => {
    const { cc, mbps } = run(false);
    assert.ok(cc.minRtt >= 20, `min RTT ${cc.minRtt.toFixed(2)} ms`);
    assert.ok(mbps >= 90, `${mbps.toFixed(1)} Mbit/s over 1-3 s`);
  });

  test('taking every sample (no order marks), the min RTT collapses and DRAIN still ends within its bound', () => {
    const { cc, drainRounds } = run(true);
    assert.ok(cc.minRtt < 1, `min RTT ${cc.minRtt.toFixed(2)} ms: the fault this guards against`);
    assert.ok(drainRounds.length > 0, 'DRAIN was entered and left');
    for (const r of drainRounds) assert.ok(r <= MAX_DRAIN_ROUNDS, `DRAIN lasted ${r} rounds`);
  });
});
