// The receiver's side of ACK_FREQUENCY (draft-ietf-quic-ack-frequency §4, §6): AckTracker applies
// the newest request, acks after the requested count or delay, and for reordering only as far as
// the requested threshold says, while a PING still draws an ACK at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AckTracker, type AckFrequencyRequest } from '../../../src/core/recovery/ack-tracker.js';

const request = (seq: number, ackElicitingThreshold: number, maxAckDelayMs: number, reorderThreshold: number): AckFrequencyRequest => ({
  seq,
  ackElicitingThreshold,
  maxAckDelayMs,
  reorderThreshold,
});

/** Feeds ack-eliciting pns at 1 ms steps from `start`; returns the pns after which an ACK was due (and sent). */
function acksFor(a: AckTracker, pns: number[], start = 0): number[] {
  const sentAfter: number[] = [];
  pns.forEach((pn, i) => {
    const now = start + i;
    a.onPacketReceived(pn, true, now);
    if (a.shouldAckNow(now)) {
      a.onAckSent(now);
      sentAfter.push(pn);
    }
  });
  return sentAfter;
}

describe('AckTracker: ACK_FREQUENCY requests', () => {
  test('before any request: every 2nd packet, 25 ms at most, any gap at once (RFC 9000 §13.2)', () => {
    const a = new AckTracker();
    assert.deepEqual(acksFor(a, [0, 1, 2, 3, 5]), [1, 3, 5]);
  });

  test('ack-eliciting threshold T: the (T+1)th unacknowledged packet makes the ACK due', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 9, 10, 1));
    assert.equal(a.ackElicitingThreshold, 10);
    for (let pn = 0; pn < 9; pn++) a.onPacketReceived(pn, true, 100);
    assert.equal(a.ackDeadline(), 110, 'nine packets wait for the requested delay');
    a.onPacketReceived(9, true, 101);
    assert.equal(a.shouldAckNow(101), true);
  });

  test('only a higher sequence number replaces the request in force', () => {
    const a = new AckTracker();
    a.applyFrequency(request(5, 15, 10, 3));
    a.applyFrequency(request(4, 1, 2, 1));
    a.applyFrequency(request(5, 1, 2, 1));
    assert.equal(a.ackElicitingThreshold, 16);
    assert.equal(a.maxAckDelayMs, 10);
    a.applyFrequency(request(6, 3, 4, 3));
    assert.equal(a.ackElicitingThreshold, 4);
    assert.equal(a.maxAckDelayMs, 4);
  });

  test('a delay below the timer granularity is raised to it; absurd counts are capped', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER));
    assert.equal(a.maxAckDelayMs, 1);
    assert.ok(Number.isSafeInteger(a.ackElicitingThreshold + 1) && a.ackElicitingThreshold <= 2 ** 20 + 1);
  });

  test('reordering threshold 0: a gap alone never makes an ACK due', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 100, 50, 0));
    assert.deepEqual(acksFor(a, [0, 5, 3, 9, 1]), []);
    assert.equal(a.ackDeadline(), 50, 'the delay still bounds the wait');
  });

  test('reordering threshold 3 acks exactly as draft §6.2.1 table 1', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 100, 1000, 3));
    assert.deepEqual(acksFor(a, [0, 1, 3, 4, 5, 8, 9, 10]), [5, 9, 10]);
  });

  test('reordering threshold 5 acks exactly as draft §6.2.1 table 2', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 100, 1000, 5));
    assert.deepEqual(acksFor(a, [0, 1, 3, 5, 6, 7, 8, 9]), [7, 9]);
  });

  test('a packet the sender has already declared lost is acked at once (it shows the loss was spurious)', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 100, 1000, 3));
    const order = [0, 1, 2, 4, 5, 6, 7];
    assert.deepEqual(acksFor(a, order), [6], '6 - 3 >= 3: the sender can declare 3 lost');
    // 3 arrives late, at or below largest acked (6) - 3: the sender has declared it lost.
    assert.deepEqual(acksFor(a, [3], order.length), [3]);
  });

  test('a reordering of fewer packets than the threshold draws no immediate ACK', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 100, 1000, 3));
    // Jitter: every pair swapped, each packet at most 1 late.
    assert.deepEqual(acksFor(a, [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]), []);
  });

  test('a PING is still acked at once, and twice, whatever the request', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 1000, 1000, 0));
    a.onPacketReceived(0, true, 0);
    assert.equal(a.shouldAckNow(0), false);
    a.onPacketReceived(1, true, 1, true);
    assert.equal(a.shouldAckNow(1), true);
    a.onAckSent(1);
    assert.equal(a.repeatOwed, true);
  });

  test('duplicates count neither as received nor towards the threshold', () => {
    const a = new AckTracker();
    a.applyFrequency(request(0, 2, 1000, 1));
    a.onPacketReceived(0, true, 0);
    a.onPacketReceived(1, true, 0);
    assert.equal(a.onPacketReceived(1, true, 0), false);
    assert.equal(a.onPacketReceived(0, true, 0), false);
    assert.equal(a.received, 2);
    assert.equal(a.shouldAckNow(0), false, 'two distinct packets of three');
    a.onPacketReceived(2, true, 0);
    assert.equal(a.shouldAckNow(0), true);
  });
});
