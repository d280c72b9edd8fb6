// conn/ack-frequency.ts: the policy's requests reach the wire only when they fit, the probe
// timeout pads with the max ack delay the peer may be using (draft-ietf-quic-ack-frequency §7),
// and a peer's request lands in the receive-side AckTracker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recovery } from '../../../src/core/conn/recovery-glue.js';
import { AckFrequency } from '../../../src/core/conn/ack-frequency.js';

const MDS = 1400;

function withRtt(rttMs: number): Recovery {
  const r = new Recovery('newreno', MDS, 0);
  r.rtt.update(rttMs, 0, 0);
  return r;
}

test('the probe timeout pads with 25 ms until the request for less is acknowledged, then with that', () => {
  const r = withRtt(80);
  const af = new AckFrequency(r);
  const base = r.ptoMs() - r.rtt.maxAckDelayMs;
  const f = af.take(0, MDS, 1000);
  assert.ok(f);
  assert.equal(f.requestedMaxAckDelayMicros, 10_000);
  assert.equal(r.rtt.maxAckDelayMs, 25, 'in flight: the peer may still wait 25 ms');
  af.onAcked(f.seq);
  assert.equal(r.rtt.maxAckDelayMs, 10);
  assert.equal(r.ptoMs(), base + 10);
});

test('a request that does not fit stays owed and goes in the next packet', () => {
  const r = withRtt(40);
  const af = new AckFrequency(r);
  assert.equal(af.take(0, MDS, 3), null);
  const f = af.take(0, MDS, 1000);
  assert.equal(f?.seq, 1);
  assert.equal(af.take(0, MDS, 1000), null);
});

test("the peer's request applies to the ACKs this side sends", () => {
  const r = withRtt(40);
  const af = new AckFrequency(r);
  af.onPeerRequest({ type: 'ack_frequency', seq: 0, ackElicitingThreshold: 7, requestedMaxAckDelayMicros: 5500, reorderThreshold: 3 });
  assert.equal(r.acks.ackElicitingThreshold, 8);
  assert.equal(r.acks.maxAckDelayMs, 5.5);
});
