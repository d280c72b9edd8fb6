import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RateMeter } from '../../src/cli/rate-meter.js';

test('steady flow reads as its rate', () => {
  const m = new RateMeter(3000, 100);
  for (let t = 0; t <= 10_000; t += 10) m.add(t, t * 1000); // 1 MB/s
  assert.ok(Math.abs(m.rate(10_000) - 1_000_000) < 1, String(m.rate(10_000)));
  assert.equal(Math.round(m.eta(10_000, 20_000_000) as number), 10);
});

test('follows a change of rate within the window', () => {
  const m = new RateMeter(2000, 100);
  let bytes = 0;
  for (let t = 0; t < 5000; t += 100) m.add(t, (bytes += 100_000)); // 1 MB/s
  for (let t = 5000; t < 10_000; t += 100) m.add(t, (bytes += 10_000)); // 100 kB/s
  const r = m.rate(9900);
  assert.ok(r > 80_000 && r < 120_000, String(r));
});

test('unknown until there is a time span; no ETA without a total', () => {
  const m = new RateMeter();
  assert.equal(m.rate(0), 0);
  assert.equal(m.eta(0, 100), null);
  m.add(0, 0);
  m.add(10, 1000);
  assert.equal(m.rate(10), 0);
  assert.equal(m.eta(1000, null), null);
});

test('memory stays bounded however often it is fed', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 2000 }), (gaps) => {
    const m = new RateMeter(1000, 100);
    let t = 0;
    gaps.forEach((g, i) => m.add((t += g), i));
    const n = (m as unknown as { samples: unknown[] }).samples.length;
    assert.ok(n <= 1000 / 100 + 3, String(n));
    assert.ok(m.rate(t) >= 0);
  }));
});
