#!/usr/bin/env node
// Demo on this machine: send a 64 MiB random file with `xfer send` to `xfer recv`, then 32 MiB
// through `xfer pipe`, check SHA-256 on both ends and print the throughput.
// Run via `npm run demo` (builds first). Exits non-zero on any mismatch or failure.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'xfer');
const MiB = 1024 * 1024;
const FILE_BYTES = 64 * MiB;
const PIPE_BYTES = 32 * MiB;
const TIMEOUT_MS = 120_000;

const children = new Set();
const work = mkdtempSync(join(tmpdir(), 'xfer-demo-'));

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

function fail(msg) {
  console.error(`demo: FAILED: ${msg}`);
  cleanup();
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns the CLI; stderr is shown indented, stdout is hashed (it only ever carries pipe data). */
function run(label, args, stdin = 'ignore') {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  children.add(child);
  const hash = createHash('sha256');
  let bytes = 0;
  let err = '';
  const listeners = [];
  child.stdout.on('data', (b) => {
    hash.update(b);
    bytes += b.length;
  });
  child.stderr.on('data', (b) => {
    err += b.toString();
    for (const line of b.toString().split('\n')) if (line.trim()) process.stderr.write(`  [${label}] ${line}\n`);
    listeners.forEach((l) => l());
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  const done = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, sha256: hash.digest('hex'), bytes, stderr: err });
    }),
  );
  const listening = new Promise((resolve, reject) => {
    const check = () => /Listening on \S+:\d+/.test(err) && resolve();
    listeners.push(check);
    done.then((r) => reject(new Error(`${label} exited (${r.code ?? r.signal}) before listening`)));
  });
  listening.catch(() => {}); // only receivers are awaited on it
  return { child, done, listening };
}

function writeRandomFile(path, size) {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let left = size; left > 0; ) {
    const chunk = randomBytes(Math.min(MiB, left));
    writeSync(fd, chunk);
    hash.update(chunk);
    left -= chunk.length;
  }
  closeSync(fd);
  return hash.digest('hex');
}

function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (b) => hash.update(b)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

function figures(what, bytes, ms) {
  const s = ms / 1000;
  const mbs = bytes / 1e6 / s;
  console.log(`demo: ${what}: ${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB) in ${s.toFixed(2)} s = ${mbs.toFixed(1)} MB/s = ${(mbs * 8).toFixed(0)} Mbit/s`);
}

async function demoFiles() {
  const src = join(work, 'src');
  const out = join(work, 'out');
  mkdirSync(src);
  const file = join(src, 'random-64MiB.bin');
  const expected = writeRandomFile(file, FILE_BYTES);
  const port = await freePort();
  const code = randomBytes(16).toString('hex');
  console.log(`demo: sending ${FILE_BYTES} random bytes over 127.0.0.1:${port}`);
  const recv = run('recv', ['recv', '--listen', `127.0.0.1:${port}`, '--code', code, '--out', out]);
  await recv.listening;
  const t0 = performance.now();
  const send = run('send', ['send', file, `127.0.0.1:${port}`, '--code', code, '--stats']);
  const s = await send.done;
  if (s.code !== 0) fail(`xfer send exited ${s.code ?? s.signal}`);
  const r = await recv.done;
  const ms = performance.now() - t0;
  if (r.code !== 0) fail(`xfer recv exited ${r.code ?? r.signal}`);
  const got = join(out, 'random-64MiB.bin');
  if (!existsSync(got)) fail('received file is missing');
  if ((await sha256File(got)) !== expected) fail('SHA-256 of the received file differs');
  console.log(`demo: file OK, sha256 ${expected}`);
  figures('file', FILE_BYTES, ms);
}

async function demoPipe() {
  const port = await freePort();
  const code = randomBytes(16).toString('hex');
  console.log(`demo: piping ${PIPE_BYTES} random bytes over 127.0.0.1:${port}`);
  const recv = run('pipe<', ['pipe', '--listen', `127.0.0.1:${port}`, '--code', code]);
  await recv.listening;
  const t0 = performance.now();
  const send = run('pipe>', ['pipe', `127.0.0.1:${port}`, '--code', code], 'pipe');
  const hash = createHash('sha256');
  send.child.stdin.on('error', () => {}); // a dying sender shows up in its exit status
  for (let left = PIPE_BYTES; left > 0; ) {
    const chunk = randomBytes(Math.min(MiB, left));
    hash.update(chunk);
    left -= chunk.length;
    if (!send.child.stdin.write(chunk)) await new Promise((r) => send.child.stdin.once('drain', r));
  }
  send.child.stdin.end();
  const s = await send.done;
  if (s.code !== 0) fail(`xfer pipe (sender) exited ${s.code ?? s.signal}`);
  const r = await recv.done;
  const ms = performance.now() - t0;
  if (r.code !== 0) fail(`xfer pipe --listen exited ${r.code ?? r.signal}`);
  if (r.bytes !== PIPE_BYTES) fail(`pipe delivered ${r.bytes} bytes, expected ${PIPE_BYTES}`);
  if (r.sha256 !== hash.digest('hex')) fail('SHA-256 of the piped data differs');
  console.log(`demo: pipe OK, sha256 ${r.sha256}`);
  figures('pipe', PIPE_BYTES, ms);
}

process.on('SIGINT', () => fail('interrupted'));
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: run `npm run build` (or `npm run demo`)');
try {
  await demoFiles();
  await demoPipe();
  cleanup();
  console.log('demo: all good');
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
