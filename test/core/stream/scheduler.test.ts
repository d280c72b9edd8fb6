import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoundRobinScheduler } from '../../../src/core/stream/scheduler.js';

describe('RoundRobinScheduler', () => {
  test('empty scheduler yields undefined', () => {
    const s = new RoundRobinScheduler();
    assert.equal(s.next(), undefined);
    assert.equal(s.size, 0);
  });

  test('rotates through active ids in insertion order', () => {
    const s = new RoundRobinScheduler();
    for (const id of [4, 0, 8]) s.add(id);
    s.add(0); // duplicate add is a no-op
    const got = Array.from({ length: 7 }, () => s.next());
    assert.deepEqual(got, [4, 0, 8, 4, 0, 8, 4]);
    assert.equal(s.size, 3);
  });

  test('removal of the current and other ids keeps the rotation', () => {
    const s = new RoundRobinScheduler();
    for (const id of [1, 2, 3, 4]) s.add(id);
    assert.equal(s.next(), 1);
    s.remove(2); // was next in turn
    assert.equal(s.next(), 3);
    s.remove(1);
    assert.deepEqual([s.next(), s.next(), s.next()], [4, 3, 4]);
    assert.equal(s.has(1), false);
    s.remove(3);
    s.remove(4);
    assert.equal(s.next(), undefined);
  });

  test('a newly added id waits until every active id had its turn', () => {
    const s = new RoundRobinScheduler();
    for (const id of [1, 2, 3]) s.add(id);
    assert.equal(s.next(), 1);
    s.add(9);
    assert.deepEqual([s.next(), s.next(), s.next(), s.next(), s.next()], [2, 3, 1, 9, 2]);
  });

  test('fairness: over any window of k*n calls each of n active ids gets exactly k turns', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(1000), { maxLength: 10 }),
        fc.integer({ min: 1, max: 5 }),
        (ids, churn, k) => {
          const s = new RoundRobinScheduler();
          for (const id of ids) s.add(id);
          // Some churn first: removals and re-adds must not break fairness afterwards.
          for (const c of churn) {
            s.next();
            if (s.has(c)) s.remove(c);
            else s.add(c);
          }
          const active = s.ids();
          if (active.length === 0) return;
          const counts = new Map<number, number>();
          for (let i = 0; i < k * active.length; i++) {
            const id = s.next()!;
            counts.set(id, (counts.get(id) ?? 0) + 1);
          }
          assert.equal(counts.size, active.length);
          for (const id of active) assert.equal(counts.get(id), k);
        },
      ),
    );
  });
});
