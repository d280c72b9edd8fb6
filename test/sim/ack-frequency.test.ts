// A thin return path (issue 21): 100 Mbit/s forward, 1 Mbit/s back, 20 ms each way, the way back
// with linkem's smallest queue (10 packets of 1500 bytes; 50 ms at 1 Mbit/s would be fewer).
// With an ACK every 2nd packet the ACKs alone need more than the 1 Mbit/s: they queued and dropped
// there and the transfer made a quarter of the link. With ACK_FREQUENCY the sender asks for an
// ACK per sixteenth of its window (an eighth of a round) once STARTUP is over, and the way back
// carries a few percent of what it can.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { payload, runTransfer } from './transfer.js';
import type { LinkConfig } from './harness.js';

const SIZE = 32 << 20;
const RETURN_QUEUE_BYTES = 10 * 1500;

function thinReturn(lossPct: number): { forward: LinkConfig; reverse: LinkConfig } {
  return {
    forward: { rateMbps: 100, delayMs: 20, lossPct },
    reverse: { rateMbps: 1, delayMs: 20, lossPct, queueBytes: RETURN_QUEUE_BYTES },
  };
}

function run(lossPct: number) {
  const { forward, reverse } = thinReturn(lossPct);
  const r = runTransfer({ link: forward, reverse, seed: 3, congestion: 'bbr' }, [payload(SIZE, 7)], 120_000);
  assert.ok(r.ok, 'transfer completed');
  assert.deepEqual(r.received.get(0), r.sent.get(0), 'byte-exact');
  const mbps = (SIZE * 8) / (r.elapsedMs / 1000) / 1e6;
  const dataPackets = r.sim.a.stats().packetsSent;
  const acks = r.sim.b.stats().ackPacketsSent;
  return { mbps, acksPerData: acks / dataPackets, returnQueueDrops: r.sim.ba.queueDrops };
}

describe('ACK frequency on a 100 Mbit/s forward, 1 Mbit/s return path', () => {
  test('no loss: well above the TCP BBR copy (~45 Mbit/s on linkem), the return queue overflows only in STARTUP', () => {
    const { mbps, acksPerData, returnQueueDrops } = run(0);
    assert.ok(mbps >= 60, `${mbps.toFixed(1)} Mbit/s`);
    assert.ok(acksPerData <= 1 / 10, `${acksPerData.toFixed(3)} ACK-only datagrams per data packet`);
    // STARTUP still acks every 2nd packet (ack-frequency-policy.ts target()); RFC 9000's rule
    // dropped 1,116 ACKs here over the whole transfer.
    assert.ok(returnQueueDrops <= 150, `${returnQueueDrops} ACKs dropped at the return queue`);
  });

  test('1 % loss both ways: the immediate ACKs for losses still fit the way back', () => {
    const { mbps, acksPerData } = run(1);
    assert.ok(mbps >= 60, `${mbps.toFixed(1)} Mbit/s`);
    assert.ok(acksPerData <= 1 / 8, `${acksPerData.toFixed(3)} ACK-only datagrams per data packet`);
  });
});
