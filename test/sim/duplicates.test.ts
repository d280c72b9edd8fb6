// Duplicated datagrams (a path that delivers some packets twice, as linkem's --duplicate) are never
// progress and never loss: the copy of a packet number already received is dropped before it is
// opened, so it counts as no packet received, draws no ACK, and moves no stream or flow-control
// figure; a copied ACK acknowledges nothing new and reveals no gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transfer, payload } from './transfer.js';
import type { SimLink } from './harness.js';

const SIZE = 4 << 20;

/** Every datagram on the link arrives twice, the copy right behind the original. */
function duplicateAll(link: SimLink): void {
  const send = link.send.bind(link);
  link.send = (d: Uint8Array, now: number) => {
    send(d, now);
    send(d, now);
  };
}

function run(duplicate: boolean) {
  const t = new Transfer({ link: { rateMbps: 0, delayMs: 15 }, seed: 4, congestion: 'bbr' }, [payload(SIZE, 9)]);
  if (duplicate) {
    duplicateAll(t.sim.ab);
    duplicateAll(t.sim.ba);
  }
  const r = t.run(60_000);
  assert.ok(r.ok);
  assert.deepEqual(r.received.get(0), r.sent.get(0), 'byte-exact');
  return { elapsedMs: r.elapsedMs, a: r.sim.a.stats(), b: r.sim.b.stats(), delivered: r.sim.ab.delivered };
}

test('every datagram delivered twice: the transfer runs exactly as without copies', () => {
  const plain = run(false);
  const doubled = run(true);
  assert.equal(doubled.delivered, 2 * plain.delivered, 'every copy reached the receiver');
  assert.equal(doubled.elapsedMs, plain.elapsedMs);
  assert.equal(doubled.b.packetsReceived, plain.b.packetsReceived, 'copies are not packets received');
  assert.equal(doubled.a.packetsReceived, plain.a.packetsReceived, 'nor are copied ACKs');
  assert.equal(doubled.b.ackPacketsSent, plain.b.ackPacketsSent, 'a copy draws no ACK');
  assert.equal(doubled.a.packetsLost, 0, 'a copied ACK reveals no gap');
  assert.equal(doubled.a.retransmittedBytes, 0);
  assert.equal(doubled.a.spuriousLosses, 0);
  assert.equal(doubled.a.packetsSent, plain.a.packetsSent);
});
