import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AckTracker, MAX_ACK_RANGES } from '../../../src/core/recovery/ack-tracker.js';

describe('AckTracker: ranges and duplicates', () => {
  test('in-order packets form one range', () => {
    const a = new AckTracker();
    for (let pn = 0; pn < 5; pn++) assert.equal(a.onPacketReceived(pn, true, pn), true);
    assert.deepEqual(a.buildAck(10)!.ranges, [{ start: 0, end: 4 }]);
  });

  test('gaps give several ranges, newest first; filling a gap merges', () => {
    const a = new AckTracker();
    for (const pn of [0, 1, 4, 5, 9]) a.onPacketReceived(pn, false, 0);
    assert.deepEqual(a.buildAck(0)!.ranges, [
      { start: 9, end: 9 },
      { start: 4, end: 5 },
      { start: 0, end: 1 },
    ]);
    a.onPacketReceived(3, false, 0);
    a.onPacketReceived(2, false, 0);
    assert.deepEqual(a.buildAck(0)!.ranges, [
      { start: 9, end: 9 },
      { start: 0, end: 5 },
    ]);
  });

  test('duplicates are refused', () => {
    const a = new AckTracker();
    assert.equal(a.onPacketReceived(7, true, 0), true);
    assert.equal(a.onPacketReceived(7, true, 1), false);
    assert.equal(a.isDuplicate(7), true);
    assert.equal(a.isDuplicate(6), false);
  });

  test('buildAck sends at most 64 ranges, the newest', () => {
    const a = new AckTracker();
    for (let i = 0; i < 100; i++) a.onPacketReceived(i * 2, false, 0);
    const ack = a.buildAck(0)!;
    assert.equal(ack.ranges.length, MAX_ACK_RANGES);
    assert.deepEqual(ack.ranges[0], { start: 198, end: 198 });
    assert.deepEqual(ack.ranges[63], { start: 72, end: 72 });
  });

  test('ack delay is the time since the largest pn arrived, in microseconds', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, true, 100);
    a.onPacketReceived(2, true, 103);
    a.onPacketReceived(1, true, 104); // reordered, not the largest
    assert.equal(a.buildAck(110.5)!.ackDelayMicros, 7500);
  });

  test('nothing received: no ACK', () => {
    assert.equal(new AckTracker().buildAck(0), null);
  });

  test('pruneBelow forgets old ranges and treats them as duplicates', () => {
    const a = new AckTracker();
    for (const pn of [0, 1, 2, 5, 6, 9]) a.onPacketReceived(pn, false, 0);
    a.pruneBelow(6);
    assert.deepEqual(a.rangesAscending(), [
      { start: 6, end: 6 },
      { start: 9, end: 9 },
    ]);
    assert.equal(a.isDuplicate(3), true); // below the floor, though never received
    assert.equal(a.onPacketReceived(4, true, 0), false);
    assert.equal(a.isDuplicate(7), false);
    assert.equal(a.onPacketReceived(7, true, 0), true);
  });

  test('memory is bounded: beyond the cap the oldest ranges go, and they count as duplicates', () => {
    const a = new AckTracker(25, 2, 8);
    for (let i = 0; i < 50; i++) a.onPacketReceived(i * 3, false, 0);
    const kept = a.rangesAscending();
    assert.equal(kept.length, 8);
    assert.equal(kept[0]!.start, 42 * 3);
    assert.equal(a.isDuplicate(10), true);
    assert.equal(a.isDuplicate(43 * 3 + 1), false);
  });

  test('property: duplicate detection matches a model set above the floor', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { maxLength: 400 }), fc.nat(300), (pns, pruneAt) => {
        const a = new AckTracker(25, 2, 16);
        const seen = new Set<number>();
        const half = pns.length >> 1;
        pns.forEach((pn, i) => {
          if (i === half) a.pruneBelow(pruneAt);
          const fresh = a.onPacketReceived(pn, true, i);
          // Never report a pn as fresh twice; above the floor, fresh iff not seen before.
          if (seen.has(pn)) assert.equal(fresh, false);
          if (pn >= a.floor && !seen.has(pn)) assert.equal(fresh, true);
          if (pn < a.floor) assert.equal(a.isDuplicate(pn), true);
          seen.add(pn);
        });
        const ranges = a.rangesAscending();
        assert.ok(ranges.length <= 16);
        for (let i = 0; i < ranges.length; i++) {
          const r = ranges[i]!;
          assert.ok(r.start <= r.end);
          if (i > 0) assert.ok(r.start > ranges[i - 1]!.end + 1, 'ranges disjoint and not adjacent');
          for (let pn = r.start; pn <= r.end; pn++) assert.ok(seen.has(pn), `range holds unseen ${pn}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('AckTracker: when to ACK', () => {
  test('one ack-eliciting packet: ACK due after max ack delay', () => {
    const a = new AckTracker(25, 2);
    a.onPacketReceived(0, true, 100);
    assert.equal(a.ackDeadline(), 125);
    assert.equal(a.shouldAckNow(124.9), false);
    assert.equal(a.shouldAckNow(125), true);
  });

  test('second ack-eliciting packet: ACK now', () => {
    const a = new AckTracker(25, 2);
    a.onPacketReceived(0, true, 100);
    a.onPacketReceived(1, true, 101);
    assert.equal(a.shouldAckNow(101), true);
  });

  test('non-ack-eliciting packets alone never call for an ACK', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, false, 0);
    a.onPacketReceived(1, false, 0);
    assert.equal(a.ackDeadline(), null);
    assert.equal(a.shouldAckNow(1000), false);
    assert.equal(a.hasNewSinceAck, true);
  });

  test('a gap triggers an immediate ACK', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, true, 0);
    a.onAckSent(0);
    a.onPacketReceived(2, true, 1);
    assert.equal(a.shouldAckNow(1), true);
  });

  test('a reordered (older) packet triggers an immediate ACK', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, true, 0);
    a.onPacketReceived(2, true, 1);
    a.onAckSent(0);
    a.onPacketReceived(1, true, 2);
    assert.equal(a.shouldAckNow(2), true);
  });

  test('in-order after a non-eliciting packet is not a gap', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, true, 0);
    a.onAckSent(0);
    a.onPacketReceived(1, false, 1);
    a.onPacketReceived(2, true, 2);
    assert.equal(a.shouldAckNow(2), false);
    assert.equal(a.ackDeadline(), 27);
  });

  test('a packet that asks for an answer (a PING: probes, keep-alives) is acked at once', () => {
    const a = new AckTracker(25, 2);
    a.onPacketReceived(0, true, 100, true);
    assert.equal(a.shouldAckNow(100), true);
    a.onAckSent(100);
    a.onPacketReceived(1, true, 101);
    assert.equal(a.shouldAckNow(101), false);
  });

  test('a PING is answered twice: after the due ACK one copy is owed, and only one', () => {
    const a = new AckTracker(25, 2);
    a.onPacketReceived(0, true, 100, true);
    a.onAckSent(100);
    assert.equal(a.repeatOwed, true);
    a.onAckSent(100);
    assert.equal(a.repeatOwed, false);
    a.onPacketReceived(1, true, 101);
    assert.equal(a.repeatOwed, false, 'an ordinary packet owes no copy');
  });

  test('onAckSent resets the pending state but keeps the ranges', () => {
    const a = new AckTracker();
    a.onPacketReceived(0, true, 0);
    a.onPacketReceived(1, true, 0);
    a.onAckSent(0);
    assert.equal(a.ackDeadline(), null);
    assert.equal(a.shouldAckNow(1000), false);
    assert.equal(a.hasNewSinceAck, false);
    assert.deepEqual(a.buildAck(5)!.ranges, [{ start: 0, end: 1 }]);
  });
});

describe('AckTracker: arrival order (RTT samples of ACKs that overtook others)', () => {
  test('a packet is in order once its three predecessors arrived before it', () => {
    const a = new AckTracker();
    for (let pn = 0; pn < 10; pn++) {
      a.onPacketReceived(pn, false, pn);
      assert.equal(a.arrivedInOrder, true, `pn ${pn}`);
    }
  });

  test('one that skipped ahead of packets still on the way is not, nor are the late ones', () => {
    const a = new AckTracker();
    for (let pn = 0; pn < 10; pn++) a.onPacketReceived(pn, false, pn);
    a.onPacketReceived(14, false, 10); // 10-13 are still in the delay line
    assert.equal(a.arrivedInOrder, false);
    for (const pn of [10, 11, 12, 13]) {
      a.onPacketReceived(pn, false, 11);
      assert.equal(a.arrivedInOrder, false, `late pn ${pn}`);
    }
    a.onPacketReceived(15, false, 12);
    assert.equal(a.arrivedInOrder, true);
  });

  test('two skipping in a row are caught: the second still has a missing predecessor', () => {
    const a = new AckTracker();
    for (let pn = 0; pn < 10; pn++) a.onPacketReceived(pn, false, pn);
    a.onPacketReceived(13, false, 10);
    a.onPacketReceived(14, false, 10);
    assert.equal(a.arrivedInOrder, false);
  });

  test('a lost predecessor costs the next three packets their in-order mark, no more', () => {
    const a = new AckTracker();
    for (let pn = 0; pn < 10; pn++) a.onPacketReceived(pn, false, pn);
    const marks: boolean[] = [];
    for (let pn = 11; pn < 16; pn++) {
      a.onPacketReceived(pn, false, pn);
      marks.push(a.arrivedInOrder);
    }
    // 11 opens a new range; from 14 on the range reaches back three packets again.
    assert.deepEqual(marks, [false, false, false, true, true]);
  });
});
