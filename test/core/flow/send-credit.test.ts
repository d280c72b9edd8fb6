import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SendCredit } from '../../../src/core/flow/send-credit.js';

describe('SendCredit', () => {
  test('available never goes negative', () => {
    const c = new SendCredit(1000);
    assert.equal(c.available(0), 1000);
    assert.equal(c.available(400), 600);
    assert.equal(c.available(1000), 0);
    assert.equal(c.available(1500), 0);
  });

  test('update only grows the limit and says when it did', () => {
    const c = new SendCredit(1000);
    assert.equal(c.update(900), false);
    assert.equal(c.limit, 1000);
    assert.equal(c.update(1000), false);
    assert.equal(c.update(2000), true);
    assert.equal(c.limit, 2000);
  });

  test('any permutation with duplicates of updates ends at the max', () => {
    fc.assert(
      fc.property(
        fc.nat(1 << 30),
        fc.array(fc.nat(1 << 30), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (initial, limits, picks) => {
          // Deliver every limit at least once, plus random duplicates, in a shuffled order.
          const deliveries = [...limits, ...picks.map((p) => limits[p % limits.length]!)];
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = (picks[i % Math.max(1, picks.length)] ?? i) % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          const c = new SendCredit(initial);
          let grew = 0;
          for (const l of deliveries) if (c.update(l)) grew++;
          const max = Math.max(initial, ...limits);
          assert.equal(c.limit, max);
          assert.ok(grew <= new Set(limits).size, 'each distinct value can grow the credit at most once');
        },
      ),
    );
  });

  test('blockedAt reports each limit once, only when blocked', () => {
    const c = new SendCredit(1000);
    assert.equal(c.blockedAt(999), null);
    assert.equal(c.blockedAt(1000), 1000);
    assert.equal(c.blockedAt(1000), null, 'already reported');
    c.update(1500);
    assert.equal(c.blockedAt(1200), null);
    assert.equal(c.blockedAt(1500), 1500);
    assert.equal(c.blockedAt(1500), null);
  });
});
