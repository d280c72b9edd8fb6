import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatBitrate, formatBytes, formatDuration, formatEta, formatRate, parseIntInRange, parseRate, parseSeconds,
} from '../../src/cli/format.js';

const UNIT_FACTOR: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5 };

describe('formatBytes', () => {
  test('examples', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.00 KiB');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(64 * 1024 * 1024), '64.0 MiB');
    assert.equal(formatBytes(512 * 1024 * 1024), '512 MiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.00 MiB');
    assert.equal(formatBytes(-1), '? B');
  });
  test('round-trips within 1% and never shows 1024 of a unit', () => {
    fc.assert(fc.property(fc.integer({ min: 1024, max: 2 ** 52 }), (n) => {
      const m = /^([\d.]+) (\w+)$/.exec(formatBytes(n));
      assert.ok(m, formatBytes(n));
      const v = Number(m[1]);
      assert.ok(v < 1024, formatBytes(n));
      const back = v * (UNIT_FACTOR[m[2] as string] as number);
      assert.ok(Math.abs(back - n) / n < 0.01, `${n} -> ${formatBytes(n)}`);
    }));
  });
});

describe('rates', () => {
  test('byte and bit rates', () => {
    assert.equal(formatRate(10 * 1024 * 1024), '10.0 MiB/s');
    assert.equal(formatBitrate(125_000), '1.00 Mbit/s');
    assert.equal(formatBitrate(44_125_000), '353 Mbit/s');
    assert.equal(formatBitrate(10), '80 bit/s');
    assert.equal(formatBitrate(124_999_999), '1.00 Gbit/s');
  });
});

describe('durations', () => {
  test('formatDuration', () => {
    assert.equal(formatDuration(350), '350 ms');
    assert.equal(formatDuration(4250), '4.25 s');
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(125_000), '2m05s');
    assert.equal(formatDuration(3_720_000), '1h02m');
  });
  test('formatEta', () => {
    assert.equal(formatEta(null), '--:--');
    assert.equal(formatEta(Infinity), '--:--');
    assert.equal(formatEta(41.2), '0:42');
    assert.equal(formatEta(725), '12:05');
    assert.equal(formatEta(3723), '1:02:03');
  });
});

describe('parseRate', () => {
  test('documented examples', () => {
    assert.equal(parseRate('50M'), 6_250_000);          // 50 Mbit/s
    assert.equal(parseRate('10MB/s'), 10_000_000);
    assert.equal(parseRate('500k'), 62_500);
    assert.equal(parseRate('0'), 0);
    assert.equal(parseRate('1Gbit/s'), 125_000_000);
    assert.equal(parseRate('100Mbps'), 12_500_000);
    assert.equal(parseRate('2MiB/s'), 2 * 1024 * 1024);
    assert.equal(parseRate('1.5MB'), 1_500_000);
    assert.equal(parseRate('8'), 1);
    assert.equal(parseRate('1'), 1, 'a tiny limit must not become unlimited');
  });
  test('rejects garbage', () => {
    for (const bad of ['', 'fast', '-5M', '5 X', '1e6', 'M', '10MB/s/s', '5m']) {
      assert.throws(() => parseRate(bad), RangeError, bad);
    }
  });
  test('bytes unit is 8x the bits unit', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('', 'k', 'M', 'G'), (n, p) => {
      assert.equal(parseRate(`${n}${p}B/s`), parseRate(`${n * 8}${p}`));
    }));
  });
});

describe('number options', () => {
  test('parseSeconds', () => {
    assert.equal(parseSeconds('10'), 10_000);
    assert.equal(parseSeconds('0.5'), 500);
    for (const bad of ['0', '-1', 'x', '', '1e3', '100000']) assert.throws(() => parseSeconds(bad), RangeError, bad);
  });
  test('parseIntInRange', () => {
    assert.equal(parseIntInRange('4', 1, 64), 4);
    for (const bad of ['0', '65', '1.5', 'four', '']) assert.throws(() => parseIntInRange(bad, 1, 64), RangeError, bad);
  });
});
