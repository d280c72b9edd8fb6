#!/usr/bin/env node
// bench:link — xfer against kernel TCP (iperf3 with CUBIC and with BBR) on the same emulated
// link: linkem, 100 Mbit/s, 25 ms one-way (50 ms RTT), random loss 0..20 % and burst loss.
// Needs root (network namespaces). A benchmark, not a test: it prints Mbit/s and appends the
// table to bench/RESULTS.md.
//
//   node bench/link.mjs [--quick] [--secs N] [--budget S] [--cc bbr|newreno] [--losses 0,1,5]
//                       [--no-burst] [--nc] [--max-mib N] [--build] [--no-write] [--xfer DIR]
//                       [--repeat N] [--name LINK] [--wall] [--mtu-sweep] [--size N[KMG]] [--mtus 1420,1280]
//                       [--paths] [--cells j1,thin1,cubic]
// --repeat N runs iperf3 (both algorithms) and xfer N times per loss, interleaved, and reports
// each one's median: single runs on a busy 2-core host scatter by +-5 %.
// --wall and --mtu-sweep replace the iperf3 table with wall-clock tables against a TCP file
// copy (bench/lib/wall.mjs); --paths with issue 21's jitter, reordering, thin-return-path and
// next-to-CUBIC cells (bench/lib/paths-link.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from './lib/build.mjs';
import { appendSection, deadline, ensureFile, fmt, latestMtime, pct, sleep } from './lib/link-util.mjs';
import { downAllLinks, makeLink } from './lib/netns.mjs';
import { killChildren, run, start } from './lib/proc.mjs';
import { median, withSteal } from './lib/runs.mjs';
import { ensureCongestionControl } from './lib/tcp-copy.mjs';
import { PATH_CELLS, pathsMode } from './lib/paths-link.mjs';
import { mtuSweep, wallMode } from './lib/wall.mjs';
import { xferOnce as xferRun } from './lib/xfer-run.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINKEM = resolve(REPO, '../shared/tools/linkem/linkem');
const A_IP = '10.77.0.1';
const PORT = 47400;
const IPERF_PORT = 5201;
const RATE = 100;
const WORK = '/tmp/xfer-bench-link';
const MiB = 1 << 20;

const opts = parseArgs(process.argv.slice(2));

function parseArgs(argv) {
  const o = { quick: false, secs: 0, budget: 0, cc: 'bbr', losses: null, burst: true, nc: false, maxMiB: 128, build: false, write: true, xfer: REPO, repeat: 1, name: 'xbench', wall: false, mtuSweep: false, paths: false, cells: null, size: 0, mtus: [1420, 1280] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--secs') o.secs = Number(argv[++i]);
    else if (a === '--budget') o.budget = Number(argv[++i]);
    else if (a === '--cc') o.cc = argv[++i];
    else if (a === '--losses') o.losses = argv[++i].split(',').filter(Boolean).map(Number);
    else if (a === '--no-burst') o.burst = false;
    else if (a === '--nc') o.nc = true;
    else if (a === '--max-mib') o.maxMiB = Number(argv[++i]);
    else if (a === '--build') o.build = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--xfer') o.xfer = resolve(argv[++i]); // another xfer checkout to benchmark
    else if (a === '--repeat') o.repeat = Math.max(1, Math.floor(Number(argv[++i])) || 1);
    else if (a === '--name') o.name = argv[++i];
    else if (a === '--wall') o.wall = true;
    else if (a === '--mtu-sweep') o.mtuSweep = true;
    else if (a === '--paths') o.paths = true;
    else if (a === '--cells') o.cells = argv[++i].split(',').filter(Boolean);
    else if (a === '--size') o.size = parseSize(argv[++i]);
    else if (a === '--mtus') o.mtus = argv[++i].split(',').filter(Boolean).map(Number);
    else die(`unknown option ${a}`);
  }
  if (o.cc !== 'bbr' && o.cc !== 'newreno') die('--cc takes bbr or newreno');
  if (!/^[A-Za-z0-9_]{1,24}$/.test(o.name)) die('--name takes letters, digits and _ (at most 24), as linkem does');
  if (o.mtus.some((m) => !Number.isInteger(m) || m < 576)) die('--mtus takes whole MTUs of at least 576');
  const unknownCell = o.cells?.find((c) => !PATH_CELLS.includes(c));
  if (unknownCell) die(`--cells takes ${PATH_CELLS.join(', ')}, not ${unknownCell}`);
  if (o.cells) o.paths = true;
  // --paths alone: the 5 % loss + reordering cell's TCP copy of 64 MiB needs about a minute.
  if (o.paths && !o.wall && !o.mtuSweep) o.budget ||= 90;
  if (o.wall || o.mtuSweep || o.paths) {
    // One transfer of each kind per row and run, each cut off at the budget (TCP CUBIC at 1 %
    // loss needs minutes for 64 MiB); the issue's losses and file sizes.
    o.budget ||= 60;
    o.wallLosses = o.losses ?? [1, 5, 15];
    o.wallSize = o.size || 64 * MiB;
    o.mtuSize = o.size || 32 * MiB;
  }
  // iperf3 seconds per TCP run, and the wall budget for one xfer file transfer.
  o.secs ||= o.quick ? 5 : 15;
  o.budget ||= o.quick ? 12 : 40;
  o.losses ??= [0, 1, 2, 5, 10, 15, 20];
  return o;
}

/** "64M", "512K", "1G" or plain bytes. */
function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text ?? '');
  if (!m) die(`--size takes bytes or N[KMG], not ${text}`);
  return Math.round(Number(m[1]) * { '': 1, K: 1 << 10, M: MiB, G: 1 << 30 }[m[2].toUpperCase()]);
}

function die(msg) {
  process.stderr.write(`bench:link: ${msg}\n`);
  process.exit(2);
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

// ------------------------------------------------------------------ processes

const link = makeLink(LINKEM, opts.name);
const inNs = link.inNs;
// Every run of every mode: a bench process that ends, however it ends, leaves no link behind.
process.on('exit', () => {
  killChildren();
  downAllLinks();
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

// ------------------------------------------------------------------ setup

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the Debian packages of the commands missing; returns whether apt-get succeeded. */
function aptInstall(packages) {
  log(`installing ${packages.join(' ')} from Debian`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  return spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0;
}

function ensureTools() {
  const missing = [];
  if (!have('iperf3')) missing.push('iperf3');
  if (opts.nc && !have('nc')) missing.push('netcat-openbsd');
  if (missing.length && !aptInstall(missing)) die(`apt-get install ${missing.join(' ')} failed`);
}

/**
 * For the wall-clock modes: why the TCP copy with `cc` cannot run (socat missing and not
 * installable, or the kernel lacks the algorithm), or null. Those columns are skipped and say why.
 */
function tcpCopyCheck() {
  const socat = have('socat') || (aptInstall(['socat']) && have('socat'));
  if (!socat) log('bench:link: socat missing and apt-get could not install it: TCP copy columns skipped');
  return (cc) => (socat ? ensureCongestionControl(cc) : 'socat missing');
}

/** For --paths' CUBIC cell: why iperf3 with CUBIC cannot run, or null. */
function iperfCheck() {
  if (!have('iperf3') && !(aptInstall(['iperf3']) && have('iperf3'))) return 'iperf3 missing and apt-get could not install it';
  return ensureCongestionControl('cubic');
}

/** Builds dist when missing, stale (a src file is newer) or asked to; a failed build of an existing dist only warns. */
function ensureBuild() {
  const main = builtEntry(opts.xfer);
  const stale = existsSync(main) && latestMtime(join(opts.xfer, 'src')) > statSync(main).mtimeMs;
  if (existsSync(main) && !stale && !opts.build) return;
  log(`running npm run build (${existsSync(main) ? (stale ? 'dist older than src' : 'asked') : 'dist missing'})`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: opts.xfer, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    if (!existsSync(main)) die('npm run build failed and there is no dist to run');
    log('bench:link: WARNING: build failed; benchmarking the existing dist');
  }
}

// ------------------------------------------------------------------ measurements

/** iperf3 b -> a, retried once: at high loss its TCP control connection occasionally fails. */
async function iperf(cc) {
  const first = await iperfOnce(cc);
  if (Number.isFinite(first.mbps)) return first;
  log(`   iperf3 -C ${cc} failed (${first.note}); retrying once`);
  await sleep(2000);
  const second = await iperfOnce(cc);
  return { ...second, note: `${second.note ? `${second.note}; ` : ''}2nd try` };
}

/** A one-off server per run, so a test stuck at high loss cannot leave it busy. */
async function iperfOnce(cc) {
  const server = start(...inNs('a', ['iperf3', '-s', '-1', '-B', A_IP]));
  try {
    if (!(await link.waitListening('t', IPERF_PORT, 10_000))) return { mbps: NaN, note: 'iperf3 server did not start' };
    return await iperfClient(cc);
  } finally {
    await server.stop();
  }
}

async function iperfClient(cc) {
  const [cmd, args] = inNs('b', ['iperf3', '-c', A_IP, '-t', String(opts.secs), '-C', cc, '-J', '--connect-timeout', '10000']);
  const r = await run(cmd, args, { timeoutMs: (opts.secs + 45) * 1000 });
  try {
    const j = JSON.parse(r.stdout);
    if (j.error) return { mbps: NaN, note: j.error };
    const used = j.end?.sender_tcp_congestion;
    return { mbps: j.end.sum_received.bits_per_second / 1e6, retransmits: j.end.sum_sent?.retransmits, note: used && used !== cc ? `ran ${used}` : '' };
  } catch {
    return { mbps: NaN, note: r.timedOut ? 'timeout' : `iperf3 failed (${r.code})` };
  }
}

/** One xfer file transfer b -> a for the iperf3 table; goodput from the sender process's wall time. */
function xferOnce(file, size, timeoutMs) {
  return xferRun({ link, xferDir: opts.xfer, cc: opts.cc, work: WORK, aIp: A_IP, port: PORT }, file, size, timeoutMs);
}

/**
 * What `--cc` really runs in dist (the name the controller reports), and how long xfer takes to
 * start: in namespace b, or on the host when no link is up (the wall-clock modes bring theirs up later).
 */
async function xferInfo(inLink = true) {
  const url = new URL(`file://${join(opts.xfer, 'dist/core/congestion/controller.js')}`);
  let running = '?';
  try {
    running = (await import(url.href)).createController(opts.cc, 1400).name;
  } catch {}
  const cmd = [process.execPath, join(opts.xfer, 'bin/xfer'), '--version'];
  const r = await run(...(inLink ? inNs('b', cmd) : [cmd[0], cmd.slice(1)]), { timeoutMs: 20_000 });
  return { running, startupMs: r.ms };
}

/** Picks a file size that fits the time budget from a small probe transfer, then sends it. */
async function xfer(master, startupMs) {
  const probeSize = (opts.quick ? 2 : 4) * MiB;
  const probeFile = await ensureFile(master, probeSize, WORK);
  let probe = await xferOnce(probeFile.path, probeSize, opts.budget * 1000);
  let hangs = '';
  if (!probe.ok && probe.timedOut) {
    // A stuck transfer is a finding (kept in the table), but the row still deserves a rate.
    log(`   xfer probe timed out (${probe.note}); retrying once`);
    hangs = `1st try: ${probe.note}`;
    probe = await xferOnce(probeFile.path, probeSize, opts.budget * 1000);
  }
  const withHangs = (r) => (hangs ? { ...r, hangs } : r);
  if (!probe.ok) return withHangs({ ...probe, size: probeSize, path: probeFile.path, probeOnly: true });
  // The probe's time includes Node start-up (known) and the handshake and ramp-up (not), so
  // it underestimates the rate; 1.5x compensates for the part that is not subtracted.
  const rate = probeSize / (Math.max(probe.ms - startupMs, probe.ms / 2) / 1000);
  let size = Math.min(opts.maxMiB * MiB, Math.max(probeSize, Math.floor((rate * opts.budget * 1.5) / MiB) * MiB));
  if (size <= probeSize) return withHangs({ ...probe, size: probeSize, path: probeFile.path, shaOk: probe.sha === probeFile.sha, probeOnly: true });
  const f = size === master.size ? master : await ensureFile(master, size, WORK);
  const r = await xferOnce(f.path, size, Math.max(opts.budget * 2.5, 60) * 1000);
  return withHangs({ ...r, size, path: f.path, shaOk: r.ok && r.sha === f.sha });
}

/** Another transfer of the file the first run picked (no probe), with the same checks. */
async function xferAgain(first) {
  const r = await xferOnce(first.path, first.size, Math.max(opts.budget * 2.5, 60) * 1000);
  return { ...r, size: first.size, path: first.path, probeOnly: first.probeOnly, shaOk: r.ok && r.sha === first.sha };
}

async function nc(file, size) {
  const port = 5202;
  const out = join(WORK, 'nc.out');
  rmSync(out, { force: true });
  const recv = start(...inNs('a', ['sh', '-c', `exec nc -l ${A_IP} ${port} > ${out}`]));
  try {
    await sleep(300);
    const [cmd, args] = inNs('b', ['sh', '-c', `exec nc -N ${A_IP} ${port} < ${file}`]);
    const r = await run(cmd, args, { timeoutMs: opts.budget * 2000 });
    if (r.timedOut) {
      // TCP at high loss may not finish in the budget: what arrived by then is its rate.
      await sleep(500);
      const part = existsSync(out) ? statSync(out).size : 0;
      return { mbps: (part * 8) / (r.ms * 1000), note: `partial: ${fmt(part / MiB, 1)} MiB in ${fmt(r.ms / 1000, 0)} s` };
    }
    await Promise.race([recv.exited, deadline(5000)]);
    const got = existsSync(out) ? statSync(out).size : 0;
    return { mbps: (got * 8) / (r.ms * 1000), note: got === size ? '' : `short: ${got} B` };
  } finally {
    await recv.stop();
  }
}

// ------------------------------------------------------------------ main

function conditions() {
  const c = opts.losses.map((l) => ({ label: `${l} %`, loss: l, set: ['--loss', String(l), '--ge', 'off'] }));
  if (opts.burst) c.push({ label: 'burst (`--ge 1,25`)', loss: 3.85, burst: true, set: ['--loss', '0', '--ge', '1,25'] });
  return c;
}

/**
 * The xfer rate the targets are judged on: xfer's own figure (connection up to everything
 * acknowledged and verified), like iperf3's, which starts once its connections are up. The
 * wall-clock figure, which adds Node start-up and the handshake, is printed next to it.
 */
function judged(x) {
  // A timed-out run's partial rate is a lower bound, good enough to judge against.
  if (!x.ok) return x.partialMbps ?? NaN;
  const own = Number(ownRate(x));
  return Number.isFinite(own) ? own : x.mbps;
}

function target(cond, row) {
  const x = judged(row.xfer);
  const bbr = row.bbr.mbps;
  const parts = [];
  const factor = cond.burst || cond.loss <= 5 ? 1 : cond.loss <= 10 ? 1.1 : 5;
  if (Number.isFinite(x) && Number.isFinite(bbr)) parts.push(`≥ ${factor}× BBR ${x >= factor * bbr ? '✓' : '✗'}`);
  if (!cond.burst && cond.loss === 1 && Number.isFinite(row.cubic.mbps)) parts.push(`≥ 25× CUBIC ${x >= 25 * row.cubic.mbps ? '✓' : '✗'}`);
  return parts.join(', ') || 'n/a';
}

/** The Mbit/s xfer printed itself (transfer time only, without process start and teardown). */
function ownRate(x) {
  const m = x.ok && x.summary ? x.summary.match(/\(([\d.]+) ([kMG])bit\/s\)/) : null;
  if (!m) return '—';
  return fmt(Number(m[1]) * { k: 1e-3, M: 1, G: 1e3 }[m[2]], 1);
}

function table(rows, ncOn) {
  const head = `| loss | ideal Mbit/s | TCP CUBIC | TCP BBR | xfer (${opts.cc}) | xfer's own summary |${ncOn ? ' nc (TCP, bbr) |' : ''} xfer file | SHA-256 | xfer ÷ BBR | link loss b→a, queue drops | target |`;
  const sep = `|---|---:|---:|---:|---:|---:|${ncOn ? '---:|' : ''}---:|:-:|---:|---:|:--|`;
  const cell = (m, ideal) => (Number.isFinite(m.mbps) ? `${fmt(m.mbps, m.mbps < 10 ? 2 : 1)} (${pct(m.mbps, ideal)})` : '—') + (m.note ? ` ${m.note}` : '');
  const lines = [head, sep];
  for (const { cond, row } of rows) {
    const ideal = RATE * (1 - cond.loss / 100);
    const x = row.xfer;
    const file = `${fmt(x.size / MiB, 0)} MiB${x.probeOnly ? ' (probe)' : ''}${x.ok ? '' : ` ✗ ${x.note}`}${x.hangs ? ` (${x.hangs})` : ''}`;
    const ratio = Number.isFinite(row.bbr.mbps) && row.bbr.mbps > 0 && x.ok ? `${fmt(judged(x) / row.bbr.mbps, 2)}×` : '—';
    const xCell = x.ok ? cell(x, ideal) : Number.isFinite(x.partialMbps) ? `${cell({ mbps: x.partialMbps }, ideal)} partial` : '—';
    lines.push(
      `| ${cond.label} | ${fmt(ideal, 1)} | ${cell(row.cubic, ideal)} | ${cell(row.bbr, ideal)} | ${xCell} | ${ownRate(x)} |${ncOn ? ` ${cell(row.nc, ideal)} |` : ''} ${file} | ${x.ok ? (x.shaOk ? '✓' : '✗') : '—'} | ${ratio} | ${fmt(row.link.lossPct, 2)} %, ${row.link.queueDrops} | ${target(cond, row)} |`,
    );
  }
  return lines.join('\n');
}

/** With --repeat: every run's figure, in run order, beside the medians the main table shows. */
function runsTable(rows) {
  const one = (v, st) => `${Number.isFinite(v) ? fmt(v, v < 10 ? 2 : 1) : '—'}${Number.isFinite(st) ? ` [${fmt(st, 1)}]` : ''}`;
  const list = (xs, f) => xs.map((r) => one(f(r), r.steal)).join(', ');
  const lines = ['| loss | TCP CUBIC runs [steal %] | TCP BBR runs [steal %] | xfer runs (own summary) [steal %] |', '|---|---|---|---|'];
  for (const { cond, row } of rows) {
    lines.push(`| ${cond.label} | ${list(row.runs.cubic, (r) => r.mbps)} | ${list(row.runs.bbr, (r) => r.mbps)} | ${list(row.runs.xfer, judged)} |`);
  }
  return lines.join('\n');
}

async function main() {
  if (process.getuid?.() !== 0) die('needs root (network namespaces); run it as root');
  if (!existsSync(LINKEM)) die(`linkem not found at ${LINKEM}`);
  const walls = opts.wall || opts.mtuSweep || opts.paths;
  if (!walls) ensureTools();
  ensureBuild();
  mkdirSync(WORK, { recursive: true });
  const started = new Date();
  const t0 = performance.now();
  const { about, body } = walls ? await wallTables() : await iperfTables();
  const argsText = process.argv.slice(2).join(' ');
  const text = [
    `### bench:link — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`npm run bench:link${argsText ? ` -- ${argsText}` : ''}\` · ${about} · wall ${fmt((performance.now() - t0) / 1000, 0)} s`,
    '',
    body,
  ].join('\n');
  process.stdout.write(`${text}\n`);
  if (opts.write) {
    appendSection(join(REPO, 'bench/RESULTS.md'), 'bench:link', text);
    log('bench:link: appended to bench/RESULTS.md');
  }
}

/** --wall, --mtu-sweep and/or --paths, each on its own link (bench/lib/wall.mjs, bench/lib/paths-link.mjs). */
async function wallTables() {
  // Other work on this 2-core host slows xfer (user-space pacing) more than kernel TCP: the
  // header gives the load around the run so that a figure can be weighed.
  const loadBefore = loadavg()[0];
  const info = await xferInfo(false);
  const ctx = { opts, env: { link, xferDir: opts.xfer, cc: opts.cc, work: WORK, aIp: A_IP, port: PORT, budgetMs: opts.budget * 1000 }, tcpSkip: tcpCopyCheck(), iperfSkip: opts.paths ? iperfCheck() : null, log };
  const sections = [];
  if (opts.wall) sections.push(await wallMode(ctx));
  if (opts.mtuSweep) sections.push(await mtuSweep(ctx));
  if (opts.paths) sections.push(await pathsMode(ctx));
  const about =
    `xfer \`--cc ${opts.cc}\` (dist runs \`${info.running}\`)${opts.xfer === REPO ? '' : ` from ${opts.xfer}`}, TCP copies with socat (TCP_CONGESTION per socket), ` +
    `each transfer cut off after ${opts.budget} s · \`node bin/xfer --version\` takes ${fmt(info.startupMs / 1000, 2)} s here · ` +
    `1-min load average ${fmt(loadBefore, 1)} before, ${fmt(loadavg()[0], 1)} after`;
  return { about, body: sections.join('\n\n') };
}

/** The default table: iperf3 CUBIC and BBR against xfer, per loss. */
async function iperfTables() {
  const master = await ensureFile(null, opts.maxMiB * MiB, WORK);
  log(`bringing up linkem ${link.name}: ${RATE} Mbit/s, 25 ms one-way`);
  link.up('--rate', String(RATE), '--delay', '25ms', '--loss', '0');
  const info = await xferInfo();
  const rows = [];
  for (const cond of conditions()) {
    link.set(...cond.set);
    const runs = { cubic: [], bbr: [], xfer: [] };
    let dropped = { lossPct: 0, queueDrops: 0, pkts: 0 };
    for (let n = 0; n < opts.repeat; n++) {
      const of = opts.repeat > 1 ? ` (${n + 1}/${opts.repeat})` : '';
      log(`-- ${cond.label}${of}: iperf3 cubic ${opts.secs} s`);
      const cubic = await withSteal(() => iperf('cubic'));
      log(`   cubic ${fmt(cubic.mbps, 2)} Mbit/s ${cubic.note ?? ''}; iperf3 bbr ${opts.secs} s`);
      const bbr = await withSteal(() => iperf('bbr'));
      log(`   bbr ${fmt(bbr.mbps, 2)} Mbit/s ${bbr.note ?? ''}; xfer`);
      link.ctl('stats', link.name, '--reset');
      const x = await withSteal(() => (n === 0 ? xfer(master, info.startupMs) : xferAgain(runs.xfer[0])));
      const l = link.dataPathLoss();
      // Weighted by packets, so the row's loss covers every xfer run of it.
      dropped = { lossPct: dropped.lossPct + l.lossPct * l.pkts, queueDrops: dropped.queueDrops + l.queueDrops, pkts: dropped.pkts + l.pkts };
      log(`   xfer ${fmt(x.mbps, 2)} Mbit/s (own ${ownRate(x)}), ${fmt(x.size / MiB, 0)} MiB in ${fmt(x.ms / 1000, 1)} s, ${x.ok ? (x.shaOk ? 'sha ok' : 'SHA MISMATCH') : x.note}, steal ${fmt(x.steal, 1)} %`);
      runs.cubic.push(cubic);
      runs.bbr.push(bbr);
      runs.xfer.push(x);
    }
    const loss = { lossPct: dropped.lossPct / Math.max(1, dropped.pkts), queueDrops: dropped.queueDrops };
    // A failed or corrupt transfer is a finding: it stands for the row whatever the others did.
    const bad = runs.xfer.find((r) => !r.ok || !r.shaOk);
    const x = bad ?? median(runs.xfer, judged);
    const row = { cubic: median(runs.cubic, (r) => r.mbps), bbr: median(runs.bbr, (r) => r.mbps), xfer: x, link: loss, nc: { mbps: NaN }, runs };
    if (opts.nc) row.nc = await nc(x.path ?? master.path, x.size ?? master.size);
    rows.push({ cond, row });
  }
  link.down();
  return { about: iperfAbout(info), body: iperfBody(rows, info) };
}

function iperfAbout(info) {
  return (
    `linkem ${RATE} Mbit/s, 25 ms one-way (50 ms RTT), default 50 ms drop-tail queue, loss on both directions · ` +
    `iperf3 ${opts.secs} s per TCP run · xfer \`--cc ${opts.cc}\` (dist runs \`${info.running}\`)${opts.xfer === REPO ? '' : ` from ${opts.xfer}`}, file b → a, budget ${opts.budget} s`
  );
}

function iperfBody(rows, info) {
  return [
    table(rows, opts.nc),
    '',
    ...(opts.repeat > 1 ? [`Each figure above is the median of ${opts.repeat} runs, interleaved (CUBIC, BBR, xfer, CUBIC, ...); all runs, each with the share of CPU time the hypervisor took from this VM during it (/proc/stat "steal"; xfer paces in user space, where lost CPU time is lost sending time):`, '', runsTable(rows), ''] : []),
    'Mbit/s (% of 100 × (1 − loss); burst uses the mean loss 3.85 %). TCP = iperf3 receiver-side goodput; xfer = file bytes ×',
    '8 / wall time of the `xfer send` process (includes Node start-up, handshake and the end-to-end SHA-256 check). The file',
    `is up to ${opts.maxMiB} MiB, cut to what fits the budget after a ${opts.quick ? 2 : 4} MiB probe transfer (“probe” = only the probe ran).`,
    `Starting \`node bin/xfer --version\` in the namespace takes ${fmt(info.startupMs / 1000, 2)} s, which the xfer figures include;`,
    '*xfer\'s own summary* is the rate xfer prints itself (from the connection being up to every byte acknowledged and its',
    'SHA-256 confirmed by the receiver, without process start-up and teardown). Like iperf3\'s figure it starts once the',
    'connection is up, so *xfer ÷ BBR* and the target column use it; the wall-clock column is the stricter view.',
    'Link loss is what linkem dropped on the data path during the xfer runs of that row. A timed-out xfer row shows the',
    'rate of what had arrived by the cut, marked “partial”. A probe that times out is retried once; the first try is',
    'noted in the file column, since a transfer that stops making progress is a finding in itself.',
  ].join('\n');
}

main().catch((err) => {
  process.stderr.write(`bench:link: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
