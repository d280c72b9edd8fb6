// One cell of the simulator grid: a single bulk transfer over test/sim/harness.ts's Sim, with the
// figures bench:sim reports. Deterministic for a given spec (seeded link, seeded connections).
import { Sim, type LinkConfig } from '../../test/sim/harness.js';
import { simCipher } from './sim-cipher.js';
import type { CongestionAlgorithm } from '../../src/core/api.js';
import { BulkFlow } from './bulk.js';
import { Samples, mbps, percentile } from './measure.js';

export interface CellSpec {
  rateMbps: number;
  rttMs: number;
  /** Random loss in %; for a burst cell, its mean loss (BURST_MEAN_PCT). */
  lossPct: number;
  /** Burst loss as linkem's `--ge 1,25` instead of random loss. */
  burst?: boolean;
  cc: CongestionAlgorithm;
  /** Payload bytes to transfer. */
  sizeBytes: number;
  seed: number;
}

/** What every bench transfer reports. */
export interface TransferFigures {
  /** False when the virtual-time cap hit first; figures then cover the capped run. */
  finished: boolean;
  /** Virtual ms from 'connected' to the last acknowledgement (or to the cap). */
  elapsedMs: number;
  /** Payload bytes the receiving application read. */
  receivedBytes: number;
  goodputMbps: number;
  /** Goodput as % of rate x (1 - loss). */
  pctOfIdeal: number;
}

export interface CellResult extends TransferFigures {
  spec: CellSpec;
  /** Same as pctOfIdeal, over the second half of the run only (after startup). */
  steadyPct: number;
  /** Sender's smoothed RTT minus its min RTT, sampled every SAMPLE_MS in the second half. */
  rttExcessP50: number;
  rttExcessP95: number;
  /** Exact wait of each data packet in the bottleneck queue, second half of the run. */
  queueP50: number;
  queueP95: number;
  minRttMs: number;
  /** Retransmitted stream bytes / payload bytes delivered, in %. */
  retxPct: number;
  /** Packets declared lost / packets sent, in % (includes spurious declarations). */
  lossDeclaredPct: number;
  wallMs: number;
}

const SAMPLE_MS = 10;
/** linkem's `--ge 1,25` in bench:link: bursts of ~4 packets, 1 / (1 + 25) of all packets. */
export const BURST = { enterPct: 1, exitPct: 25 } as const;
export const BURST_MEAN_PCT = (100 * BURST.enterPct) / (BURST.enterPct + BURST.exitPct);
/** The smallest drop-tail queue we model, in bytes: 10 full-size packets, like linkem's floor. */
export const MIN_QUEUE = 10 * 1500;

export function idealMbps(rateMbps: number, lossPct: number): number {
  return rateMbps * (1 - lossPct / 100);
}

/** Bottleneck queue of one BDP (never under 10 packets). */
export function queueFor(rateMbps: number, rttMs: number): number {
  return Math.max(MIN_QUEUE, Math.round((rateMbps * 1e6 / 8) * (rttMs / 1000)));
}

/** Virtual-time cap: generous, but it bounds how long a collapsed controller can drag a cell. */
function capMs(spec: CellSpec): number {
  const idealMs = (spec.sizeBytes * 8) / (idealMbps(spec.rateMbps, spec.lossPct) * 1000);
  return Math.max(20_000, 8 * idealMs) + 10 * spec.rttMs;
}

export function runCell(spec: CellSpec, wallNow: () => number): CellResult {
  const wall0 = wallNow();
  const link = {
    rateMbps: spec.rateMbps,
    delayMs: spec.rttMs / 2,
    queueBytes: queueFor(spec.rateMbps, spec.rttMs),
    ...(spec.burst ? { burstLoss: BURST } : { lossPct: spec.lossPct }),
  };
  const { sim, flow } = bulkSim({ link, seed: spec.seed, cc: spec.cc, sizeBytes: spec.sizeBytes });

  const queueWaits = new Samples();
  const rttExcess = new Samples();
  const progress = new Samples();
  sim.ab.onEnqueue = (waitMs, now) => queueWaits.add(now, waitMs);
  let nextSample = 0;
  sim.onStep = () => {
    if (sim.now < nextSample || flow.connectedAt === null) return;
    nextSample = sim.now + SAMPLE_MS;
    const s = sim.a.stats();
    if (s.minRttMs > 0) rttExcess.add(sim.now, s.rttMs - s.minRttMs);
    progress.add(sim.now, flow.received);
  };

  sim.run(() => flow.done, capMs(spec));
  const ideal = idealMbps(spec.rateMbps, spec.lossPct);
  const figures = transferFigures(sim, flow, ideal);
  const start = flow.connectedAt ?? 0;
  const end = flow.finishedAt ?? sim.now;
  const half = start + figures.elapsedMs / 2;
  const stats = sim.a.stats();
  const q = queueWaits.sortedSince(half);
  const r = rttExcess.sortedSince(half);
  return {
    spec,
    ...figures,
    steadyPct: (100 * steadyGoodput(progress, half, end, flow.received)) / ideal,
    rttExcessP50: percentile(r, 50),
    rttExcessP95: percentile(r, 95),
    queueP50: percentile(q, 50),
    queueP95: percentile(q, 95),
    minRttMs: stats.minRttMs,
    retxPct: flow.received > 0 ? (100 * stats.retransmittedBytes) / flow.received : 0,
    lossDeclaredPct: 100 * stats.lossRate,
    wallMs: wallNow() - wall0,
  };
}

/** A Sim whose client sends `sizeBytes` on one stream, sealed with the clear-text `simCipher`. */
export function bulkSim(o: { link: LinkConfig; reverse?: LinkConfig; seed: number; cc: CongestionAlgorithm; sizeBytes: number }): { sim: Sim; flow: BulkFlow } {
  const cipher = { cipher: simCipher };
  const sim = new Sim({ link: o.link, reverse: o.reverse, seed: o.seed, congestion: o.cc, clientOptions: cipher, serverOptions: cipher });
  const flow = new BulkFlow(sim.a, sim.b, o.sizeBytes, () => sim.now);
  sim.onEvent = (side, e) => flow.onEvent(side, e);
  return { sim, flow };
}

/** Goodput from 'connected' to the last ACK (or to the cap, where the run stopped). */
export function transferFigures(sim: Sim, flow: BulkFlow, idealMbit: number): TransferFigures {
  const elapsedMs = (flow.finishedAt ?? sim.now) - (flow.connectedAt ?? 0);
  const goodputMbps = mbps(flow.received, elapsedMs);
  return { finished: flow.finishedAt !== null, elapsedMs, receivedBytes: flow.received, goodputMbps, pctOfIdeal: (100 * goodputMbps) / idealMbit };
}

/** Mbit/s delivered between `from` and `end`, from the progress samples. */
function steadyGoodput(progress: Samples, from: number, end: number, total: number): number {
  const at = progress.sortedSince(from);
  // Progress is monotonic, so the smallest value since `from` is the count at `from`.
  const base = at.length ? at[0]! : total;
  return mbps(total - base, end - from);
}
