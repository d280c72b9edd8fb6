#!/usr/bin/env node
// bench:startup — what xfer costs before and around the data: `node -e 0`, `xfer --version`,
// `xfer --help`, and a 1-byte file over an emulated 50 ms RTT link (linkem, needs root), timed
// from starting the sender to the receiver holding the file and to the sender exiting, next to
// the floor "node start + 2 RTT". A benchmark, not a test: it prints medians and writes the
// table to bench/RESULTS.md (section bench:startup).
//
//   npm run bench:startup [-- --runs N] [--no-link] [--no-write] [--xfer DIR] [--trace]
// --xfer DIR times another checkout's bin/xfer (built there), e.g. an older commit for comparison.
// --trace adds one more transfer with XFER_TRACE=1 on both ends and prints its merged timeline.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, latestMtime, sleep } from './lib/link-util.mjs';
import { writeSection } from './lib/results-file.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINKEM = resolve(REPO, '../shared/tools/linkem/linkem');
const LINK = 'xstartup';
const A_IP = '10.77.0.1';
const PORT = 47411;
const WORK = '/tmp/xfer-bench-startup';
/** The link of the issue: 100 Mbit/s, 25 ms each way. */
const LINK_OPTS = ['--rate', '100', '--delay', '25ms'];
const RTT_MS = 50;
/** Start-up rows are cheap and noisy: this many times --runs of each. */
const STARTUP_RUNS = 3;
// Children run in the caller's environment, as a user's shell would start them, but without
// NODE_OPTIONS (tsx's loader, which runs this script, would be timed too) and the hash cache.
const ENV = { ...process.env, XFER_CACHE_DIR: '' };
delete ENV.NODE_OPTIONS;

const opts = parseArgs(process.argv.slice(2));
const XFER = join(opts.xfer, 'bin/xfer');

function parseArgs(argv) {
  const o = { runs: 5, link: true, write: true, xfer: REPO, trace: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Math.floor(Number(argv[++i])) || 1);
    else if (a === '--no-link') o.link = false;
    else if (a === '--no-write') o.write = false;
    else if (a === '--xfer') o.xfer = resolve(argv[++i]);
    else if (a === '--trace') o.trace = true;
    else {
      process.stderr.write(`bench:startup: unknown option ${a}\n`);
      process.exit(2);
    }
  }
  return o;
}

const log = (msg) => process.stderr.write(`${msg}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** bin/xfer runs the bundle: rebuild this checkout's when it is missing or older than any source file. */
function ensureBuild() {
  const bundle = join(REPO, 'dist/bundle/xfer.mjs');
  if (opts.xfer !== REPO || (existsSync(bundle) && latestMtime(join(REPO, 'src')) <= statSync(bundle).mtimeMs)) return;
  log('bench:startup: running npm run build (bundle missing or older than src)');
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** Wall time (ms) of running a command to completion. */
function timeOnce([cmd, args]) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

/**
 * Median wall time (ms) of each command, after one untimed warm-up round. The commands take
 * turns, so a load that comes and goes on a shared host weighs on all of them alike.
 */
function timeCommands(commands, runs) {
  commands.forEach(timeOnce);
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => times[k].push(timeOnce(c)));
  return times.map(median);
}

// ------------------------------------------------------------------ the link row

const inNs = (side, cmd) => ['ip', ['netns', 'exec', `${LINK}-${side}`, ...cmd]];

function linkem(...args) {
  const r = spawnSync(LINKEM, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`linkem ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

let linkUp = false;
const children = new Set();
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (linkUp) spawnSync(LINKEM, ['down', LINK], { stdio: 'ignore' });
  linkUp = false;
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

function startChild(cmd, args, env = ENV) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.on('close', (code) => (children.delete(child), r(code))));
  return { child, exited, output: () => output };
}

async function until(test, deadlineMs, stepMs) {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > deadlineMs) return false;
    await sleep(stepMs);
  }
  return true;
}

/**
 * One 1-byte transfer: a fresh receiver (untimed, already listening) in namespace a, then the
 * sender in b. Times from spawning the sender: the file under its final name at the receiver
 * (polled every millisecond), the sender's exit, the receiver's exit.
 */
async function tinyTransfer(src, run, env = ENV) {
  const out = join(WORK, `out-${run}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const code = randomCodeHex();
  const recv = startChild(...inNs('a', ['node', XFER, 'recv', '--listen', `${A_IP}:${PORT}`, '--out', out, '--code', code]), env);
  if (!(await until(() => recv.output().includes('Listening on'), 10_000, 5))) throw new Error(`receiver did not start: ${recv.output()}`);
  const target = join(out, 'one.bin');
  const t0 = performance.now();
  const send = startChild(...inNs('b', ['node', XFER, 'send', src, `${A_IP}:${PORT}`, '--code', code, '-q']), env);
  const since = (p) => p.then((code) => ({ code, ms: performance.now() - t0 }));
  const sender = since(send.exited);
  const receiver = since(recv.exited);
  let fileMs = NaN;
  await until(() => existsSync(target) || send.child.exitCode !== null, 20_000, 1);
  if (existsSync(target)) fileMs = performance.now() - t0;
  const [{ code: sent, ms: senderMs }, { code: got, ms: recvMs }] = await Promise.all([sender, receiver]);
  if (sent !== 0 || got !== 0) throw new Error(`transfer failed (sender ${sent}, receiver ${got}): ${send.output()} ${recv.output()}`);
  const t0Epoch = performance.timeOrigin + t0;
  return { fileMs, senderMs, recvMs, timeline: () => timeline(t0Epoch, { fileMs, senderMs, recvMs }, send.output(), recv.output()) };
}

/**
 * XFER_TRACE lines of both ends ("xfer-trace <ms since its start> <epoch ms> <pid> <what>")
 * merged on the wall clock, in ms from spawning the sender, with the bench's own marks.
 */
function timeline(t0Epoch, marks, sendOut, recvOut) {
  const rows = [];
  const parse = (side, text) => {
    for (const m of text.matchAll(/^xfer-trace (\S+) (\S+) \d+ (.*)$/gm)) rows.push([Number(m[2]) - t0Epoch, side, m[3]]);
  };
  parse('sender', sendOut);
  parse('receiver', recvOut);
  rows.push([0, 'bench', 'sender spawned'], [marks.fileMs, 'bench', 'file seen at the receiver'], [marks.senderMs, 'bench', 'sender exited']);
  rows.sort((a, b) => a[0] - b[0]);
  return rows.map(([ms, side, what]) => `${ms.toFixed(1).padStart(8)}  ${side.padEnd(8)}  ${what}`).join('\n');
}

function randomCodeHex() {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

async function linkRow() {
  if (process.getuid?.() !== 0) return { skipped: 'needs root (network namespaces); skipped' };
  if (!existsSync(LINKEM)) return { skipped: `no linkem at ${LINKEM}; skipped` };
  mkdirSync(WORK, { recursive: true });
  const src = join(WORK, 'one.bin');
  writeFileSync(src, 'x');
  linkUp = true;
  linkem('up', '--name', LINK, ...LINK_OPTS, '--force');
  try {
    const [nodeStart] = timeCommands([inNs('b', ['node', '-e', '0'])], opts.runs);
    const runs = [];
    for (let i = 0; i < opts.runs; i++) runs.push(await tinyTransfer(src, i));
    const pick = (k) => median(runs.map((r) => r[k]));
    const traced = opts.trace ? (await tinyTransfer(src, 'trace', { ...ENV, XFER_TRACE: '1' })).timeline() : null;
    return { nodeStart, fileMs: pick('fileMs'), senderMs: pick('senderMs'), recvMs: pick('recvMs'), runs, traced };
  } finally {
    spawnSync(LINKEM, ['down', LINK], { stdio: 'ignore' });
    linkUp = false;
  }
}

// ------------------------------------------------------------------ report

function report(r) {
  const s = (ms) => `${fmt(ms / 1000, 3)} s`;
  const ratio = (ms) => `${fmt(ms / r.node, 2)}x`;
  const lines = [
    `## bench:startup, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${opts.xfer === REPO ? '' : ` (xfer of ${opts.xfer})`}`,
    '',
    `Node ${process.version}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} (a busy host slows every row).`,
    '',
    `Start-up, median of ${STARTUP_RUNS * opts.runs} runs each, taking turns:`,
    '',
    '| what | time | vs `node -e 0` |',
    '|---|---:|---:|',
    `| \`node -e 0\` | ${s(r.node)} | 1.00x |`,
    `| \`node bin/xfer --version\` | ${s(r.version)} | ${ratio(r.version)} |`,
    `| \`node bin/xfer --help\` | ${s(r.help)} | ${ratio(r.help)} |`,
  ];
  const l = r.link;
  if (l.skipped) {
    lines.push('', `1-byte transfer over linkem: ${l.skipped}.`);
    return lines.join('\n');
  }
  const floor = l.nodeStart + 2 * RTT_MS;
  lines.push(
    '',
    `1-byte file over linkem (100 Mbit/s, 25 ms each way), from starting the sender (\`ip netns exec\`, \`-q\`), median of ${opts.runs}:`,
    '',
    '| what | time | vs floor |',
    '|---|---:|---:|',
    `| node start in the namespace (\`node -e 0\`) | ${s(l.nodeStart)} | |`,
    `| floor: node start + 2 RTT | ${s(floor)} | 1.00x |`,
    `| receiver holds the file | ${s(l.fileMs)} | ${fmt(l.fileMs / floor, 2)}x |`,
    `| sender exits | ${s(l.senderMs)} | ${fmt(l.senderMs / floor, 2)}x |`,
    `| receiver exits | ${s(l.recvMs)} | ${fmt(l.recvMs / floor, 2)}x |`,
    '',
    `Runs (file / sender / receiver, ms): ${l.runs.map((x) => `${fmt(x.fileMs, 0)}/${fmt(x.senderMs, 0)}/${fmt(x.recvMs, 0)}`).join(', ')}.`,
  );
  return lines.join('\n');
}

try {
  ensureBuild();
  const [node, version, help] = timeCommands(
    [['node', ['-e', '0']], ['node', [XFER, '--version']], ['node', [XFER, '--help']]],
    STARTUP_RUNS * opts.runs,
  );
  const link = opts.link ? await linkRow() : { skipped: 'not run (--no-link)' };
  const text = report({ node, version, help, link });
  process.stdout.write(`${text}\n`);
  if (link.traced) process.stdout.write(`\nTimeline of one more transfer with XFER_TRACE=1 (ms from spawning the sender; receiver lines before 0 are its start-up):\n\n${link.traced}\n`);
  if (opts.write) writeSection(join(REPO, 'bench/RESULTS.md'), 'bench:startup', text);
} catch (err) {
  log(`bench:startup: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
