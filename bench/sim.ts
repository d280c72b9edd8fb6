// bench:sim — xfer's transport over the virtual-time simulator (test/sim/harness.ts): goodput,
// queueing delay and retransmission overhead over a grid of rate x RTT x random loss, then
// link sharing (Jain's index, xfer vs NewReno), then "real paths" (jitter, reordering,
// duplicates, a thin return direction, xfer next to NewReno in three queue depths). Prints
// markdown and rewrites its sections of bench/RESULTS.md. Usage: node --import tsx bench/sim.ts
//   [--quick] [--cc bbr|newreno] [--no-burst] [--jobs N] [--rates 10,100] [--rtts 50]
//   [--losses 0,1] [--no-loopback] [--no-paths | --paths-only] [--no-write]
// `--rates 1000 --no-loopback --no-write` runs the gigabit cells alone (no sharing runs).
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CongestionAlgorithm } from '../src/core/api.js';
import { createController } from '../src/core/congestion/controller.js';
import { nobleCipher } from '../src/core/crypto/aead.js';
import { nativeCipher } from '../src/io/native-cipher.js';
import { measureAead } from './lib/aead-speed.js';
import { BURST_MEAN_PCT, type CellResult, type CellSpec } from './lib/cell.js';
import { measureLoopback, type LoopbackResult } from './lib/loopback.js';
import { pathSpecs, type PathResult, type PathSpec } from './lib/paths.js';
import { pathTable, queueShareTable } from './lib/paths-report.js';
import { runPool } from './lib/pool.js';
import { writeSection } from './lib/results-file.js';
import { queueShareScenarios, shareKey, shareScenarios, type ShareResult, type ShareSpec } from './lib/sharing.js';
import { cellTable, gridSummary, shareTable, targetNotes } from './lib/report.js';

const MiB = 1 << 20;

interface Options {
  quick: boolean;
  cc: CongestionAlgorithm;
  jobs: number;
  rates: number[];
  rtts: number[];
  losses: number[];
  /** Also a burst-loss cell (linkem's --ge 1,25) per rate and RTT. */
  burst: boolean;
  /** Also a real transfer over 127.0.0.1 (the host's ceiling, where the time goes). */
  loopback: boolean;
  /** The "real paths" cells (on by default; they run when --rates includes 100). */
  paths: boolean;
  /** Only those: no grid, no grid sharing runs, no host measurements. */
  pathsOnly: boolean;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, cc: 'bbr', jobs: Math.min(2, cpus().length), rates: [], rtts: [], losses: [], burst: true, loopback: true, paths: true, pathsOnly: false, write: true };
  const list = (v: string | undefined): number[] => (v ?? '').split(',').filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--no-burst') o.burst = false;
    else if (a === '--no-loopback') o.loopback = false;
    else if (a === '--no-paths') o.paths = false;
    else if (a === '--paths-only') o.pathsOnly = true;
    else if (a === '--cc') {
      const v = argv[++i];
      if (v !== 'bbr' && v !== 'newreno') throw new Error('--cc takes bbr or newreno');
      o.cc = v;
    } else if (a === '--jobs') o.jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--rates') o.rates = list(argv[++i]);
    else if (a === '--rtts') o.rtts = list(argv[++i]);
    else if (a === '--losses') o.losses = list(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.rates.length) o.rates = [10, 100, 1000];
  if (!o.rtts.length) o.rtts = o.quick ? [50] : [10, 50, 200];
  if (!o.losses.length) o.losses = o.quick ? [0, 1, 5, 20] : [0, 0.5, 1, 2, 5, 10, 20];
  return o;
}

/**
 * Seconds of line rate each cell transfers: 10 s reaches steady state at every rate and RTT, and
 * at 1000 Mbit/s x 200 ms it is the big backup between data centres the issue names, of which
 * STARTUP (about 2 s there) is a part, not the whole. Cells seal with `simCipher`, which keeps
 * that affordable (a real cipher would triple their wall time and change no figure).
 */
function secondsFor(quick: boolean): number {
  return quick ? 3 : 10;
}

function cellSpecs(o: Options): CellSpec[] {
  const specs: CellSpec[] = [];
  for (const rateMbps of o.rates)
    for (const rttMs of o.rtts)
      for (const lossPct of [...o.losses, ...(o.burst ? [BURST_MEAN_PCT] : [])]) {
        const sizeBytes = Math.max(8 * MiB, Math.round((secondsFor(o.quick) * rateMbps * 1e6) / 8));
        const burst = o.losses.includes(lossPct) ? {} : { burst: true };
        specs.push({ rateMbps, rttMs, lossPct, ...burst, cc: o.cc, sizeBytes, seed: 1 + rateMbps + rttMs * 7 + Math.round(lossPct * 10) * 13 });
      }
  return specs;
}

/** The links the "real paths" cells run on (`--rates` must include it, as for the sharing runs). */
const PATHS_RATE = 100;

type JobSpec = { kind: 'cell'; spec: CellSpec } | { kind: 'share'; spec: ShareSpec } | { kind: 'path'; spec: PathSpec };
type JobResult = CellResult | ShareResult | PathResult;

interface Plan {
  cells: CellSpec[];
  shares: ShareSpec[];
  paths: PathSpec[];
  queueShares: ShareSpec[];
}

function plan(o: Options): Plan {
  const grid = !o.pathsOnly;
  const withPaths = (o.paths || o.pathsOnly) && o.rates.includes(PATHS_RATE);
  return {
    cells: grid ? cellSpecs(o) : [],
    // The sharing runs are on 10 and 100 Mbit/s links: `--rates 1000` is the quick path for gigabit cells.
    shares: grid ? shareScenarios(o.cc, o.quick).filter((x) => o.rates.includes(x.rateMbps)) : [],
    paths: withPaths ? pathSpecs(o.cc) : [],
    queueShares: withPaths ? queueShareScenarios(o.cc) : [],
  };
}

/** Every run once: the one-BDP run next to NewReno is in both sharing tables, and runs once. */
function jobsOf(p: Plan): JobSpec[] {
  const shares = new Map<string, ShareSpec>();
  for (const s of [...p.shares, ...p.queueShares]) if (!shares.has(shareKey(s))) shares.set(shareKey(s), s);
  return [
    ...p.cells.map((spec) => ({ kind: 'cell' as const, spec })),
    ...[...shares.values()].map((spec) => ({ kind: 'share' as const, spec })),
    ...p.paths.map((spec) => ({ kind: 'path' as const, spec })),
  ];
}

/** Rough wall cost of a job: the bytes it moves at line rate. */
function jobCost(job: JobSpec): number {
  return job.kind === 'share' ? (job.spec.rateMbps * 1e6 / 8) * (job.spec.durationMs / 1000) : job.spec.sizeBytes;
}

/** Runs the jobs in the pool; results in job order. */
async function runJobs(jobs: readonly JobSpec[], workers: number, wall0: number): Promise<JobResult[]> {
  // Longest first, so the last job to finish is a short one and both workers stay busy.
  const order = jobs.map((_, i) => i).sort((x, y) => jobCost(jobs[y]!) - jobCost(jobs[x]!));
  let done = 0;
  const sorted = await runPool<JobResult>(order.map((i) => jobs[i]!), workers, () => {
    process.stderr.write(`\r  ${++done}/${jobs.length} done, ${((performance.now() - wall0) / 1000).toFixed(0)} s`);
  });
  process.stderr.write('\n');
  const results: JobResult[] = new Array(jobs.length);
  order.forEach((jobIndex, k) => (results[jobIndex] = sorted[k]!));
  return results;
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return `npm run bench:sim${args ? ` -- ${args}` : ''}`;
}

interface RunInfo {
  started: Date;
  running: string;
  wallS: number;
  jobs: number;
}

function header(title: string, o: Options, info: RunInfo): string[] {
  return [
    `## ${title} — ${info.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${commandLine()}\` · controller asked: \`${o.cc}\`, actually running: \`${info.running}\` · ` +
      `node ${process.version} · ${cpus()[0]?.model ?? 'cpu?'} · wall ${info.wallS.toFixed(0)} s with ${info.jobs} worker(s)`,
    '',
  ];
}

/** Prints a section and, unless --no-write, replaces it in bench/RESULTS.md. */
function emit(o: Options, section: string, lines: readonly string[]): void {
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  if (!o.write) return;
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeSection(path, section, text);
  process.stderr.write(`bench:sim: wrote its ${section} section of ${path}\n`);
}

/** After the jobs, so the two processes have both cores to themselves. */
async function loopbackIfAsked(o: Options): Promise<LoopbackResult | null> {
  if (!o.loopback || o.pathsOnly) return null;
  process.stderr.write('  real transfer over 127.0.0.1 ...\n');
  return measureLoopback();
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const running = createController(o.cc, 1400).name;
  const started = new Date();
  const wall0 = performance.now();
  const p = plan(o);
  const jobs = jobsOf(p);
  process.stderr.write(
    `bench:sim: ${p.cells.length} cells + ${p.shares.length} sharing runs + ${p.paths.length} path cells` +
      ` (${jobs.length} jobs), ${o.jobs} worker(s), --cc ${o.cc} (runs: ${running})\n`,
  );
  const aead = o.pathsOnly ? [] : [measureAead(nobleCipher), measureAead(nativeCipher)];
  const results = await runJobs(jobs, o.jobs, wall0);
  const shareOf = new Map<string, ShareResult>();
  jobs.forEach((j, i) => j.kind === 'share' && shareOf.set(shareKey(j.spec), results[i] as ShareResult));
  const cellResults = results.filter((_, i) => jobs[i]!.kind === 'cell') as CellResult[];
  const pathResults = results.filter((_, i) => jobs[i]!.kind === 'path') as PathResult[];
  const loopback = await loopbackIfAsked(o);
  const info = { started, running, wallS: (performance.now() - wall0) / 1000, jobs: o.jobs };

  if (!o.pathsOnly) {
    const shareResults = p.shares.map((s) => shareOf.get(shareKey(s))!);
    emit(o, 'bench:sim', [
      ...header('bench:sim', o, info),
      cellTable(cellResults, o.quick),
      '',
      gridSummary(cellResults),
      '',
      shareTable(shareResults),
      '',
      ...targetNotes(cellResults, shareResults, aead, loopback, o.cc),
    ]);
  }
  if (p.paths.length) {
    emit(o, 'bench:sim paths', [
      ...header('bench:sim real paths (issue 21)', o, info),
      pathTable(pathResults),
      '',
      queueShareTable(p.queueShares.map((s) => shareOf.get(shareKey(s))!)),
    ]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
