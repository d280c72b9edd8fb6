import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jain, percentile, Samples } from '../../bench/lib/measure.js';
import { SharedBottleneck } from '../../bench/lib/shared-net.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { categorise, topSelf } from '../../bench/lib/profile.mjs';

describe('bench measures', () => {
  test('Jain index: 1 for equal shares, 1/n for one hog', () => {
    assert.equal(jain([5, 5, 5]), 1);
    assert.equal(jain([9, 0, 0]), 1 / 3);
    assert.ok(Math.abs(jain([3, 1]) - 0.8) < 1e-12);
  });

  test('nearest-rank percentiles over the steady-state window', () => {
    const s = new Samples();
    for (let i = 1; i <= 2000; i++) s.add(i, i % 100);
    const v = s.sortedSince(1001);
    assert.equal(v.length, 1000);
    assert.equal(percentile(v, 50), 49);
    assert.equal(percentile(v, 95), 94);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});

describe('SharedBottleneck', () => {
  test('serves all flows FIFO at the link rate and drops at the tail', () => {
    const link = new SharedBottleneck({ rateMbps: 8, rttMs: 20, lossPct: 0, queueBytes: 5000, seed: 1 });
    for (let i = 0; i < 8; i++) link.send(i % 2, new Uint8Array(1000).fill(i), 0);
    assert.equal(link.queueDrops, 3);
    const got: [number, number, number][] = [];
    for (let t = 0; t <= 30; t += 0.25) link.popDue(t, (flow, d) => got.push([t, flow, d[0]!]));
    assert.deepEqual(got.map((g) => g[2]), [0, 1, 2, 3, 4]);
    assert.deepEqual(got.map((g) => g[1]), [0, 1, 0, 1, 0]);
    // 1000 bytes take 1 ms at 8 Mbit/s, then 10 ms of one-way delay.
    assert.deepEqual(got.map((g) => g[0]), [11, 12, 13, 14, 15]);
  });

  test('random loss drops about the configured share before the queue', () => {
    const link = new SharedBottleneck({ rateMbps: 0.001, rttMs: 0, lossPct: 10, queueBytes: Infinity, seed: 5 });
    for (let i = 0; i < 10_000; i++) link.send(0, new Uint8Array(1), 0);
    assert.ok(link.randomDrops > 850 && link.randomDrops < 1150, `${link.randomDrops}`);
    assert.equal(link.queueDrops, 0);
  });
});

describe('loopback profile breakdown', () => {
  test('sorts V8 samples into categories weighted by their time, largest first', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('doSend', 'node:dgram') },
        { id: 2, callFrame: frame('(garbage collector)', '') },
        { id: 3, callFrame: frame('buildPacket', 'file:///x/dist/core/conn/connection.js') },
        { id: 4, callFrame: frame('update', 'node:internal/crypto/cipher') },
      ],
      samples: [1, 1, 2, 3, 4, 99],
      timeDeltas: [30, 30, 20, 15, 5, 1000],
    };
    const b = categorise(profile);
    assert.deepEqual(
      b.shares.map(([k, v]) => [k.split(' ')[0], v]),
      [['UDP', 60], ['garbage', 20], ['protocol', 15], ['AEAD', 5]],
    );
  });

  test('bundled frames count as the source module esbuild marked above their line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfer-prof-'));
    try {
      mkdirSync(join(dir, 'dist/bundle'), { recursive: true });
      const file = join(dir, 'dist/bundle/xfer.mjs');
      writeFileSync(file, ['// src/io/udp.ts', 'function a() {}', '// src/core/connection.ts', 'function b() {}'].join('\n'));
      const url = pathToFileURL(file).href;
      const profile = {
        nodes: [
          { id: 1, callFrame: { functionName: 'a', url, lineNumber: 1 } },
          { id: 2, callFrame: { functionName: 'b', url, lineNumber: 3 } },
        ],
        samples: [1, 2, 2],
        timeDeltas: [10, 10, 10],
      };
      assert.deepEqual(categorise(profile).shares.map(([k]) => k.split(' ')[0]), ['protocol', 'xfer']);
      assert.deepEqual(topSelf(profile, 1, dir).map(([k]) => k), ['b src/core/connection.ts (xfer.mjs:4)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
