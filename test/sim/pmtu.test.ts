// Path MTU discovery on simulated paths: a path that carries less than the interface allows, a
// path whose MTU shrinks mid-transfer (a black hole: nothing says so, big packets just vanish),
// random loss that must not drag the size down, and a loopback-like path with 64 KB datagrams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DATAGRAM } from '../../src/core/recovery/mtu-discovery.js';
import { Transfer, payload, runTransfer } from './transfer.js';

const MiB = 1024 * 1024;

function assertExact(r: { sent: Map<number, Uint8Array>; received: Map<number, Uint8Array> }): void {
  for (const [id, data] of r.sent) assert.deepEqual(r.received.get(id), data, `stream ${id} arrived byte-exact`);
}

test('a path that carries 1300 bytes under a 1452-byte cap: the size settles at most 20 below it, and lost probes are no congestion', () => {
  const data = payload(4 * MiB, 1);
  const r = runTransfer({ link: { rateMbps: 20, delayMs: 10, mtu: 1300 }, congestion: 'bbr', seed: 3 }, [data], 60_000);
  assert.ok(r.ok, 'transfer finished');
  assertExact(r);
  const s = r.sim.a.stats();
  assert.ok(s.datagramSize <= 1300 && s.datagramSize > 1280, `settled at ${s.datagramSize}`);
  assert.ok(s.mtuProbesLost >= 3, `the cap's probes were lost (${s.mtuProbesLost})`);
  assert.equal(s.packetsLost, 0, 'a lost probe does not count as a lost packet');
  assert.equal(r.sim.ab.mtuDrops, s.mtuProbesLost, 'only probes ever exceeded the path');
  // 4 MiB at 20 Mbit/s is 1.68 s of link time; the search must not cost more than a few RTTs.
  assert.ok(r.elapsedMs < 2000, `took ${r.elapsedMs.toFixed(0)} ms`);
});

test('black hole: the path MTU falls mid-transfer from 1452 to 1300; the sender notices, drops to the base size and searches again', () => {
  const t = new Transfer({ link: { rateMbps: 20, delayMs: 10 }, congestion: 'bbr', seed: 4 }, [payload(8 * MiB, 2)]);
  let shrunkAt: number | null = null;
  t.sim.onStep = (sim) => {
    if (shrunkAt === null && sim.now >= 1000) {
      assert.equal(sim.a.stats().datagramSize, 1452, 'the full size was in use before');
      sim.ab.mtu = 1300;
      sim.ba.mtu = 1300;
      shrunkAt = sim.now;
    }
  };
  const r = t.run(60_000);
  assert.ok(r.ok, 'transfer finished');
  assertExact(r);
  const s = r.sim.a.stats();
  assert.ok(s.mtuBlackHoles >= 1, 'the black hole was noticed');
  assert.ok(s.datagramSize <= 1300 && s.datagramSize >= BASE_DATAGRAM, `settled at ${s.datagramSize}`);
  // 8 MiB at 20 Mbit/s is 3.4 s of link time; noticing and searching again cost well under a second.
  assert.ok(r.elapsedMs < 4000, `took ${r.elapsedMs.toFixed(0)} ms`);
});

test('random loss (5 %) does not drag the size below what the path carries', () => {
  for (const seed of [1, 2, 3, 4]) {
    const r = runTransfer({ link: { rateMbps: 20, delayMs: 10, lossPct: 5, mtu: 1452 }, congestion: 'bbr', seed }, [payload(4 * MiB, seed)], 60_000);
    assert.ok(r.ok, `seed ${seed}: transfer finished`);
    assertExact(r);
    const s = r.sim.a.stats();
    assert.equal(s.datagramSize, 1452, `seed ${seed}: settled at ${s.datagramSize}`);
    assert.equal(s.mtuBlackHoles, 0, `seed ${seed}: random loss is no black hole`);
  }
});

test('loopback-like path: with the interface allowing 64 KB, one probe takes the size there', () => {
  const t = new Transfer({ link: { rateMbps: 0, delayMs: 0.05 }, congestion: 'bbr', seed: 5 }, [payload(16 * MiB, 3)]);
  t.extra = (side, e) => {
    if (e.type === 'connected') t.sim.conn(side).setPathMtu(65_507, t.sim.now);
  };
  const r = t.run(60_000);
  assert.ok(r.ok, 'transfer finished');
  assertExact(r);
  const s = r.sim.a.stats();
  assert.equal(s.datagramSize, 65_507);
  assert.equal(s.mtuProbesSent, 1);
  // Nearly all data went in big datagrams: far fewer packets than 16 MiB / 1452.
  assert.ok(s.packetsSent < 1000, `${s.packetsSent} packets`);
});

test('the user cap bounds discovery: maxDatagramSize 1350 under a 64 KB interface', () => {
  const t = new Transfer(
    { link: { rateMbps: 0, delayMs: 0.05 }, congestion: 'bbr', seed: 6, clientOptions: { maxDatagramSize: 1350 } },
    [payload(2 * MiB, 4)],
  );
  t.extra = (side, e) => {
    if (e.type === 'connected') t.sim.conn(side).setPathMtu(65_507, t.sim.now);
  };
  const r = t.run(60_000);
  assert.ok(r.ok);
  assertExact(r);
  assert.equal(r.sim.a.stats().datagramSize, 1350);
  assert.equal(r.sim.a.stats().datagramCap, 1350);
});
