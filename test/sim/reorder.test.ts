// Loss detection on a path that reorders (recovery/reorder.ts): late packets must not be taken
// for lost, or the sender resends most of the file and backs off for nothing. Every packet gets
// up to 4 ms of extra delay in both directions (like linkem's --jitter 2ms --jitter-reorder),
// on 100 Mbit/s x 20 ms, where a fixed 3-packet threshold retransmitted 47 MB of 64 and made
// 24 Mbit/s. Random loss without reordering must be found as fast as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim, type LinkConfig } from './harness.js';
import { BulkFlow } from '../../bench/lib/bulk.js';
import { simCipher } from '../../bench/lib/sim-cipher.js';

const MiB = 1 << 20;
const SIZE = 16 * MiB;

function transfer(link: Partial<LinkConfig>, seed: number) {
  const cipher = { cipher: simCipher };
  const base = { rateMbps: 100, delayMs: 10, queueBytes: 625_000 };
  const sim = new Sim({ link: { ...base, ...link }, seed, congestion: 'bbr', clientOptions: cipher, serverOptions: cipher });
  const flow = new BulkFlow(sim.a, sim.b, SIZE, () => sim.now);
  sim.onEvent = (side, e) => flow.onEvent(side, e);
  assert.ok(sim.run(() => flow.done, 60_000), 'the transfer completes');
  assert.equal(flow.received, SIZE);
  const s = sim.a.stats();
  const ms = flow.finishedAt! - flow.connectedAt!;
  return { mbps: (SIZE * 8) / ms / 1000, s };
}

test('jitter with reordering: near line rate, and spurious retransmissions within 2 % of the file', () => {
  for (const seed of [1, 2]) {
    const { mbps, s } = transfer({ reorderPct: 100, reorderMs: 4 }, seed);
    assert.ok(mbps >= 85, `seed ${seed}: ${mbps.toFixed(1)} Mbit/s`);
    assert.ok(s.spuriousBytes <= 0.02 * SIZE, `seed ${seed}: ${s.spuriousBytes} spurious bytes`);
    assert.ok(s.retransmittedBytes <= 0.02 * SIZE, `seed ${seed}: ${s.retransmittedBytes} bytes resent`);
    assert.ok(s.reorderThreshold > 3, 'the packet threshold learned the reordering');
  }
});

test('reordering and 5 % loss: the losses are found, the late packets are not resent', () => {
  const { mbps, s } = transfer({ reorderPct: 50, reorderMs: 4, lossPct: 5 }, 3);
  assert.ok(mbps >= 80, `${mbps.toFixed(1)} Mbit/s`);
  assert.ok(s.spuriousBytes <= 0.02 * SIZE, `${s.spuriousBytes} spurious bytes`);
  // About 5 % of the packets are lost and resent (some twice); late ones are not among them.
  assert.ok(s.retransmittedBytes <= 0.08 * SIZE, `${s.retransmittedBytes} bytes resent`);
});

test('random loss without reordering: the RFC 9002 thresholds stay as they were', () => {
  const { s } = transfer({ lossPct: 2 }, 4);
  assert.equal(s.spuriousLosses, 0);
  assert.equal(s.reorderThreshold, 3);
});
