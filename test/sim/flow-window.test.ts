import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transfer, payload } from './transfer.js';

// One stream must be able to fill a 100 Mbit/s x 800 ms path (10 MB in flight, plus queue): the
// flow-control windows start at 8 MiB (stream) / 16 MiB (connection) and must grow on their own.
test('one stream fills a 100 Mbit/s x 800 ms path once the windows have grown', () => {
  const size = 128 << 20;
  const t = new Transfer({ link: { rateMbps: 100, delayMs: 400, queueBytes: 4 << 20 }, seed: 7, congestion: 'bbr' }, [payload(size, 3)]);
  let id = -1;
  type Sample = { at: number; bytes: number };
  const seen: { mark: Sample | null; end: Sample | null } = { mark: null, end: null };
  t.extra = (side, e) => {
    if (side === 'b' && e.type === 'stream_opened') id = e.id;
  };
  t.sim.onStep = (sim) => {
    const got = [...t.inbound.values()].reduce((n, parts) => n + parts.reduce((m, p) => m + p.length, 0), 0);
    if (!seen.mark && sim.now >= 13_000) seen.mark = { at: sim.now, bytes: got };
    if (seen.mark && !seen.end && got >= size * 0.9) seen.end = { at: sim.now, bytes: got };
  };
  const r = t.run(120_000);
  assert.ok(r.ok, 'transfer finished');
  assert.ok(id >= 0);
  const { mark, end } = seen;
  assert.ok(mark && end, 'steady-state window measured');
  const mbps = ((end.bytes - mark.bytes) * 8) / ((end.at - mark.at) * 1000);
  // A window stuck at its initial 8 MiB would cap this path at 8 MiB / 0.8 s = 84 Mbit/s.
  assert.ok(mbps > 90, `steady-state goodput ${mbps.toFixed(1)} Mbit/s`);
  console.log(`steady-state goodput ${mbps.toFixed(1)} Mbit/s`);
  const blocked = r.sim.b.stats();
  assert.equal(blocked.droppedMalformed, 0);
});
