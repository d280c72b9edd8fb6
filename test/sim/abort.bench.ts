// Figures for the stream-abort release, beyond what test/sim/abort.test.ts asserts: how B fares
// after A's reset under the three release modes, with a deep (1 BDP) and a shallow (64 KiB)
// bottleneck queue, when B has just started (A holds most of the window) or already shares
// the link. Not a test (no .test.ts suffix); virtual time, deterministic.
// Run with: node --import tsx test/sim/abort.bench.ts
import { AppError } from '../../src/core/api.js';
import { applyReleaseMode, inFlightOf, TwoStreams, type ReleaseMode } from './abort-sim.js';

const LINK_BPS = 50e6 / 8;
const pct = (bps: number): string => `${Math.round((bps / LINK_BPS) * 100)}%`.padStart(5);

function run(mode: ReleaseMode, queueBytes: number | undefined, bLeadMs: number, ABORT_AT: number): string {
  const s = new TwoStreams({ link: { rateMbps: 50, delayMs: 20, queueBytes }, seed: 5, openBAt: ABORT_AT - bLeadMs });
  applyReleaseMode(s.sim.a, mode);
  s.runUntil(ABORT_AT);
  const st = s.sim.a.stats();
  const share = inFlightOf(s.sim.a, s.a!) / st.bytesInFlight;
  s.sim.a.streamReset(s.a!, AppError.CANCELLED);
  s.stopWriting(s.a!);
  const drops = s.sim.ab.queueDrops;
  s.runUntil(ABORT_AT + 1000);
  const g = s.goodputOf(s.b!);
  const reached = g.reaches(0.9 * LINK_BPS, ABORT_AT, 20);
  const srtt = st.rttMs;
  return [
    `${ABORT_AT / 1000} s`.padEnd(5),
    mode.padEnd(8),
    (queueBytes === undefined ? '1 BDP' : `${queueBytes >> 10} KiB`).padEnd(7),
    `${Math.round(share * 100)}%`.padStart(4),
    pct(g.rate(ABORT_AT - 200, ABORT_AT)),
    pct(g.rate(ABORT_AT, ABORT_AT + srtt)),
    pct(g.rate(ABORT_AT + srtt, ABORT_AT + 2 * srtt)),
    pct(g.rate(ABORT_AT + 2 * srtt, ABORT_AT + 1000)),
    (reached === null ? 'never' : `${(reached - ABORT_AT).toFixed(0)} ms (${((reached - ABORT_AT) / srtt).toFixed(2)} srtt)`).padEnd(18),
    String(s.sim.ab.queueDrops - drops).padStart(5),
  ].join('  ');
}

console.log('50 Mbit/s, 40 ms min RTT, NewReno; B goodput measured where the receiver reads; drops = queue drops after the reset');
console.log('reset mode      queue    A%   before  1st srtt  2nd srtt  rest<1s  B at 90% (20 ms window)  drops');
const MODES: ReleaseMode[] = ['release', 'deferred', 'pinned'];
console.log('-- B opened 20 ms before the reset (A holds most of the window); reset at several points of the sawtooth');
for (const q of [undefined, 64 * 1024]) {
  for (const at of [1000, 2000, 3000]) for (const mode of MODES) console.log(run(mode, q, 20, at));
}
console.log('-- B opened 500 ms before the reset (A and B share the window)');
for (const q of [undefined, 64 * 1024]) for (const mode of MODES) console.log(run(mode, q, 500, 1000));
