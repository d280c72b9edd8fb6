import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimLink } from './harness.js';

const pkt = (tag: number, size = 1000): Uint8Array => new Uint8Array(size).fill(tag);

describe('SimLink', () => {
  test('delivers in send order after delay plus serialization, one by one', () => {
    const link = new SimLink({ rateMbps: 8, delayMs: 10 }); // 1000 bytes per ms
    for (let i = 0; i < 5; i++) link.send(pkt(i), 0);
    assert.equal(link.nextArrival(), 11);
    assert.deepEqual(link.popDue(12.5).map((d) => d[0]), [0, 1]);
    assert.equal(link.nextArrival(), 13);
    assert.deepEqual(link.popDue(100).map((d) => d[0]), [2, 3, 4]);
    assert.equal(link.nextArrival(), null);
    assert.equal(link.delivered, 5);
  });

  test('reordered packets are overtaken but the line stays sorted by arrival', () => {
    const link = new SimLink({ rateMbps: 0, delayMs: 5, reorderPct: 30, reorderMs: 20, seed: 3 });
    for (let i = 0; i < 2000; i++) link.send(pkt(i & 255, 10), i * 0.1);
    let last = -Infinity;
    let out = 0;
    let overtaken = 0;
    let prevTag = -1;
    for (let t = 0; t <= 300; t += 0.5) {
      const next = link.nextArrival();
      if (next !== null) assert.ok(next >= last, 'arrival times never go back');
      for (const d of link.popDue(t)) {
        if (d[0]! < prevTag && prevTag - d[0]! < 128) overtaken++;
        prevTag = d[0]!;
        out++;
      }
      if (next !== null && next <= t) last = next;
    }
    assert.equal(out, 2000);
    assert.ok(overtaken > 50, `some packets were overtaken (${overtaken})`);
  });

  test('burst loss: mean enter / (enter + exit), in runs of about 1 / exit', () => {
    const link = new SimLink({ rateMbps: 0, delayMs: 1, burstLoss: { enterPct: 1, exitPct: 25 }, seed: 3 });
    const n = 200_000;
    const lost: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const before = link.dropped;
      link.send(pkt(0, 10), i);
      lost.push(link.dropped > before);
    }
    const mean = link.dropped / n;
    assert.ok(Math.abs(mean - 1 / 26) < 0.004, `mean loss ${mean}`);
    let runs = 0;
    for (let i = 0; i < n; i++) if (lost[i] && !lost[i - 1]) runs++;
    const runLength = link.dropped / runs;
    assert.ok(runLength > 3.5 && runLength < 4.5, `mean burst ${runLength.toFixed(2)} packets`);
  });

  test('drop-tail queue and the onEnqueue wait', () => {
    const link = new SimLink({ rateMbps: 8, delayMs: 1, queueBytes: 3000 });
    const waits: number[] = [];
    link.onEnqueue = (w) => waits.push(w);
    for (let i = 0; i < 5; i++) link.send(pkt(i), 0);
    assert.equal(link.queueDrops, 2);
    assert.deepEqual(waits, [0, 1, 2]);
    assert.equal(link.queue.length, 3);
  });

  test('a long delay line survives compaction', () => {
    const link = new SimLink({ rateMbps: 0, delayMs: 50 });
    let got = 0;
    for (let i = 0; i < 20_000; i++) {
      link.send(pkt(i & 255, 4), i * 0.01);
      got += link.popDue(i * 0.01).length;
    }
    got += link.popDue(1e9).length;
    assert.equal(got, 20_000);
  });
});
