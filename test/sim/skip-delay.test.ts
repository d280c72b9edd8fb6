// Paths where a few packets skip the delay line (linkem --reorder 2; issue 21): such a packet, or
// an ACK, reads half the RTT or almost none, and a min RTT that took those samples sized the
// window to a fraction of the BDP (BBR stuck in DRAIN, then cruising at a quarter of the link).
// Samples that overtook others no longer set BBR's min RTT (congestion/min-rtt.ts).
// 100 Mbit/s, 10 ms each way, linkem's 50 ms queue and 28 header bytes, as bench:sim's paths table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinkConfig } from './harness.js';
import { runTransfer, payload } from './transfer.js';
import { simCipher } from '../../bench/lib/sim-cipher.js';

const MiB = 1 << 20;
const SIZE = 16 * MiB;
const LAN: LinkConfig = { rateMbps: 100, delayMs: 10, queueMs: 50, headerBytes: 28 };

// Spurious retransmissions come while loss detection is still learning the path's reordering,
// in the first rounds, so on these 16 MiB files they are a few percent (64 MiB: under 0.5 %).
const SPURIOUS_SKIP = 0.05 * SIZE;
const SPURIOUS_MIX = 0.08 * SIZE;

function transfer(link: LinkConfig, seed: number) {
  const cipher = { cipher: simCipher };
  const data = payload(SIZE, seed);
  const r = runTransfer({ link, seed, congestion: 'bbr', clientOptions: cipher, serverOptions: cipher }, [data], 60_000);
  assert.ok(r.ok, 'the transfer completes');
  const [got] = [...r.received.values()];
  assert.ok(got !== undefined && got.length === SIZE && Buffer.compare(got, data) === 0, 'byte-exact');
  return { mbps: (SIZE * 8) / r.elapsedMs / 1000, s: r.sim.a.stats() };
}

test('2 % of packets skip the delay: at least 70 Mbit/s, byte-exact, few spurious retransmissions', () => {
  const { mbps, s } = transfer({ ...LAN, skipDelayPct: 2 }, 21);
  assert.ok(mbps >= 70, `${mbps.toFixed(1)} Mbit/s`);
  assert.ok(s.spuriousBytes <= SPURIOUS_SKIP, `${s.spuriousBytes} spurious bytes`);
});

test('5 % loss, 2 % skip the delay, 1 % duplicates, jitter ±2 ms with reordering: at least 60 Mbit/s', () => {
  const link = { ...LAN, lossPct: 5, skipDelayPct: 2, duplicatePct: 1, jitterMs: 2, jitterReorder: true };
  const { mbps, s } = transfer(link, 21);
  assert.ok(mbps >= 60, `${mbps.toFixed(1)} Mbit/s`);
  assert.ok(s.spuriousBytes <= SPURIOUS_MIX, `${s.spuriousBytes} spurious bytes`);
});

test('a congestion cut that ended STARTUP and proves spurious lets STARTUP go on', () => {
  // In this run reordering in the first rounds reads as congestion and ends STARTUP far below
  // the link rate; the undo takes the cut back, and STARTUP must go on rather than leave the
  // climb to PROBE_BW's probes (25 % per gain cycle).
  const link = { ...LAN, lossPct: 5, skipDelayPct: 2, duplicatePct: 1, jitterMs: 2, jitterReorder: true };
  const { mbps } = transfer(link, 8);
  assert.ok(mbps >= 80, `${mbps.toFixed(1)} Mbit/s`);
});
