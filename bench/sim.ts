// bench:sim — xfer's transport over the virtual-time simulator (test/sim/harness.ts): goodput,
// queueing delay and retransmission overhead over a grid of rate x RTT x random loss, then
// link sharing (Jain's index, xfer vs NewReno). Prints markdown and rewrites its section of
// bench/RESULTS.md. Usage: node --import tsx bench/sim.ts [--quick] [--cc bbr|newreno] [--no-burst]
//   [--jobs N] [--rates 10,100] [--rtts 50] [--losses 0,1] [--no-loopback] [--no-write]
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
import { measureLoopback } from './lib/loopback.js';
import { runPool } from './lib/pool.js';
import { writeSection } from './lib/results-file.js';
import { shareScenarios, type ShareResult, type ShareSpec } from './lib/sharing.js';
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
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, cc: 'bbr', jobs: Math.min(2, cpus().length), rates: [], rtts: [], losses: [], burst: true, loopback: true, write: true };
  const list = (v: string | undefined): number[] => (v ?? '').split(',').filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--no-burst') o.burst = false;
    else if (a === '--no-loopback') o.loopback = false;
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

/** Rough wall cost of a job: the bytes it moves at line rate. */
function jobCost(job: { kind: 'cell'; spec: CellSpec } | { kind: 'share'; spec: ShareSpec }): number {
  return job.kind === 'cell' ? job.spec.sizeBytes : (job.spec.rateMbps * 1e6 / 8) * (job.spec.durationMs / 1000);
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return `npm run bench:sim${args ? ` -- ${args}` : ''}`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const running = createController(o.cc, 1400).name;
  const started = new Date();
  const wall0 = performance.now();
  const cells = cellSpecs(o);
  // The sharing runs are on 10 and 100 Mbit/s links: `--rates 1000` is the quick path for gigabit cells.
  const shares = shareScenarios(o.cc, o.quick).filter((x) => o.rates.includes(x.rateMbps));
  const jobs = [...cells.map((spec) => ({ kind: 'cell' as const, spec })), ...shares.map((spec) => ({ kind: 'share' as const, spec }))];
  // Longest first, so the last job to finish is a short one and both workers stay busy.
  const order = jobs.map((_, i) => i).sort((x, y) => jobCost(jobs[y]!) - jobCost(jobs[x]!));
  process.stderr.write(`bench:sim: ${cells.length} cells + ${shares.length} sharing runs, ${o.jobs} worker(s), --cc ${o.cc} (runs: ${running})\n`);
  let done = 0;
  const aead = [measureAead(nobleCipher), measureAead(nativeCipher)];
  const sorted = await runPool<CellResult | ShareResult>(order.map((i) => jobs[i]!), o.jobs, () => {
    process.stderr.write(`\r  ${++done}/${jobs.length} done, ${((performance.now() - wall0) / 1000).toFixed(0)} s`);
  });
  process.stderr.write('\n');
  const results: (CellResult | ShareResult)[] = new Array(jobs.length);
  order.forEach((jobIndex, k) => (results[jobIndex] = sorted[k]!));
  const cellResults = results.slice(0, cells.length) as CellResult[];
  const shareResults = results.slice(cells.length) as ShareResult[];
  // After the grid, so the two processes have both cores to themselves.
  if (o.loopback) process.stderr.write('  real transfer over 127.0.0.1 ...\n');
  const loopback = o.loopback ? await measureLoopback() : null;
  const wallS = (performance.now() - wall0) / 1000;

  const lines = [
    `## bench:sim — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${commandLine()}\` · controller asked: \`${o.cc}\`, actually running: \`${running}\` · ` +
      `node ${process.version} · ${cpus()[0]?.model ?? 'cpu?'} · wall ${wallS.toFixed(0)} s with ${o.jobs} worker(s)`,
    '',
    cellTable(cellResults, o.quick),
    '',
    gridSummary(cellResults),
    '',
    shareTable(shareResults),
    '',
    ...targetNotes(cellResults, shareResults, aead, loopback, o.cc),
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  if (o.write) {
    const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
    writeSection(path, 'bench:sim', text);
    process.stderr.write(`bench:sim: wrote its section of ${path}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
