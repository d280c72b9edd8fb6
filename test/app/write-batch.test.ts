import { describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { WriteBatcher } from '../../src/app/write-batch.js';

function chunks(n: number, size: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 251));
}

describe('WriteBatcher', () => {
  test('joins small chunks into writes of at least the batch size, bytes in order, one write at a time', async () => {
    const writes: Uint8Array[] = [];
    let running = 0;
    let most = 0;
    const b = new WriteBatcher(async (data) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      writes.push(Buffer.from(data));
      running--;
    }, 16_384, 1_000);
    const input = chunks(100, 1_000);
    for (const c of input) await b.add(c);
    await b.end();
    assert.deepEqual(Buffer.concat(writes), Buffer.concat(input));
    assert.equal(most, 1);
    for (const w of writes.slice(0, -1)) assert.ok(w.length >= 16_384, `a write of ${w.length} bytes`);
    assert.equal(writes.length, Math.ceil(100_000 / 17_000));
  });

  test('a batch that does not fill is written after the idle time', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const writes: number[] = [];
      const b = new WriteBatcher(async (data) => void writes.push(data.length), 65_536, 50);
      await b.add(Buffer.alloc(3_000));
      await b.add(Buffer.alloc(2_000));
      mock.timers.tick(49);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(writes, []);
      mock.timers.tick(1);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(writes, [5_000]);
      await b.add(Buffer.alloc(10));
      await b.end();
      assert.deepEqual(writes, [5_000, 10]);
    } finally {
      mock.timers.reset();
    }
  });

  test('a failed write surfaces on the next add or on end, and nothing is written after it', async () => {
    const written: number[] = [];
    let calls = 0;
    const b = new WriteBatcher(async (data) => {
      if (++calls === 2) throw new Error('ENOSPC: no space left on device');
      written.push(data.length);
    }, 4_096, 1_000);
    const attempt = async (): Promise<void> => {
      for (const c of chunks(20, 1_024)) await b.add(c);
      await b.end();
    };
    await assert.rejects(attempt, /ENOSPC/);
    assert.deepEqual(written, [4_096]);
    await assert.rejects(() => b.end(), /ENOSPC/);
    assert.equal(calls, 2);
  });
});
