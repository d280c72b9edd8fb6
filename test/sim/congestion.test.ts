// The BBR controller with the real Connection over the simulated link (virtual time): random
// loss must cost only the lost packets, not the rate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { payload, Transfer, type TransferResult } from './transfer.js';
import type { LinkConfig, Sim } from './harness.js';
import type { Recovery } from '../../src/core/conn/recovery-glue.js';
import type { Bbr } from '../../src/core/congestion/bbr.js';
import { runShare } from '../../bench/lib/sharing.js';

const MiB = 1 << 20;

interface Run {
  result: TransferResult;
  /** Goodput in Mbit/s from `fromMs` until the last byte arrived. */
  steadyMbps: number;
  /** Virtual ms until the last byte arrived. */
  doneMs: number;
}

/** The sender's BBR controller, for tests that watch its state. */
function senderBbr(sim: Sim): Bbr {
  return (sim.a as unknown as { recovery: Recovery }).recovery.cc as Bbr;
}

function transfer(link: LinkConfig, size: number, seed: number, fromMs = 1_000, watch?: (sim: Sim) => void): Run {
  const t = new Transfer({ link, congestion: 'bbr', seed }, [payload(size, seed)]);
  let mark: { at: number; bytes: number } | null = null;
  let doneMs = Infinity;
  let nextSample = 0;
  t.sim.onStep = (sim) => {
    // Sampling every 5 virtual ms keeps the cost of counting independent of the packet count.
    if (sim.now < nextSample || doneMs !== Infinity) return;
    nextSample = sim.now + 5;
    watch?.(sim);
    let received = 0;
    for (const parts of t.inbound.values()) for (const p of parts) received += p.length;
    for (const d of t.complete.values()) received += d.length;
    if (mark === null && sim.now >= fromMs) mark = { at: sim.now, bytes: received };
    if (received >= size && doneMs === Infinity) doneMs = sim.now;
  };
  const result = t.run(600_000);
  assert.ok(result.ok, `transfer did not finish (closed: ${JSON.stringify(result.closed)})`);
  const got = result.received.values().next().value as Uint8Array;
  assert.ok(Buffer.from(got).equals(Buffer.from(result.sent.values().next().value as Uint8Array)), 'byte-exact');
  const m = mark as { at: number; bytes: number } | null;
  assert.ok(m !== null && doneMs > m.at, 'the transfer outlasted the warm-up');
  const steadyMbps = ((size - m.bytes) * 8) / ((doneMs - m.at) * 1000);
  return { result, steadyMbps, doneMs };
}

/** bytes / (rate x (1 - loss)), plus two round trips for the handshake and the last ACK. */
function idealMs(size: number, link: LinkConfig): number {
  const rtt = 2 * link.delayMs;
  return (size * 8) / (link.rateMbps * 1000 * (1 - (link.lossPct ?? 0) / 100)) + 2 * rtt;
}

describe('BBR over the simulated link', () => {
  test('5 % random loss: 8 MiB over 20 Mbit/s x 40 ms finish within 1.25x the ideal time', () => {
    const link = { rateMbps: 20, delayMs: 20, lossPct: 5 };
    const r = transfer(link, 8 * MiB, 11);
    const ideal = idealMs(8 * MiB, link);
    assert.ok(r.doneMs <= 1.25 * ideal, `took ${r.doneMs.toFixed(0)} ms, ideal ${ideal.toFixed(0)} ms`);
    assert.ok(r.result.sim.ab.dropped > 200, 'the link really dropped packets');
  });

  test('20 % random loss on 10 Mbit/s x 40 ms: goodput >= 80 % of rate x (1 - loss)', () => {
    const link = { rateMbps: 10, delayMs: 20, lossPct: 20 };
    const r = transfer(link, 6 * MiB, 12, 2_000);
    const target = 10 * 0.8;
    assert.ok(r.steadyMbps >= 0.8 * target, `goodput ${r.steadyMbps.toFixed(1)} Mbit/s`);
  });

  for (const loss of [0, 1, 2]) {
    test(`${loss} % loss on 100 Mbit/s x 50 ms: goodput >= 90 % of rate x (1 - loss)`, () => {
      const link = { rateMbps: 100, delayMs: 25, lossPct: loss };
      const r = transfer(link, 32 * MiB, 20 + loss);
      const target = 100 * (1 - loss / 100);
      assert.ok(r.steadyMbps >= 0.9 * target, `goodput ${r.steadyMbps.toFixed(1)} Mbit/s of ${target}`);
    });
  }

  test('burst loss (Gilbert-Elliott 1 %, 25 %: mean 3.85 % in bursts of ~4) on 100 Mbit/s x 50 ms: goodput >= 90 % of rate x (1 - loss)', () => {
    // As linkem's --ge 1,25 in bench:link. Bursts make single rounds lose far more than the
    // mean; only a queue-less excess over the learned background may count as congestion.
    const link = { rateMbps: 100, delayMs: 25, burstLoss: { enterPct: 1, exitPct: 25 } };
    const r = transfer(link, 32 * MiB, 31);
    const target = 100 * (1 - 1 / 26);
    assert.ok(r.steadyMbps >= 0.9 * target, `goodput ${r.steadyMbps.toFixed(1)} Mbit/s of ${target.toFixed(1)}`);
  });

  // These once failed on flow control, not the controller: a retransmission hole stalls in-order
  // reading, and the window only doubled when updates came < 2 RTT apart. Windows now also grow
  // when the sender reports DATA_BLOCKED at the current limit, and start at 8 MiB / 16 MiB.
  test('5 % loss on 100 Mbit/s x 50 ms: goodput >= 90 % of rate x (1 - loss)', () => {
    const link = { rateMbps: 100, delayMs: 25, lossPct: 5 };
    const r = transfer(link, 32 * MiB, 25);
    assert.ok(r.steadyMbps >= 0.9 * 95, `goodput ${r.steadyMbps.toFixed(1)} Mbit/s`);
    const ideal = idealMs(32 * MiB, link);
    assert.ok(r.doneMs <= 1.25 * ideal, `took ${r.doneMs.toFixed(0)} ms, ideal ${ideal.toFixed(0)} ms`);
  });

  test('10 Mbit/s x 200 ms, no loss: the first burst ends STARTUP without an overshoot', () => {
    // Before STARTUP read the first burst's ACK spacing, it doubled into the 1-BDP buffer here,
    // and counting the overshoot's losses again after the first cut cut a second time, to
    // 0.7 x BDP (the link ran at 70 % for a second).
    const r = transfer({ rateMbps: 10, delayMs: 100 }, 6 * MiB, 31, 2_200);
    assert.equal(r.result.sim.ab.queueDrops, 0);
    // 9.0, not 9.3: the min RTT check (bbr-constants.ts MIN_RTT_CHECK_AFTER_MS) sends a round at
    // half rate once, 2 s into PROBE_BW: 9.72 -> 9.22 Mbit/s here. The second cut cost 3 of 10.
    assert.ok(r.steadyMbps >= 9.0, `goodput after STARTUP ${r.steadyMbps.toFixed(2)} Mbit/s of 10`);
  });

  test('20 Mbit/s x 400 ms, no loss: an overshoot still costs one cut, not a second one below the BDP', () => {
    // This BDP (714 packets) is beyond what a burst may open (bbr-constants.ts
    // TRAIN_JUMP_MAX_PACKETS), so STARTUP doubles on and overflows the buffer; its losses trickle
    // in over several 400-800 ms rounds and must not cut twice. The buffer is half a BDP: with
    // one BDP, STARTUP's last doubling can end without a drop, and there is nothing to test.
    const bdp = (20e6 / 8) * 0.4;
    let cuts = 0;
    let lowest = Infinity;
    let last = Infinity;
    const r = transfer({ rateMbps: 20, delayMs: 200, queueBytes: bdp / 2 }, 16 * MiB, 31, 4_000, (sim) => {
      const cap = senderBbr(sim).inflightCap;
      if (cap < last) cuts++;
      last = cap;
      lowest = Math.min(lowest, cap);
    });
    assert.ok(r.result.sim.ab.queueDrops > 0, 'STARTUP did overshoot the buffer');
    assert.equal(cuts, 1, 'one cut of the inflight cap');
    assert.ok(lowest >= bdp, `inflight cap ${(lowest / bdp).toFixed(2)} x BDP`);
    // The min RTT check's half rate costs 0.5-1 RTT of sending, depending on where in a round
    // it starts (bbr.ts updateProbeRtt): here 200 or 400 ms of the 6.5 s measured (18.55 and
    // 17.67 Mbit/s). A floor, not the point of this test: the cuts are.
    assert.ok(r.steadyMbps >= 17.4, `goodput after STARTUP ${r.steadyMbps.toFixed(2)} Mbit/s of 20`);
  });

  test('100 Mbit/s x 200 ms, no loss: once a queue shows, STARTUP brings its window down to 2 x BDP', () => {
    // A window already at 2.885 x BDP when the first queued RTT samples arrived used to stay
    // there (it only stopped growing): 1.9 BDP in flight beyond what the pipe and a 1-BDP buffer
    // hold, dropped at the bottleneck (1.78 BDP here), and the drops not yet declared lost kept
    // DRAIN draining an empty queue (80 ms of idle link in bench:sim's cell).
    const bdpPackets = (100e6 / 8) * 0.2 / 1400;
    const r = transfer({ rateMbps: 100, delayMs: 100 }, 32 * MiB, 31, 2_500);
    const drops = r.result.sim.ab.queueDrops / bdpPackets;
    assert.ok(drops > 0, 'STARTUP did overshoot the 1-BDP buffer');
    assert.ok(drops < 1.2, `STARTUP's overshoot dropped ${drops.toFixed(2)} BDP`);
  });

  test('10 % loss on 100 Mbit/s x 50 ms: STARTUP finds the rate within a second, whatever the first flight lost', () => {
    // The first flight of 32 packets meets delayed ACKs; read as a queue, that made a few random
    // losses "congestion" and ended STARTUP at a tenth of the rate (seed 1751, the bench's seed).
    for (const seed of [1751, 1, 2, 3, 4, 5]) {
      const t = new Transfer({ link: { rateMbps: 100, delayMs: 25, lossPct: 10 }, congestion: 'bbr', seed }, [payload(16 * MiB, seed)]);
      // The highest pacing rate over 0.8-1.2 s: a 0.75 drain phase may fall on any one instant.
      let pacingMbps = 0;
      t.sim.onStep = (sim) => {
        if (sim.now >= 800) pacingMbps = Math.max(pacingMbps, (sim.a.stats().pacingRateBytesPerSec * 8) / 1e6);
      };
      t.sim.run(() => t.sim.now >= 1_200, 1_200);
      assert.ok(pacingMbps >= 90, `seed ${seed}: pacing at most ${pacingMbps.toFixed(1)} Mbit/s over 0.8-1.2 s`);
    }
  });

  test('20 % loss on 100 Mbit/s x 50 ms: goodput >= 65 % of rate x (1 - loss)', () => {
    const link = { rateMbps: 100, delayMs: 25, lossPct: 20 };
    const r = transfer(link, 32 * MiB, 26);
    assert.ok(r.steadyMbps >= 0.65 * 80, `goodput ${r.steadyMbps.toFixed(1)} Mbit/s`);
  });
});

describe('sharing one bottleneck (20 Mbit/s, 40 ms, no loss, 20 s)', () => {
  const base = { rateMbps: 20, rttMs: 40, lossPct: 0, durationMs: 20_000, windowFromMs: 10_000, seed: 7 };

  test('a flow joining 1 s late converges to an even share (Jain >= 0.98 over 10-20 s)', () => {
    const r = runShare({ ...base, label: 'late', flows: [{ cc: 'bbr', startMs: 0 }, { cc: 'bbr', startMs: 1_000 }] }, () => 0);
    const shares = r.windowMbps.map((x) => x.toFixed(1)).join(' / ');
    assert.ok(r.jainWindow >= 0.98, `Jain ${r.jainWindow.toFixed(3)} (${shares} Mbit/s)`);
    assert.ok(r.utilisationPct >= 90, `utilisation ${r.utilisationPct.toFixed(1)} %`);
  });

  // Joining at 1.25 s, the second flow's first RTT samples sit behind the first flow's probe
  // queue: its min RTT read 48.6 ms, not 40.6, and its samples kept confirming that until its
  // PROBE_RTT at 11 s. Seeing no queue, it never yielded and took 2/3 of the link meanwhile.
  test('a flow joining into the first one\'s probe queue (1.25 s) does not take over: Jain >= 0.95 over 5-10 s', () => {
    const r = runShare({ ...base, durationMs: 10_000, windowFromMs: 5_000, label: 'queue', flows: [{ cc: 'bbr', startMs: 0 }, { cc: 'bbr', startMs: 1_250 }] }, () => 0);
    const shares = r.windowMbps.map((x) => x.toFixed(1)).join(' / ');
    assert.ok(r.jainWindow >= 0.95, `Jain ${r.jainWindow.toFixed(3)} (${shares} Mbit/s)`);
  });

  test('against NewReno, BBR neither takes more than 2/3 nor less than 1/5 of the link', () => {
    const r = runShare({ ...base, label: 'reno', flows: [{ cc: 'bbr', startMs: 0 }, { cc: 'newreno', startMs: 0 }] }, () => 0);
    const bbr = r.sharePct[0]!;
    assert.ok(bbr <= 66.7 && bbr >= 20, `BBR share ${bbr.toFixed(1)} %, NewReno ${r.sharePct[1]!.toFixed(1)} %`);
  });
});

describe('sharing a small-BDP bottleneck (10 Mbit/s, 10 ms: BDP 9 packets, queue 11)', () => {
  // Starting together, the second flow's first RTT sample sits behind the first one's initial
  // window, and both first flights overflow the queue. That once taught one flow 30 % "random"
  // loss, which it then compensated for by sending 1.43x the link rate: the other flow starved.
  test('two flows starting together: neither starves, both near an even share over 5-20 s', () => {
    const r = runShare({ rateMbps: 10, rttMs: 10, lossPct: 0, durationMs: 20_000, windowFromMs: 5_000, seed: 7, label: 'small', flows: [{ cc: 'bbr', startMs: 0 }, { cc: 'bbr', startMs: 0 }] }, () => 0);
    const shares = r.windowMbps.map((x) => x.toFixed(2)).join(' / ');
    assert.ok(Math.min(...r.sharePct) >= 35, `shares ${shares} Mbit/s`);
    assert.ok(r.utilisationPct >= 90, `utilisation ${r.utilisationPct.toFixed(1)} %`);
  });
});
