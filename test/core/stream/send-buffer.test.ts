import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SendBuffer, SEND_BLOCK_SIZE } from '../../../src/core/stream/send-buffer.js';

function pattern(start: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) * 31 % 251;
  return out;
}

describe('SendBuffer', () => {
  test('slices return exactly the written bytes across block edges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(5000)), { maxLength: 20 }),
        (writes, slices) => {
          const buf = new SendBuffer();
          for (const n of writes) buf.append(pattern(buf.end, n));
          for (const [o, l] of slices) {
            if (buf.end === 0) break;
            const offset = o % buf.end;
            const len = Math.min(l, buf.end - offset);
            assert.deepEqual(buf.slice(offset, len), pattern(offset, len));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  test('a slice inside one block is a view, not a copy', () => {
    const buf = new SendBuffer();
    buf.append(pattern(0, 3000));
    const a = buf.slice(100, 1000);
    const b = buf.slice(200, 1000);
    assert.equal(a.buffer, b.buffer);
  });

  test('release() frees whole blocks and keeps the rest readable', () => {
    const buf = new SendBuffer();
    buf.append(pattern(0, 3 * SEND_BLOCK_SIZE + 10));
    const before = buf.allocatedBytes;
    buf.release(2 * SEND_BLOCK_SIZE + 5);
    assert.equal(buf.allocatedBytes, before - 2 * SEND_BLOCK_SIZE);
    assert.deepEqual(buf.slice(2 * SEND_BLOCK_SIZE + 5, 100), pattern(2 * SEND_BLOCK_SIZE + 5, 100));
    assert.throws(() => buf.slice(2 * SEND_BLOCK_SIZE, 10), RangeError);
    buf.clear();
    assert.equal(buf.allocatedBytes, 0);
    assert.equal(buf.end, 3 * SEND_BLOCK_SIZE + 10);
  });

  test('released blocks are reused for new data without mixing up bytes', () => {
    const buf = new SendBuffer();
    for (let round = 0; round < 6; round++) {
      buf.append(pattern(buf.end, 3 * SEND_BLOCK_SIZE + 777));
      buf.release(buf.end - 1000);
      const from = buf.start;
      assert.deepEqual(buf.slice(from, buf.end - from), pattern(from, buf.end - from));
    }
    const edge = buf.end - 500;
    buf.append(pattern(buf.end, SEND_BLOCK_SIZE));
    assert.deepEqual(buf.slice(edge, 5000), pattern(edge, 5000));
  });

  test('small streams allocate small blocks', () => {
    const buf = new SendBuffer();
    buf.append(new Uint8Array(10));
    assert.ok(buf.allocatedBytes < SEND_BLOCK_SIZE / 4, `allocated ${buf.allocatedBytes}`);
  });
});
