// bench:sim's "real paths" cells (issue 21): bulk transfers over links that jitter, reorder,
// duplicate, or have a thin return direction, in virtual time, with the same models and defaults
// as linkem in bench:link (harness.ts's LinkConfig), so the two tables can be read side by side.
import type { CongestionAlgorithm, ConnectionStats } from '../../src/core/api.js';
import type { LinkConfig } from '../../test/sim/harness.js';
import { bulkSim, idealMbps, transferFigures, type TransferFigures } from './cell.js';

const MiB = 1 << 20;

export interface PathSpec {
  label: string;
  /** Data direction (client to server) and the return direction (the receiver's ACKs). */
  forward: LinkConfig;
  reverse: LinkConfig;
  cc: CongestionAlgorithm;
  sizeBytes: number;
  seed: number;
}

export interface PathResult extends TransferFigures {
  spec: PathSpec;
  retransmittedBytes: number;
  /** The sender's spurious-loss counters, null while ConnectionStats has none. */
  spuriousLosses: number | null;
  spuriousBytes: number | null;
  /** Datagrams the sender offered to the forward link and the receiver to the return link. */
  forwardDatagrams: number;
  returnDatagrams: number;
  /** Return datagrams the drop-tail queue refused. */
  returnQueueDrops: number;
  wallMs: number;
}

/**
 * linkem's defaults that bench:link runs with: a 50 ms drop-tail queue at the rate (at least
 * 10 packets), and the rate counting IP packets (28 header bytes on every UDP datagram).
 */
const LINKEM = { queueMs: 50, headerBytes: 28 } as const;

/** The cells of issue 21's bench:link table; each link model applies to both directions, as linkem's `--X`. */
export function pathSpecs(cc: CongestionAlgorithm): PathSpec[] {
  const lan = { ...LINKEM, rateMbps: 100, delayMs: 10 };
  const jitter = (ms: number, jitterReorder: boolean): LinkConfig => ({ ...lan, jitterMs: ms, jitterReorder });
  const both = (label: string, link: LinkConfig): PathSpec => ({ label, forward: link, reverse: link, cc, sizeBytes: 64 * MiB, seed: 21 });
  const thin = (label: string, lossPct: number): PathSpec => ({
    label,
    forward: { ...LINKEM, rateMbps: 100, delayMs: 20, lossPct },
    reverse: { ...LINKEM, rateMbps: 1, delayMs: 20, lossPct },
    cc,
    sizeBytes: 32 * MiB,
    seed: 21,
  });
  return [
    both('jitter ±1 ms, reordering', jitter(1, true)),
    both('jitter ±2 ms, reordering', jitter(2, true)),
    both('jitter ±2 ms, in order', jitter(2, false)),
    both('2 % skip the delay (linkem --reorder 2)', { ...lan, skipDelayPct: 2 }),
    both('5 % loss + 2 % skip-delay + 1 % duplicates + jitter ±2 ms, reordering', { ...jitter(2, true), lossPct: 5, skipDelayPct: 2, duplicatePct: 1 }),
    thin('100 Mbit/s forward, 1 Mbit/s back', 0),
    thin('100 Mbit/s forward, 1 Mbit/s back, 1 % loss', 1),
  ];
}

function idealOf(spec: PathSpec): number {
  return idealMbps(spec.forward.rateMbps, spec.forward.lossPct ?? 0);
}

/**
 * Virtual-time cap: 20 × the ideal time, at least 60 s. Today's xfer runs these links at a
 * tenth of their rate (issue 21), and a cell that finishes reports the real figure, not the cap's.
 */
function capMs(spec: PathSpec): number {
  return Math.max(60_000, 20 * ((spec.sizeBytes * 8) / (idealOf(spec) * 1000)));
}

/** A counter ConnectionStats may not have yet (spuriousLosses, spuriousBytes): null when absent. */
function optionalStat(stats: ConnectionStats, key: string): number | null {
  const v = (stats as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : null;
}

export function runPath(spec: PathSpec, wallNow: () => number): PathResult {
  const wall0 = wallNow();
  const { sim, flow } = bulkSim({ link: spec.forward, reverse: spec.reverse, seed: spec.seed, cc: spec.cc, sizeBytes: spec.sizeBytes });
  sim.run(() => flow.done, capMs(spec));
  const stats = sim.a.stats();
  return {
    spec,
    ...transferFigures(sim, flow, idealOf(spec)),
    retransmittedBytes: stats.retransmittedBytes,
    spuriousLosses: optionalStat(stats, 'spuriousLosses'),
    spuriousBytes: optionalStat(stats, 'spuriousBytes'),
    forwardDatagrams: sim.ab.sent,
    returnDatagrams: sim.ba.sent,
    returnQueueDrops: sim.ba.queueDrops,
    wallMs: wallNow() - wall0,
  };
}
