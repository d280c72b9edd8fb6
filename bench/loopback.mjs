#!/usr/bin/env node
// bench:loopback — xfer against scp on one host, same file, same run (issue 20): where no link
// limits either, the host's CPU does, and this prints how fast each is and what it costs.
// Two paths: plain loopback (127.0.0.1, lo's own MTU) and a network namespace whose lo has MTU
// 1500 (an Ethernet-sized path; needs root). A benchmark, not a test: it prints the table and
// appends it with every run to bench/RESULTS.md.
//
//   node bench/loopback.mjs [--size 1G] [--repeat N] [--xfer-args "..."] [--profile]
//                           [--no-write] [--results FILE]
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './lib/build.mjs';
import { appendSection, ensureFile, fmt, sha256, sleep } from './lib/link-util.mjs';
import { cpuDescription, childrenOf, machineCpu, machineCpuSince, ownCpu, reapedChildrenCpu } from './lib/machine.mjs';
import { killChildren, run, start } from './lib/proc.mjs';
import { ensureOpenSsh, startSshd } from './lib/sshd.mjs';
import { parseSendOutput } from './lib/xfer-run.mjs';
import { report } from './lib/loopback-report.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin/xfer');
const NS = `xfer-lo-${process.pid}`;
const GiB = 2 ** 30;

const opts = parseArgs(process.argv.slice(2));

function parseArgs(argv) {
  const o = { size: GiB, repeat: 1, xferArgs: [], profile: false, write: true, results: join(REPO, 'bench/RESULTS.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size') o.size = parseSize(argv[++i]);
    else if (a === '--repeat') o.repeat = Math.max(1, Math.floor(Number(argv[++i])) || 1);
    else if (a === '--xfer-args') o.xferArgs = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--results') o.results = resolve(argv[++i]);
    else die(`unknown option ${a}`);
  }
  return o;
}

/** "1G", "256M", "512MiB", "1000000": K/M/G are binary (KiB, MiB, GiB), as the issue's 1 GiB file. */
function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(text ?? '');
  if (!m) die(`--size takes a number with an optional K, M or G (binary), not ${text}`);
  const bytes = Math.round(Number(m[1]) * 1024 ** ' KMG'.indexOf(m[2].toUpperCase() || ' '));
  if (bytes < 1) die('--size must be at least 1 byte');
  return bytes;
}

function die(msg) {
  process.stderr.write(`bench:loopback: ${msg}\n`);
  process.exit(2);
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

// ------------------------------------------------------------------ cleanup

let work = null;
let nsUp = false;
function cleanup() {
  killChildren();
  if (nsUp) spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
  nsUp = false;
  if (work) rmSync(work, { recursive: true, force: true });
  work = null;
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** The namespace of path (b): only lo, up, at MTU 1500. */
function namespaceUp() {
  ip('netns', 'add', NS);
  nsUp = true;
  ip('-n', NS, 'link', 'set', 'lo', 'mtu', '1500', 'up');
}

function namespaceDown() {
  if (nsUp) ip('netns', 'del', NS);
  nsUp = false;
}

function paths() {
  const lo = { id: 'lo', label: `loopback 127.0.0.1, MTU ${readFileSync('/sys/class/net/lo/mtu', 'utf8').trim()}`, wrap: [], ns: null };
  const ns = { id: 'mtu1500', label: 'netns lo, MTU 1500', wrap: ['ip', 'netns', 'exec', NS], ns: NS };
  return process.getuid?.() === 0 ? [lo, ns] : [lo];
}

// ------------------------------------------------------------------ measurements

/** A port the kernel just handed out on 127.0.0.1 (free now; a fresh namespace has all free). */
async function freePort(kind) {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise((r) => s.bind(0, '127.0.0.1', r));
    const { port } = s.address();
    await new Promise((r) => s.close(r));
    return port;
  }
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Waits until a UDP socket is bound to `port` (inside `ns` when given): the receiver is ready. */
async function waitForUdp(port, ns, exited) {
  const argv = [...(ns ? ['-N', ns] : []), '-Hlun', `sport = :${port}`];
  for (let i = 0; i < 500; i++) {
    if (spawnSync('ss', argv, { encoding: 'utf8' }).stdout.trim()) return;
    if (exited()) throw new Error('the receiver exited before listening');
    await sleep(20);
  }
  throw new Error(`no receiver on UDP port ${port} after 10 s`);
}

/** Cores kept busy by everything else on the machine, over half a second before a run. */
async function background() {
  const before = machineCpu();
  await sleep(500);
  const d = machineCpuSince(before);
  return d.busy / d.wall;
}

function timeoutMs() {
  return 60_000 + (opts.size / 1e6 / 2) * 1000; // any rate under 2 MB/s is a failure here
}

/** Is the copy at `path` the source, byte for byte? */
async function exact(path, source) {
  return existsSync(path) && statSync(path).size === source.size && (await sha256(path)) === source.sha;
}

/** The fields a row needs from one transfer's counters. */
function measured(source, wallS, cpu, procs) {
  const gib = source.size / GiB;
  return { wall: wallS, mbps: source.size / 1e6 / wallS, cpu: cpu.busy / gib, steal: cpu.steal / gib, procs: procs / gib };
}

/** One xfer transfer: receiver started and listening first, then the clock runs from starting the sender to both exiting. */
async function xferRun(path, source, profDir = null) {
  const out = mkdtempSync(join(work, 'xfer-out-'));
  process.env.XFER_CACHE_DIR = mkdtempSync(join(work, 'xfer-cache-')); // a first-time user's empty cache
  const port = await freePort('udp');
  const code = randomBytes(16).toString('hex');
  const node = (side) => [process.execPath, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, side)}`] : []), BIN];
  const bg = await background();
  const recv = start(...argv([...path.wrap, ...node('recv'), 'recv', '--listen', `127.0.0.1:${port}`, '--out', out, '--code', code, '-q']));
  try {
    await waitForUdp(port, path.ns, () => recv.child.exitCode !== null);
    const cpu0 = machineCpu();
    const procs0 = reapedChildrenCpu() + ownCpu(recv.child.pid);
    const t0 = performance.now();
    const send = await run(...argv([...path.wrap, ...node('send'), 'send', source.path, `127.0.0.1:${port}`, '--code', code, '--stats', ...opts.xferArgs]), { timeoutMs: timeoutMs() });
    // unref: the losing timer must not hold the process open after the last run.
    const late = new Promise((r) => setTimeout(() => r('no exit 15 s after the sender'), 15_000).unref());
    const recvCode = await Promise.race([recv.exited, late]);
    const wall = (performance.now() - t0) / 1000;
    const cpu = machineCpuSince(cpu0);
    const text = send.stdout + send.stderr;
    const sent = parseSendOutput(text);
    const ok = send.code === 0 && recvCode === 0;
    const note = ok ? '' : `send ${send.timedOut ? 'timed out' : `exit ${send.code}`}, recv ${recvCode}: ${firstError(text + recv.output())}`;
    return { tool: 'xfer', ok, exact: await exact(join(out, basename(source.path)), source), note, bg, ...measured(source, wall, cpu, reapedChildrenCpu() - procs0), own: ownRate(sent.summary), datagram: sent.datagram };
  } catch (err) {
    // A run that could not start is a finding for its row; the other runs and paths go on.
    return { tool: 'xfer', ok: false, exact: false, note: err.message, bg, wall: NaN, mbps: NaN, cpu: NaN, steal: NaN, procs: NaN, own: NaN, datagram: null };
  } finally {
    await recv.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

/** xfer's error line (`xfer: ...`), else the first line of its output. */
function firstError(text) {
  const lines = text.trim().split('\n');
  return lines.find((l) => l.startsWith('xfer:')) ?? lines[0];
}

/** xfer's own summary rate ("... 95.2 MiB/s (798.6 Mbit/s); ...") in decimal MB/s. */
function ownRate(summary) {
  const m = /([\d.]+) Mbit\/s\)/.exec(summary);
  return m ? Number(m[1]) / 8 : NaN;
}

/** One scp copy through the throwaway sshd; its session's CPU is counted once sshd has reaped it. */
async function scpRun(sshd, source) {
  const out = mkdtempSync(join(work, 'scp-out-'));
  try {
    const bg = await background();
    const cpu0 = machineCpu();
    const procs0 = reapedChildrenCpu() + reapedChildrenCpu(sshd.pid);
    const t0 = performance.now();
    const r = await run(...argv(sshd.scp(source.path, `${out}/`)), { timeoutMs: timeoutMs() });
    const wall = (performance.now() - t0) / 1000;
    for (let i = 0; i < 150 && childrenOf(sshd.pid).length > 0; i++) await sleep(20);
    const cpu = machineCpuSince(cpu0);
    const procs = reapedChildrenCpu() + reapedChildrenCpu(sshd.pid) - procs0;
    const note = r.code === 0 ? '' : `scp ${r.timedOut ? 'timed out' : `exit ${r.code}`}: ${r.stderr.trim().split('\n')[0]}`;
    return { tool: 'scp', ok: r.code === 0, exact: await exact(join(out, basename(source.path)), source), note, bg, ...measured(source, wall, cpu, procs) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function argv(list) {
  return [list[0], list.slice(1)];
}

function logRun(label, r) {
  if (!r.ok || !r.exact) return log(`   ${label} ${r.tool}: FAILED ${r.note || 'copy differs'}`);
  const extra = r.tool === 'xfer' ? `, own ${fmt(r.own, 1)} MB/s, datagram ${r.datagram ?? '–'}` : '';
  log(`   ${label} ${r.tool}: ${fmt(r.mbps, 1)} MB/s in ${fmt(r.wall, 2)} s, ${fmt(r.cpu, 2)} CPU-s/GiB (processes ${fmt(r.procs, 2)}), background ${fmt(r.bg, 2)} cores${extra}, exact`);
}

/** Every run of one path, xfer and scp interleaved, then the optional profiled xfer run. */
async function measurePath(path, source, sshOk) {
  const result = { path, xfer: [], scp: [], cipher: null, profile: null, sshError: null };
  if (path.ns) namespaceUp();
  let sshd = null;
  try {
    if (sshOk) sshd = await startSshd(mkdtempSync(join(work, 'ssh-')), await freePort('tcp'), path.wrap).catch((err) => ((result.sshError = err.message), null));
    result.cipher = sshd?.cipher ?? null;
    for (let n = 0; n < opts.repeat; n++) {
      const label = `${path.id}${opts.repeat > 1 ? ` ${n + 1}/${opts.repeat}` : ''}`;
      result.xfer.push(await xferRun(path, source));
      logRun(label, result.xfer.at(-1));
      if (!sshd) continue;
      result.scp.push(await scpRun(sshd, source));
      logRun(label, result.scp.at(-1));
    }
    if (opts.profile) result.profile = await profiledRun(path, source);
  } finally {
    await sshd?.stop();
    if (path.ns) namespaceDown();
  }
  return result;
}

/** One more xfer run with both sides under --cpu-prof; the profiles are read by the report. */
async function profiledRun(path, source) {
  const dir = mkdtempSync(join(work, 'prof-'));
  const r = await xferRun(path, source, dir);
  logRun(`${path.id} profiled`, r);
  return { run: r, send: join(dir, 'send'), recv: join(dir, 'recv') };
}

async function main() {
  const started = new Date();
  const t0 = performance.now();
  if (process.getuid?.() !== 0) log('bench:loopback: not root, so no network namespace: only path (a), plain loopback');
  ensureBuild(REPO);
  const sshProblem = ensureOpenSsh(log);
  if (sshProblem) log(`bench:loopback: ${sshProblem}; no scp rows`);
  work = mkdtempSync('/dev/shm/xfer-bench-loopback-');
  log(`writing ${fmt(opts.size / 2 ** 20, 0)} MiB of random data to ${work}`);
  const source = await ensureFile(null, opts.size, work);
  const results = [];
  for (const path of paths()) {
    log(`-- ${path.label}`);
    results.push(await measurePath(path, source, !sshProblem));
  }
  const info = { started, wallS: (performance.now() - t0) / 1000, opts, argv: process.argv.slice(2), cpu: cpuDescription(), sshProblem, root: REPO, asRoot: process.getuid?.() === 0 };
  const text = report(results, info);
  process.stdout.write(`${text.table}\n`);
  if (opts.write) {
    appendSection(opts.results, 'bench:loopback', text.full);
    log(`bench:loopback: appended to ${opts.results}`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:loopback: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
