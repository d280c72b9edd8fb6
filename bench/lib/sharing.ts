// Link-sharing scenarios: N bulk flows through one bottleneck, throughput per flow over a
// measurement window, Jain's index and each flow's share.
import type { CongestionAlgorithm } from '../../src/core/api.js';
import { MIN_QUEUE, queueFor } from './cell.js';
import { jain, mbps } from './measure.js';
import { SharedNet, type FlowSpec } from './shared-net.js';

export interface ShareSpec {
  label: string;
  rateMbps: number;
  rttMs: number;
  lossPct: number;
  flows: FlowSpec[];
  /** Run length in virtual ms; figures are taken at its end. */
  durationMs: number;
  /** Start of the steady-state window (after every flow has started and left startup). */
  windowFromMs: number;
  /**
   * End of that window, if before durationMs: [windowToMs, durationMs] is then measured too (the
   * issue's "after 10 s"). Default: the window runs to durationMs.
   */
  windowToMs?: number;
  /** Bottleneck queue in BDPs (default 1; never under 10 packets either way). */
  queueBdp?: number;
  seed: number;
}

export interface ShareResult {
  spec: ShareSpec;
  /** Per flow, Mbit/s over [windowFromMs, windowToMs]. */
  windowMbps: number[];
  /** Per flow, Mbit/s over [windowToMs, durationMs]: the window the target judges (the steady window without windowToMs). */
  lateMbps: number[];
  jainLate: number;
  /** Link utilisation over that window, % of rate x (1 - loss). */
  lateUtilisationPct: number;
  /** Per flow, Mbit/s from its own start to durationMs. */
  overallMbps: number[];
  jainWindow: number;
  jainOverall: number;
  /** Per flow, % of the link rate it got in the window. */
  sharePct: number[];
  /** Link utilisation in the window, % of rate x (1 - loss). */
  utilisationPct: number;
  wallMs: number;
}

export function runShare(spec: ShareSpec, wallNow: () => number): ShareResult {
  const wall0 = wallNow();
  const net = new SharedNet(
    { rateMbps: spec.rateMbps, rttMs: spec.rttMs, lossPct: spec.lossPct, queueBytes: shareQueueBytes(spec), seed: spec.seed },
    spec.flows,
  );
  const to = Math.min(spec.windowToMs ?? spec.durationMs, spec.durationMs);
  net.run(spec.windowFromMs);
  const before = net.received();
  net.run(to);
  const mid = net.received();
  net.run(spec.durationMs);
  const after = net.received();
  const windowMbps = mid.map((b, i) => mbps(b - (before[i] ?? 0), to - spec.windowFromMs));
  const lateMbps = to < spec.durationMs ? after.map((b, i) => mbps(b - (mid[i] ?? 0), spec.durationMs - to)) : windowMbps;
  const overallMbps = after.map((b, i) => mbps(b, spec.durationMs - spec.flows[i]!.startMs));
  return {
    spec,
    windowMbps,
    lateMbps,
    jainLate: jain(lateMbps),
    lateUtilisationPct: utilisation(spec, lateMbps),
    overallMbps,
    jainWindow: jain(windowMbps),
    jainOverall: jain(overallMbps),
    sharePct: windowMbps.map((x) => (100 * x) / spec.rateMbps),
    utilisationPct: utilisation(spec, windowMbps),
    wallMs: wallNow() - wall0,
  };
}

function shareQueueBytes(spec: ShareSpec): number {
  const bdp = queueFor(spec.rateMbps, spec.rttMs);
  // Without queueBdp, exactly the one-BDP queue these runs always had.
  return spec.queueBdp === undefined ? bdp : Math.max(MIN_QUEUE, Math.round(bdp * spec.queueBdp));
}

/** Identity of a run without its label, so two tables asking for the same run share one. */
export function shareKey(s: ShareSpec): string {
  const flows = s.flows.map((f) => [f.cc, f.startMs]);
  return JSON.stringify([s.rateMbps, s.rttMs, s.lossPct, s.queueBdp ?? 1, flows, s.durationMs, s.windowFromMs, s.windowToMs ?? null, s.seed]);
}

/** % of rate x (1 - loss) that the flows together got. */
function utilisation(spec: ShareSpec, flowsMbps: readonly number[]): number {
  const total = flowsMbps.reduce((x, y) => x + y, 0);
  return (100 * total) / (spec.rateMbps * (1 - spec.lossPct / 100));
}

// 20 s: Jain over 5-10 s (how fast shares converge) and over 10-20 s, the issue's "after 10 s".
const ISSUE_LINK = { rateMbps: 100, rttMs: 50, lossPct: 0, durationMs: 20_000, windowFromMs: 5_000, windowToMs: 10_000, seed: 7 } as const;

/** The scenarios bench:sim runs; `cc` is the controller under test. */
export function shareScenarios(cc: CongestionAlgorithm, quick: boolean): ShareSpec[] {
  const base = ISSUE_LINK;
  const all: ShareSpec[] = [
    { ...base, label: `2 x ${cc}, same start`, flows: [{ cc, startMs: 0 }, { cc, startMs: 0 }] },
    // Where the late flow lands in the first flow's gain cycle decides how fast they converge, so
    // one join time can look better or worse than the rule: three of them.
    { ...base, label: `2 x ${cc}, 2nd joins at 1 s`, flows: [{ cc, startMs: 0 }, { cc, startMs: 1_000 }] },
    { ...base, label: `2 x ${cc}, 2nd joins at 2 s`, flows: [{ cc, startMs: 0 }, { cc, startMs: 2_000 }] },
    { ...base, label: `2 x ${cc}, 2nd joins at 3 s`, flows: [{ cc, startMs: 0 }, { cc, startMs: 3_000 }] },
    { ...base, label: `${cc} vs newreno`, flows: [{ cc, startMs: 0 }, { cc: 'newreno', startMs: 0 }] },
    { ...base, label: `2 x ${cc}, same start, 1 % loss`, lossPct: 1, flows: [{ cc, startMs: 0 }, { cc, startMs: 0 }] },
    // Beyond the issue's link: a BDP of 9 packets (one flow once starved here), and a long path,
    // where 10 s is 50 round trips instead of 200.
    { ...base, label: `2 x ${cc}, same start`, rateMbps: 10, rttMs: 10, flows: [{ cc, startMs: 0 }, { cc, startMs: 0 }] },
    { ...base, label: `2 x ${cc}, 2nd joins at 1 s`, rateMbps: 10, rttMs: 10, flows: [{ cc, startMs: 0 }, { cc, startMs: 1_000 }] },
    { ...base, label: `2 x ${cc}, same start`, rateMbps: 100, rttMs: 200, flows: [{ cc, startMs: 0 }, { cc, startMs: 0 }] },
    { ...base, label: `2 x ${cc}, 2nd joins at 1 s`, rateMbps: 100, rttMs: 200, flows: [{ cc, startMs: 0 }, { cc, startMs: 1_000 }] },
  ];
  return quick ? all.filter((x) => x.label.endsWith('same start') || x.label.endsWith('vs newreno')) : all;
}

/**
 * `cc` next to one NewReno flow in a shallow, a one-BDP and a deep queue (issue 21): a fair
 * share must hold whether loss or queueing delay is the signal NewReno leaves behind.
 */
export function queueShareScenarios(cc: CongestionAlgorithm): ShareSpec[] {
  const flows: FlowSpec[] = [{ cc, startMs: 0 }, { cc: 'newreno', startMs: 0 }];
  return [0.5, 1, 4].map((q) => ({
    ...ISSUE_LINK,
    label: `${cc} vs newreno, ${q} BDP queue`,
    flows,
    ...(q === 1 ? {} : { queueBdp: q }),
  }));
}
