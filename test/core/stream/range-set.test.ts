import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RangeSet } from '../../../src/core/stream/range-set.js';

/** Reference model: a plain set of covered integers in a small universe. */
const UNIVERSE = 64;
function toArray(set: RangeSet): boolean[] {
  const out = new Array<boolean>(UNIVERSE).fill(false);
  for (const r of set) for (let i = r.start; i < r.end; i++) out[i] = true;
  return out;
}

const op = fc.record({
  add: fc.boolean(),
  start: fc.integer({ min: 0, max: UNIVERSE }),
  len: fc.integer({ min: 0, max: 20 }),
});

describe('RangeSet', () => {
  test('matches a bitmap model under random adds and removes, staying sorted and disjoint', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const set = new RangeSet();
        const model = new Array<boolean>(UNIVERSE).fill(false);
        for (const o of ops) {
          const end = Math.min(UNIVERSE, o.start + o.len);
          if (o.add) set.add(o.start, end);
          else set.remove(o.start, end);
          for (let i = o.start; i < end; i++) model[i] = o.add;
        }
        assert.deepEqual(toArray(set), model);
        let prevEnd = -1;
        for (const r of set) {
          assert.ok(r.start < r.end, 'non-empty');
          assert.ok(r.start > prevEnd, 'disjoint and not touching');
          prevEnd = r.end;
        }
      }),
    );
  });

  test('gaps() and covers() agree with the model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), op, (ops, q) => {
        const set = new RangeSet();
        for (const o of ops) if (o.add) set.add(o.start, Math.min(UNIVERSE, o.start + o.len));
        const model = toArray(set);
        const end = Math.min(UNIVERSE, q.start + q.len);
        const inGap = new Array<boolean>(UNIVERSE).fill(false);
        for (const g of set.gaps(q.start, end)) for (let i = g.start; i < g.end; i++) inGap[i] = true;
        for (let i = 0; i < UNIVERSE; i++) {
          const expected = i >= q.start && i < end && !model[i];
          assert.equal(inGap[i], expected, `byte ${i}`);
        }
        const allCovered = model.slice(q.start, end).every((b) => b);
        assert.equal(set.covers(q.start, end), allCovered);
      }),
    );
  });

  test('touching ranges merge into one', () => {
    const set = new RangeSet();
    set.add(10, 20);
    set.add(0, 10);
    set.add(20, 30);
    assert.equal(set.count, 1);
    assert.deepEqual(set.first(), { start: 0, end: 30 });
    assert.equal(set.totalLength(), 30);
  });
});
