#!/usr/bin/env node
// bench:link — xfer against kernel TCP (iperf3 with CUBIC and with BBR) on the same emulated
// link: linkem, 100 Mbit/s, 25 ms one-way (50 ms RTT), random loss 0..20 % and burst loss.
// Needs root (network namespaces). A benchmark, not a test: it prints Mbit/s and appends the
// table to bench/RESULTS.md.
//
//   node bench/link.mjs [--quick] [--secs N] [--budget S] [--cc bbr|newreno] [--losses 0,1,5]
//                       [--no-burst] [--nc] [--max-mib N] [--build] [--no-write] [--xfer DIR]
//                       [--repeat N]
// --repeat N runs iperf3 (both algorithms) and xfer N times per loss, interleaved, and reports
// each one's median: single runs on a busy 2-core host scatter by +-5 %.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendSection, ensureFile, fmt, latestMtime, pct, sha256, sleep } from './lib/link-util.mjs';
import { killChildren, run, start } from './lib/proc.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINKEM = resolve(REPO, '../shared/tools/linkem/linkem');
const NAME = 'xbench';
const A_IP = '10.77.0.1';
const PORT = 47400;
const IPERF_PORT = 5201;
const RATE = 100;
const WORK = '/tmp/xfer-bench-link';
const MiB = 1 << 20;

const opts = parseArgs(process.argv.slice(2));

function parseArgs(argv) {
  const o = { quick: false, secs: 0, budget: 0, cc: 'bbr', losses: null, burst: true, nc: false, maxMiB: 128, build: false, write: true, xfer: REPO, repeat: 1 };
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
    else die(`unknown option ${a}`);
  }
  if (o.cc !== 'bbr' && o.cc !== 'newreno') die('--cc takes bbr or newreno');
  // iperf3 seconds per TCP run, and the wall budget for one xfer file transfer.
  o.secs ||= o.quick ? 5 : 15;
  o.budget ||= o.quick ? 12 : 40;
  o.losses ??= [0, 1, 2, 5, 10, 15, 20];
  return o;
}

function die(msg) {
  process.stderr.write(`bench:link: ${msg}\n`);
  process.exit(2);
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

// ------------------------------------------------------------------ processes

function inNs(side, cmd) {
  return [LINKEM, ['exec', NAME, side, '--', ...cmd]];
}

function linkem(...args) {
  const r = spawnSync(LINKEM, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`linkem ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

let linkIsUp = false;
function cleanup() {
  killChildren();
  if (linkIsUp) {
    spawnSync(LINKEM, ['down', NAME], { stdio: 'ignore' });
    linkIsUp = false;
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

// ------------------------------------------------------------------ setup

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function ensureTools() {
  const missing = [];
  if (!have('iperf3')) missing.push('iperf3');
  if (opts.nc && !have('nc')) missing.push('netcat-openbsd');
  if (!missing.length) return;
  log(`installing ${missing.join(' ')} from Debian`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) die(`apt-get install ${missing.join(' ')} failed`);
}

/** Builds dist when missing, stale (a src file is newer) or asked to; a failed build of an existing dist only warns. */
function ensureBuild() {
  const main = join(opts.xfer, 'dist/cli/main.js');
  const stale = existsSync(main) && latestMtime(join(opts.xfer, 'src')) > statSync(main).mtimeMs;
  if (existsSync(main) && !stale && !opts.build) return;
  log(`running npm run build (${existsSync(main) ? (stale ? 'dist older than src' : 'asked') : 'dist missing'})`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: opts.xfer, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    if (!existsSync(main)) die('npm run build failed and there is no dist to run');
    log('bench:link: WARNING: build failed; benchmarking the existing dist');
  }
}

function randomCode() {
  const r = spawnSync('openssl', ['rand', '-hex', '16'], { encoding: 'utf8' });
  if (r.status !== 0) die('openssl rand failed');
  return r.stdout.trim();
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
    if (!(await waitListening('t', IPERF_PORT, 10_000))) return { mbps: NaN, note: 'iperf3 server did not start' };
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

/** Waits until a socket listens on `port` in namespace a; proto 'u' (UDP) or 't' (TCP). */
async function waitListening(proto, port, deadlineMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    const [cmd, args] = inNs('a', ['ss', `-Hl${proto}n`, `sport = :${port}`]);
    const r = await run(cmd, args, { timeoutMs: 5000 });
    if (r.stdout.trim()) return true;
    await sleep(100);
  }
  return false;
}

/** One xfer file transfer b -> a; goodput from the sender process's wall time. */
async function xferOnce(file, size, timeoutMs) {
  const out = join(WORK, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const code = randomCode();
  const node = process.execPath;
  const recv = start(...inNs('a', [node, join(opts.xfer, 'bin/xfer'), 'recv', '--listen', `${A_IP}:${PORT}`, '--out', out, '--code', code, '--cc', opts.cc, '-q']));
  try {
    if (!(await waitListening('u', PORT, 10_000))) return { ok: false, note: `receiver did not listen: ${recv.output().trim()}` };
    const [cmd, args] = inNs('b', [node, join(opts.xfer, 'bin/xfer'), 'send', file, `${A_IP}:${PORT}`, '--code', code, '--cc', opts.cc, '--stats']);
    // The receiver deletes its temp file when a transfer is cancelled, so watch it grow meanwhile.
    let seen = 0;
    const watch = setInterval(() => (seen = Math.max(seen, bytesUnderSafe(out))), 250);
    const s = await run(cmd, args, { timeoutMs }).finally(() => clearInterval(watch));
    const recvCode = await Promise.race([recv.exited, sleep(10_000).then(() => 'timeout')]);
    const text = `${s.stdout}\n${s.stderr}`;
    const stats = Object.fromEntries([...text.matchAll(/^\s+([a-z][a-z ]+?)\s{2,}(\S+)\s*$/gm)].map((m) => [m[1], m[2]]));
    const base = { ms: s.ms, mbps: (size * 8) / (s.ms * 1000), stats, summary: (text.match(/^\d+ items?,.*$/m) ?? [''])[0] };
    if (s.timedOut) {
      // What arrived before the cut still says how fast it was going.
      const partial = Math.max(seen, bytesUnderSafe(out));
      return { ...base, ok: false, timedOut: true, partialMbps: (partial * 8) / (s.ms * 1000), note: `timeout after ${fmt(s.ms / 1000, 0)} s, ${fmt(partial / MiB, 1)} of ${fmt(size / MiB, 0)} MiB arrived` };
    }
    if (s.code !== 0) {
      // xfer prints one "failed: NAME: why" line per failed item; that is the useful part.
      const lines = s.stderr.trim().split('\n');
      return { ...base, ok: false, note: `send exit ${s.code} after ${fmt(s.ms / 1000, 0)} s: ${lines.find((l) => l.startsWith('failed:')) ?? lines.pop()}` };
    }
    const got = join(out, file.split('/').pop());
    if (!existsSync(got)) return { ...base, ok: false, note: `no file on the receiver (recv: ${recvCode})` };
    // The receiver must end on its own and succeed too: one that missed the close would wait
    // out its idle timeout and fail a transfer whose file is whole.
    if (recvCode !== 0) return { ...base, ok: false, note: `receiver ${recvCode === 'timeout' ? 'still running 10 s after the sender' : `exit ${recvCode}`}` };
    return { ...base, ok: true, sha: await sha256(got) };
  } finally {
    await recv.stop();
  }
}

function bytesUnderSafe(dir) {
  try {
    return bytesUnder(dir);
  } catch {
    return 0; // a file vanished between listing and stat
  }
}

function bytesUnder(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? bytesUnder(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** What `--cc` really runs in dist (the name the controller reports), and how long xfer takes to start. */
async function xferInfo() {
  const url = new URL(`file://${join(opts.xfer, 'dist/core/congestion/controller.js')}`);
  let running = '?';
  try {
    running = (await import(url.href)).createController(opts.cc, 1400).name;
  } catch {}
  const [cmd, args] = inNs('b', [process.execPath, join(opts.xfer, 'bin/xfer'), '--version']);
  const r = await run(cmd, args, { timeoutMs: 20_000 });
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

/** The run with the median value of `key` (runs without a finite value sort first). */
function median(runs, key) {
  const sorted = [...runs].sort((a, b) => (Number.isFinite(key(a)) ? key(a) : -1) - (Number.isFinite(key(b)) ? key(b) : -1));
  return sorted[Math.floor((sorted.length - 1) / 2)];
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
    await Promise.race([recv.exited, sleep(5000)]);
    const got = existsSync(out) ? statSync(out).size : 0;
    return { mbps: (got * 8) / (r.ms * 1000), note: got === size ? '' : `short: ${got} B` };
  } finally {
    await recv.stop();
  }
}

function linkLoss() {
  try {
    const j = JSON.parse(linkem('stats', NAME, '--json'));
    const d = j.ba; // data flows b -> a
    return { lossPct: (100 * (d.drop_loss + d.drop_ge)) / Math.max(1, d.rx_pkts), queueDrops: d.drop_queue, pkts: d.rx_pkts };
  } catch {
    return { lossPct: NaN, queueDrops: NaN, pkts: 0 };
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

/** The machine's CPU counters (/proc/stat "cpu" line), or null where there is none. */
function cpuTimes() {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/**
 * Share of CPU time the hypervisor took from this VM since `before` (the "steal" column), in %.
 * xfer paces and acknowledges in user space, where a VM whose CPUs are taken away for tens of ms
 * loses sending time it cannot make up (TCP suffers too at high steal): the runs table shows it
 * beside every figure, so a slow run can be told from a slow host.
 */
function stealSince(before) {
  const after = cpuTimes();
  if (!before || !after || after.length < 8) return NaN;
  const d = after.map((v, i) => v - (before[i] ?? 0));
  const total = d.slice(0, 8).reduce((a, b) => a + b, 0);
  return total > 0 ? (100 * d[7]) / total : NaN;
}

/** Runs `f` and notes the steal time over it in the result's `steal`. */
async function withSteal(f) {
  const before = cpuTimes();
  const r = await f();
  return { ...r, steal: stealSince(before) };
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
  ensureTools();
  ensureBuild();
  mkdirSync(WORK, { recursive: true });
  const started = new Date();
  const t0 = performance.now();
  const master = await ensureFile(null, opts.maxMiB * MiB, WORK);
  log(`bringing up linkem ${NAME}: ${RATE} Mbit/s, 25 ms one-way`);
  linkem('up', '--name', NAME, '--rate', String(RATE), '--delay', '25ms', '--loss', '0', '--force');
  linkIsUp = true;
  const info = await xferInfo();
  const rows = [];
  for (const cond of conditions()) {
    linkem('set', NAME, ...cond.set);
    const runs = { cubic: [], bbr: [], xfer: [] };
    let dropped = { lossPct: 0, queueDrops: 0, pkts: 0 };
    for (let n = 0; n < opts.repeat; n++) {
      const of = opts.repeat > 1 ? ` (${n + 1}/${opts.repeat})` : '';
      log(`-- ${cond.label}${of}: iperf3 cubic ${opts.secs} s`);
      const cubic = await withSteal(() => iperf('cubic'));
      log(`   cubic ${fmt(cubic.mbps, 2)} Mbit/s ${cubic.note ?? ''}; iperf3 bbr ${opts.secs} s`);
      const bbr = await withSteal(() => iperf('bbr'));
      log(`   bbr ${fmt(bbr.mbps, 2)} Mbit/s ${bbr.note ?? ''}; xfer`);
      linkem('stats', NAME, '--reset');
      const x = await withSteal(() => (n === 0 ? xfer(master, info.startupMs) : xferAgain(runs.xfer[0])));
      const l = linkLoss();
      // Weighted by packets, so the row's loss covers every xfer run of it.
      dropped = { lossPct: dropped.lossPct + l.lossPct * l.pkts, queueDrops: dropped.queueDrops + l.queueDrops, pkts: dropped.pkts + l.pkts };
      log(`   xfer ${fmt(x.mbps, 2)} Mbit/s (own ${ownRate(x)}), ${fmt(x.size / MiB, 0)} MiB in ${fmt(x.ms / 1000, 1)} s, ${x.ok ? (x.shaOk ? 'sha ok' : 'SHA MISMATCH') : x.note}, steal ${fmt(x.steal, 1)} %`);
      runs.cubic.push(cubic);
      runs.bbr.push(bbr);
      runs.xfer.push(x);
    }
    const link = { lossPct: dropped.lossPct / Math.max(1, dropped.pkts), queueDrops: dropped.queueDrops };
    // A failed or corrupt transfer is a finding: it stands for the row whatever the others did.
    const bad = runs.xfer.find((r) => !r.ok || !r.shaOk);
    const x = bad ?? median(runs.xfer, judged);
    const row = { cubic: median(runs.cubic, (r) => r.mbps), bbr: median(runs.bbr, (r) => r.mbps), xfer: x, link, nc: { mbps: NaN }, runs };
    if (opts.nc) row.nc = await nc(x.path ?? master.path, x.size ?? master.size);
    rows.push({ cond, row });
  }
  linkem('down', NAME);
  linkIsUp = false;
  const argsText = process.argv.slice(2).join(' ');
  const text = [
    `### bench:link — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`npm run bench:link${argsText ? ` -- ${argsText}` : ''}\` · linkem ${RATE} Mbit/s, 25 ms one-way (50 ms RTT), default 50 ms drop-tail queue, loss on both directions · ` +
      `iperf3 ${opts.secs} s per TCP run · xfer \`--cc ${opts.cc}\` (dist runs \`${info.running}\`)${opts.xfer === REPO ? '' : ` from ${opts.xfer}`}, file b → a, budget ${opts.budget} s · wall ${fmt((performance.now() - t0) / 1000, 0)} s`,
    '',
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
  process.stdout.write(`${text}\n`);
  if (opts.write) {
    appendSection(join(REPO, 'bench/RESULTS.md'), 'bench:link', text);
    log('bench:link: appended to bench/RESULTS.md');
  }
}

main().catch((err) => {
  process.stderr.write(`bench:link: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
