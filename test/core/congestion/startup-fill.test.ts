// STARTUP on long fat paths, where the first burst's ACK spacing cannot be read (over ~180
// Mbit/s) or its 1.25 x round is capped: the pipe is found full by the spread of the ACKs
// (startup-fill.ts), before the RTT shows the queue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bbr } from '../../../src/core/congestion/bbr.js';
import { INITIAL_WINDOW_PACKETS } from '../../../src/core/congestion/bbr-constants.js';
import { StartupFill } from '../../../src/core/congestion/startup-fill.js';
import { Path, MDS } from './bbr-path.js';

const Mbps = (bytesPerSec: number): number => (bytesPerSec * 8) / 1e6;

describe('StartupFill', () => {
  /** Sends 20 packets per ms for `ms` ms; their ACKs come back a min RTT later, spread by `spread`. */
  class Feed {
    sent = 0;
    acked = 1000;
    constructor(readonly fill: StartupFill, readonly minRttMs = 200) {}
    run(ms: number, spread: number): number {
      for (let i = 0; i < ms * 10; i++) {
        this.sent += 0.1;
        this.acked += 0.1 * spread;
        this.fill.onAck(this.acked, this.sent, 2, this.minRttMs);
      }
      return this.fill.fullAt;
    }
  }

  test('ACKs spaced as their packets left: the pipe is not full', () => {
    const f = new Feed(new StartupFill());
    assert.equal(f.run(400, 1), Infinity);
    assert.equal(f.run(400, 1.2), Infinity, 'a spread under FILL_SPREAD is no verdict');
  });

  test('ACKs spread 1.5 x wider than the sending, two stretches in a row: full', () => {
    const f = new Feed(new StartupFill());
    f.run(100, 1);
    const from = f.acked;
    const at = f.run(100, 1.5);
    assert.ok(at < Infinity, 'found full');
    // Stretches of 200 / 8 = 25 ms of ACKs: the one under way, then two spread out.
    assert.ok(at <= from + 3 * 25 + 1, `found ${(at - from).toFixed(1)} ms after the change`);
  });

  test('one spread stretch (a receiver stalled, an ACK read late) is not enough', () => {
    const f = new Feed(new StartupFill());
    f.run(100, 1);
    f.run(10, 3);
    assert.equal(f.run(300, 1), Infinity);
  });

  test('reset forgets a verdict (STARTUP starts afresh)', () => {
    const f = new Feed(new StartupFill());
    f.run(200, 2);
    assert.ok(f.fill.full);
    f.fill.reset();
    assert.equal(f.fill.full, false);
  });
});

describe('BBR STARTUP on gigabit paths (1-BDP buffer)', () => {
  function startup(rate: number, rtt: number, lossPct = 0): { drops: number; bdpPackets: number; reachedMs: number | null; rounds: number | null; cc: Bbr } {
    const cc = new Bbr(MDS);
    const path = new Path(cc, { rateMbps: rate, rttMs: rtt, lossPct, seed: 1 });
    let reachedMs: number | null = null;
    let rounds: number | null = null;
    path.onAck = (p) => {
      if (reachedMs === null && Mbps(cc.bandwidth) >= 0.9 * rate) {
        reachedMs = p.now;
        rounds = cc.roundCount;
      }
    };
    path.run(20 * rtt);
    return { drops: path.queueDrops, bdpPackets: path.bdpBytes / MDS, reachedMs, rounds, cc };
  }

  // Without the spread check, STARTUP's window stayed at 2.885 x BDP until a round that did not
  // grow, a round after the queue showed in the RTT: 1000 x 200: 33158 drops (1.86 BDP), 1 % loss
  // 32131, 5 % 16849; 1000 x 50: 9444 (2.1 BDP); 100 x 200: 1713 (0.96 BDP).
  for (const [rate, rtt, loss] of [
    [1000, 200, 0],
    [1000, 200, 1],
    [1000, 200, 5],
    [1000, 50, 0],
    [100, 200, 0],
  ] as const) {
    test(`${rate} Mbit/s x ${rtt} ms, ${loss} % loss: reaches 90 % within log2(BDP/IW) + 2 rounds, drops under 0.25 BDP`, () => {
      const r = startup(rate, rtt, loss);
      const iwRounds = Math.ceil(Math.log2(r.bdpPackets / INITIAL_WINDOW_PACKETS));
      assert.ok(r.rounds !== null && r.rounds <= iwRounds + 2, `reached in round ${String(r.rounds)} (${String(r.reachedMs)} ms), limit ${iwRounds + 2}`);
      assert.ok(r.drops < 0.25 * r.bdpPackets, `STARTUP dropped ${(r.drops / r.bdpPackets).toFixed(2)} BDP (${r.drops} packets)`);
      assert.equal(r.cc.state, 'probe_bw');
      assert.ok(Mbps(r.cc.bandwidth) >= 0.95 * rate, `estimate ${Mbps(r.cc.bandwidth).toFixed(0)} Mbit/s`);
    });
  }
});
