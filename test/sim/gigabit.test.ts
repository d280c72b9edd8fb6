// A long fat pipe with loss, end to end: 1 Gbit/s x 200 ms (25 MB BDP) at 1 % loss, where holes
// that a lost retransmission keeps open hold 3-5 BDPs behind them. The flow-control windows must
// follow the measured BDP (RecvWindow.followBdp) so the sender is not held back by them.
// Packets are sealed with bench:sim's clear-text cipher (same sizes and authentication as the
// real one, a fifth of the cost), which keeps 250 MB of simulated traffic to seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from './harness.js';
import { BulkFlow } from '../../bench/lib/bulk.js';
import { simCipher } from '../../bench/lib/sim-cipher.js';
import { queueFor } from '../../bench/lib/cell.js';
import type { StreamTable } from '../../src/core/conn/streams.js';
import { MAX_STREAM_WINDOW } from '../../src/core/conn/streams.js';

const RATE = 1000;
const RTT = 200;
const BDP = (RATE * 1e6 / 8) * (RTT / 1000);

function table(c: unknown): StreamTable {
  return (c as { streams: { table: StreamTable } }).streams.table;
}

test('1 Gbit/s x 200 ms at 1 % loss: after STARTUP the flow-control windows never hold the sender back', () => {
  const cipher = { cipher: simCipher };
  const sim = new Sim({
    link: { rateMbps: RATE, delayMs: RTT / 2, queueBytes: queueFor(RATE, RTT), lossPct: 1 },
    seed: 11,
    congestion: 'bbr',
    clientOptions: cipher,
    serverOptions: cipher,
  });
  const flow = new BulkFlow(sim.a, sim.b, Infinity, () => sim.now);
  sim.onEvent = (side, e) => flow.onEvent(side, e);
  // STARTUP and DRAIN are over by 3.5 s (the overshoot's holes, 3-4 BDP, may block DRAIN briefly).
  const FROM = 3_600;
  const TO = 5_000;
  let samples = 0;
  let blocked = 0;
  let receivedAt: number | null = null;
  let next = 0;
  sim.onStep = () => {
    if (sim.now < next) return;
    next = sim.now + 2;
    if (sim.now >= FROM && receivedAt === null) receivedAt = table(sim.b).connReceived;
    if (sim.now < FROM) return;
    const sender = table(sim.a);
    const e = [...sender.entries()][0]!;
    samples++;
    // No credit for even one more packet, stream or connection: the window is the limit.
    const credit = Math.min(e.sendCredit.limit - e.send.highestSent, sender.connAvailable());
    if (credit < 1500) blocked++;
  };
  sim.run(() => sim.now >= TO, TO);
  const receiver = table(sim.b);
  const w = [...receiver.entries()][0]!.recvWindow.window;
  assert.ok(w >= 4 * BDP, `stream window ${(w / 1e6).toFixed(1)} MB, BDP ${(BDP / 1e6).toFixed(0)} MB`);
  assert.ok(w <= MAX_STREAM_WINDOW, 'within its budget');
  assert.ok(samples > 600);
  // With the fixed 32 MiB window the sender had no credit in most of these samples.
  assert.ok(blocked / samples <= 0.02, `flow-control blocked in ${((100 * blocked) / samples).toFixed(1)} % of the samples`);
  // New bytes arriving (holes included; in-order reads come in bursts as holes close).
  const mbps = ((receiver.connReceived - receivedAt!) * 8) / ((TO - FROM) * 1000);
  assert.ok(mbps >= 0.9 * RATE * 0.99, `${mbps.toFixed(0)} Mbit/s arrived over ${FROM}-${TO} ms`);
});
