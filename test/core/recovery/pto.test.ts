import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';
import {
  PtoBackoff,
  ptoDeadline,
  ptoDuration,
  nextRecoveryTimer,
  persistentCongestionDuration,
  isPersistentCongestion,
  PTO_CEILING_MS,
} from '../../../src/core/recovery/pto.js';

function sampled(srtt: number, maxAckDelay = 25): RttEstimator {
  const r = new RttEstimator(333, maxAckDelay);
  r.update(srtt, 0, 0);
  return r;
}

describe('PTO', () => {
  test('backoff doubles per firing and resets on ACK', () => {
    const rtt = sampled(50); // base = 50 + 100 + 25 = 175
    const b = new PtoBackoff();
    assert.equal(b.deadline(1000, 1, rtt), 1175);
    b.onPtoFired();
    assert.equal(b.count, 1);
    assert.equal(b.deadline(1000, 1, rtt), 1350);
    b.onPtoFired();
    assert.equal(b.deadline(1000, 1, rtt), 1000 + 4 * 175);
    b.reset();
    assert.equal(b.deadline(1000, 1, rtt), 1175);
  });

  test('deadline depends on the last ack-eliciting send, not on when it is asked', () => {
    const rtt = sampled(50);
    assert.equal(ptoDeadline(200, 3, rtt, 0), 200 + rtt.ptoBase());
    assert.equal(ptoDeadline(200, 3, rtt, 0), ptoDeadline(200, 3, rtt, 0));
  });

  test('no PTO without ack-eliciting packets in flight', () => {
    const rtt = sampled(50);
    assert.equal(ptoDeadline(200, 0, rtt, 0), null);
    assert.equal(ptoDeadline(null, 2, rtt, 0), null);
  });

  test(`backoff stops at ${PTO_CEILING_MS} ms, or at two base PTOs on a slower path`, () => {
    const rtt = sampled(50); // base 50 + 100 + 25 = 175
    assert.equal(ptoDuration(rtt, 2), 700);
    assert.equal(ptoDuration(rtt, 3), PTO_CEILING_MS);
    assert.equal(ptoDuration(rtt, 5000), PTO_CEILING_MS);
    const slow = sampled(600); // base 600 + 1200 + 25 = 1825
    assert.equal(ptoDuration(slow, 1), 2 * 1825);
    assert.equal(ptoDuration(slow, 30), 2 * 1825);
  });

  test('loss timer takes precedence over PTO', () => {
    assert.deepEqual(nextRecoveryTimer(50, 40), { kind: 'loss', at: 50 });
    assert.deepEqual(nextRecoveryTimer(null, 40), { kind: 'pto', at: 40 });
    assert.equal(nextRecoveryTimer(null, null), null);
  });
});

describe('persistent congestion (RFC 9002 §7.6)', () => {
  // srtt 100, rttvar 50, max ack delay 25: (100 + 200 + 25) * 3 = 975
  const rtt = sampled(100);
  const lost = (pn: number, timeSent: number, ackEliciting = true) => ({ pn, timeSent, ackEliciting });

  test('duration = 3 * (srtt + max(4 rttvar, 1) + max_ack_delay)', () => {
    assert.equal(persistentCongestionDuration(rtt), 975);
  });

  test('span longer than the duration is persistent congestion', () => {
    assert.equal(isPersistentCongestion([lost(1, 10), lost(2, 500), lost(3, 986)], rtt), true);
  });

  test('span equal to the duration is not', () => {
    assert.equal(isPersistentCongestion([lost(1, 10), lost(2, 985)], rtt), false);
  });

  test('only ack-eliciting packets bound the span', () => {
    assert.equal(isPersistentCongestion([lost(1, 10, false), lost(2, 20), lost(3, 1000, false)], rtt), false);
  });

  test('an interruption (something acked in between) restarts the span', () => {
    const pkts = [lost(1, 10), lost(5, 500), lost(6, 1200)];
    assert.equal(isPersistentCongestion(pkts, rtt, (a, b) => b - a > 1), false);
    assert.equal(isPersistentCongestion(pkts, rtt, () => false), true);
  });

  test('packets sent before the first RTT sample do not count', () => {
    const r = new RttEstimator(333, 25);
    r.update(100, 0, 500);
    assert.equal(isPersistentCongestion([lost(1, 10), lost(2, 1400)], r), false);
    assert.equal(isPersistentCongestion([lost(1, 501), lost(2, 1500)], r), true);
  });

  test('no verdict without an RTT sample', () => {
    assert.equal(isPersistentCongestion([lost(1, 0), lost(2, 1e6)], new RttEstimator()), false);
  });
});
