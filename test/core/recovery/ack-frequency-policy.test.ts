// The sender's ACK_FREQUENCY policy: what it asks for, when it tells the peer, the max ack delay
// the probe timeout must assume (draft-ietf-quic-ack-frequency §7), and the backoff on a full
// return path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AckFrequencyPolicy,
  MAX_ACK_EVERY,
  MAX_BACKOFF,
  MIN_ACK_EVERY,
  RELAX_AFTER_RTTS,
  type AckFrequencyInputs,
} from '../../../src/core/recovery/ack-frequency-policy.js';
import { ReturnPathWatch, RETURN_WINDOW_PACKETS } from '../../../src/core/recovery/return-path.js';
import { PACKET_THRESHOLD } from '../../../src/core/recovery/sent-packets.js';

const MSS = 1000;
const inputs = (cwndPackets: number, srttMs: number, slowStart = false): AckFrequencyInputs => ({
  cwndBytes: cwndPackets * MSS,
  datagramSize: MSS,
  srttMs,
  slowStart,
});

describe('AckFrequencyPolicy: what to ask for', () => {
  test('a sixteenth of the window, at least every 2nd packet, at most every 64th', () => {
    const p = new AckFrequencyPolicy();
    assert.equal(p.target(inputs(10, 50)).ackEvery, MIN_ACK_EVERY);
    assert.equal(p.target(inputs(320, 50)).ackEvery, 20);
    assert.equal(p.target(inputs(5000, 50)).ackEvery, MAX_ACK_EVERY);
  });

  test('slow start keeps every 2nd packet: the window grows per ACK, and STARTUP reads the ACK train', () => {
    const p = new AckFrequencyPolicy();
    assert.equal(p.target(inputs(640, 50, true)).ackEvery, MIN_ACK_EVERY);
    assert.equal(p.target(inputs(640, 50, false)).ackEvery, 40);
  });

  test('max ack delay an eighth of the RTT, never above 25 ms nor below the timer granularity', () => {
    const p = new AckFrequencyPolicy();
    assert.equal(p.target(inputs(10, 80)).maxAckDelayMs, 10);
    assert.equal(p.target(inputs(10, 333)).maxAckDelayMs, 25);
    assert.equal(p.target(inputs(10, 4)).maxAckDelayMs, 1);
  });

  test('the reordering threshold is loss detection packet threshold, and follows it', () => {
    const p = new AckFrequencyPolicy();
    assert.equal(p.target(inputs(10, 40)).reorderThreshold, PACKET_THRESHOLD);
    p.setReorderThreshold(12);
    assert.equal(p.target(inputs(10, 40)).reorderThreshold, 12);
  });
});

describe('AckFrequencyPolicy: when to send', () => {
  test('the first request goes at once, in draft units (threshold = packets before the due one)', () => {
    const p = new AckFrequencyPolicy();
    assert.deepEqual(p.poll(0, inputs(320, 80)), {
      type: 'ack_frequency',
      seq: 0,
      ackElicitingThreshold: 19,
      requestedMaxAckDelayMicros: 10_000,
      reorderThreshold: PACKET_THRESHOLD,
    });
    assert.equal(p.poll(1, inputs(320, 80)), null, 'nothing changed');
  });

  test('fewer ACKs: a material change at most once per smoothed RTT; a small one not at all', () => {
    const p = new AckFrequencyPolicy();
    p.poll(0, inputs(320, 80));
    assert.equal(p.poll(10, inputs(640, 80)), null, 'within one RTT of the last');
    assert.equal(p.poll(80, inputs(640, 80))?.seq, 1);
    assert.equal(p.poll(400, inputs(800, 88)), null, '40 -> 50 packets, 10 -> 11 ms: not material');
    p.setReorderThreshold(7);
    assert.equal(p.poll(400, inputs(640, 80))?.reorderThreshold, 7);
  });

  test('more ACKs go at once: a window that shrank below the spacing must not wait out the delay', () => {
    const p = new AckFrequencyPolicy();
    p.poll(0, inputs(640, 80));
    assert.equal(p.poll(1, inputs(4, 80))?.ackElicitingThreshold, MIN_ACK_EVERY - 1, 'PROBE_RTT: 4 packets');
  });

  test('a lost latest request goes again at once, as a new one; a lost older one does not', () => {
    const p = new AckFrequencyPolicy();
    p.poll(0, inputs(320, 80));
    p.poll(80, inputs(640, 80));
    p.onLost(0);
    assert.equal(p.poll(81, inputs(640, 80)), null, 'seq 1 supersedes seq 0');
    p.onLost(1);
    const again = p.poll(82, inputs(640, 80));
    assert.equal(again?.seq, 2);
    assert.equal(again?.ackElicitingThreshold, 39);
  });
});

describe('AckFrequencyPolicy: the max ack delay the probe timeout assumes (draft §7)', () => {
  test('the larger of the one in force and any in flight, until acknowledged', () => {
    const p = new AckFrequencyPolicy();
    assert.equal(p.ptoMaxAckDelayMs(), 25, 'RFC 9000 default before any request');
    p.poll(0, inputs(160, 80)); // asks for 10 ms
    assert.equal(p.ptoMaxAckDelayMs(), 25, 'the peer may still use 25 ms');
    p.onAcked(0);
    assert.equal(p.ptoMaxAckDelayMs(), 10);
    p.poll(200, inputs(160, 160)); // asks for 20 ms
    assert.equal(p.ptoMaxAckDelayMs(), 20, 'a larger one in flight counts at once');
    p.onLost(1);
    assert.equal(p.ptoMaxAckDelayMs(), 10, 'lost: the peer never heard of it');
  });

  test('an older request acknowledged after a newer one changes nothing', () => {
    const p = new AckFrequencyPolicy();
    p.poll(0, inputs(160, 160)); // 20 ms
    p.poll(100, inputs(160, 80)); // 10 ms
    p.onAcked(1);
    p.onAcked(0);
    assert.equal(p.ptoMaxAckDelayMs(), 10);
  });
});

describe('AckFrequencyPolicy: backoff when the return path is full', () => {
  const congested = { span: 32, lost: 8, queueing: true, forwardLoss: 0 };

  test('ACKs lost while a queue stands double the spacing, up to 4x', () => {
    const p = new AckFrequencyPolicy();
    p.onReturnPath(congested, 0);
    assert.equal(p.backoffFactor, 2);
    assert.equal(p.target(inputs(320, 80)).ackEvery, 40);
    assert.equal(p.target(inputs(320, 80)).maxAckDelayMs, 20);
    p.onReturnPath(congested, 1);
    p.onReturnPath(congested, 2);
    assert.equal(p.backoffFactor, MAX_BACKOFF);
    assert.equal(p.target(inputs(5000, 40)).ackEvery, MAX_ACK_EVERY * MAX_BACKOFF);
    assert.equal(p.target(inputs(160, 400)).maxAckDelayMs, 25, 'never above the default delay');
  });

  test('random ACK loss without a queue is no reason to back off', () => {
    const p = new AckFrequencyPolicy();
    p.onReturnPath({ ...congested, queueing: false }, 0);
    assert.equal(p.backoffFactor, 1);
  });

  test('nor is loss the data suffers as much of: the path is lossy both ways, not full on the way back', () => {
    const p = new AckFrequencyPolicy();
    p.onReturnPath({ ...congested, forwardLoss: 0.2 }, 0);
    assert.equal(p.backoffFactor, 1);
    p.onReturnPath({ ...congested, forwardLoss: 0.1 }, 0);
    assert.equal(p.backoffFactor, 2, 'a quarter of the ACKs lost against a tenth of the data');
  });

  test(`each ${RELAX_AFTER_RTTS} RTTs without a congested window undo one step`, () => {
    const p = new AckFrequencyPolicy();
    p.onReturnPath(congested, 0);
    p.onReturnPath(congested, 0);
    const srtt = 40;
    p.poll(RELAX_AFTER_RTTS * srtt - 1, inputs(160, srtt));
    assert.equal(p.backoffFactor, 4);
    p.poll(RELAX_AFTER_RTTS * srtt, inputs(160, srtt));
    assert.equal(p.backoffFactor, 2);
    p.poll(2 * RELAX_AFTER_RTTS * srtt, inputs(160, srtt));
    assert.equal(p.backoffFactor, 1);
  });
});

describe('ReturnPathWatch', () => {
  test('judges windows of the peer packet numbers: gaps are the lost ones', () => {
    const w = new ReturnPathWatch();
    assert.equal(w.sample(10, 9), null);
    assert.deepEqual(w.sample(RETURN_WINDOW_PACKETS - 4, RETURN_WINDOW_PACKETS - 1), { span: RETURN_WINDOW_PACKETS, lost: 4 });
    assert.equal(w.sample(RETURN_WINDOW_PACKETS + 10, RETURN_WINDOW_PACKETS + 13), null);
    // All 32 of this window arrive, and one of the last window's 4 comes late: 0 lost, not -1.
    const received = RETURN_WINDOW_PACKETS - 4 + RETURN_WINDOW_PACKETS + 1;
    assert.deepEqual(w.sample(received, 2 * RETURN_WINDOW_PACKETS - 1), { span: RETURN_WINDOW_PACKETS, lost: 0 });
  });
});
