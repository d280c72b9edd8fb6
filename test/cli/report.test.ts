import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureLines, failureMessage, goodput, statsLines, summaryLine } from '../../src/cli/report.js';
import { fitName, renderBar, renderBarLine } from '../../src/cli/bar-line.js';
import { summary } from './fakes.js';

test('summary line has items, bytes, time and goodput', () => {
  const s = summary([{ name: 'a', bytes: 32 * 1024 * 1024 }, { name: 'b', bytes: 32 * 1024 * 1024 }, { name: 'c', bytes: 0 }], 2000);
  assert.equal(summaryLine(s), '3 items, 64.0 MiB in 2.00 s, 32.0 MiB/s (268 Mbit/s)');
  assert.equal(failureMessage(s), null);
  assert.deepEqual(failureLines(s), []);
});

test('failed items are counted and listed one per line', () => {
  const s = summary([{ name: 'a', bytes: 5 }, { name: 'b', bytes: 0, ok: false, error: 'exists' }], 500);
  assert.match(summaryLine(s), /^2 items \(1 failed\), 5 B in 500 ms/);
  assert.equal(failureMessage(s), '1 of 2 items failed');
  assert.deepEqual(failureLines(s), ['failed: b: exists']);
});

test('goodput guards a zero duration', () => {
  assert.equal(goodput(100, 0), 0);
  assert.equal(goodput(1000, 500), 2000);
});

test('stats are aligned key/value lines', () => {
  assert.deepEqual(statsLines({ rttMs: 1.25, lost: 3, cc: 'bbr' }), ['connection stats:', '  rttMs  1.25', '  lost   3', '  cc     bbr']);
});

test('bar line shows name, bar, sizes, rate and ETA', () => {
  const line = renderBarLine({ name: 'movie.mkv', bytes: 512 * 1024, total: 1024 * 1024, rate: 1024 * 1024, eta: 0.5, columns: 120 });
  assert.match(line, /^movie\.mkv\s+\[█{10}░{10}\]\s+512 KiB \/ 1\.00 MiB\s+1\.00 MiB\/s\s+ETA 0:01$/);
  const pipe = renderBarLine({ name: 'stdin', bytes: 2048, total: null, rate: 0, eta: null, columns: 80 });
  assert.ok(!pipe.includes('ETA') && !pipe.includes('['), pipe);
  assert.match(pipe, /2\.00 KiB/);
  const empty = renderBarLine({ name: 'e', bytes: 0, total: 0, rate: 0, eta: null, columns: 80 });
  assert.match(empty, /\[█{20}\]/, 'an empty file is complete');
});

test('long names keep their end and fit the width', () => {
  assert.equal(fitName('abcdefghij', 5), '…ghij');
  assert.equal(fitName('ab', 4), 'ab  ');
  assert.equal(renderBar(2, 4), '████');
  assert.equal(renderBar(NaN, 4), '░░░░');
  const line = renderBarLine({ name: 'x'.repeat(200), bytes: 1, total: 2, rate: 1, eta: 1, columns: 100 });
  assert.ok(line.length <= 100, String(line.length));
});
