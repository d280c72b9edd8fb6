// What one real xfer transfer can push on this host when no link limits it: a file over UDP on
// 127.0.0.1 between two real processes (sender and receiver each on their one JS thread), and,
// from a second run under --cpu-prof, where each side spends its CPU time. The simulator cannot
// say this, since it runs in virtual time; this is the ceiling the 1000 Mbit/s cells are held to.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pickCipher } from '../../src/io/native-cipher.js';
import { ensureBuild } from './build.mjs';
import { categorise, loadProfile, type Breakdown } from './profile.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MiB = 1024 * 1024;

export interface LoopbackResult {
  sizeBytes: number;
  mbps: number;
  cipher: string;
  sender: Breakdown | null;
  receiver: Breakdown | null;
  error?: string;
}

/** Binds 127.0.0.1:port for a moment (0: any free one); the port it got, or null if taken. */
async function tryBind(port: number): Promise<number | null> {
  const s = createSocket('udp4');
  const got = await new Promise<number | null>((resolve) => {
    s.once('error', () => resolve(null));
    s.bind(port, '127.0.0.1', () => resolve(s.address().port));
  });
  await new Promise<void>((r) => s.close(() => r()));
  return got;
}

/** Waits for the receiver's socket instead of guessing its start-up time. */
async function waitForListener(port: number, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  // Our bind refused: the receiver holds the port.
  while ((await tryBind(port)) !== null) {
    if (performance.now() > end) throw new Error(`loopback: no receiver on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exec(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

async function transfer(file: string, work: string, profDir: string | null): Promise<number> {
  const out = mkdtempSync(join(work, 'out-'));
  const port = await tryBind(0);
  if (port === null) throw new Error('loopback: no free UDP port on 127.0.0.1');
  const code = randomBytes(16).toString('hex');
  const prof = (side: string) => (profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, side)}`] : []);
  const cli = join(ROOT, 'bin/xfer');
  const recv = exec([...prof('recv'), cli, 'recv', '--listen', `127.0.0.1:${port}`, '--out', out, '--code', code, '-q'], 120_000);
  await waitForListener(port, 10_000);
  const t0 = performance.now();
  const send = await exec([...prof('send'), cli, 'send', file, `127.0.0.1:${port}`, '--code', code, '-q'], 120_000);
  const ms = performance.now() - t0;
  const r = await recv;
  if (send.code !== 0 || r.code !== 0) throw new Error(`loopback transfer failed (send ${send.code}, recv ${r.code}): ${(send.out + r.out).trim().split('\n')[0]}`);
  const size = statSync(file).size;
  if (statSync(join(out, 'loopback.bin')).size !== size) throw new Error('loopback transfer: size mismatch');
  return (size * 8) / (ms * 1000);
}

function readProfile(dir: string): Breakdown | null {
  const p = loadProfile(dir);
  return p ? categorise(p) : null;
}

/** Best of `rounds` plain runs for the rate, then one profiled run for the breakdown. */
export async function measureLoopback(sizeBytes = 256 * MiB, rounds = 2): Promise<LoopbackResult> {
  const work = mkdtempSync(join(tmpdir(), 'xfer-loopback-'));
  const empty: LoopbackResult = { sizeBytes, mbps: NaN, cipher: pickCipher().name, sender: null, receiver: null };
  try {
    ensureBuild(ROOT);
    const file = join(work, 'loopback.bin');
    const chunk = randomBytes(MiB);
    writeFileSync(file, Buffer.alloc(0));
    for (let i = 0; i < sizeBytes / MiB; i++) writeFileSync(file, chunk, { flag: 'a' });
    let mbps = 0;
    for (let i = 0; i < rounds; i++) mbps = Math.max(mbps, await transfer(file, work, null));
    const prof = join(work, 'prof');
    await transfer(file, work, prof);
    return { ...empty, mbps, sender: readProfile(join(prof, 'send')), receiver: readProfile(join(prof, 'recv')) };
  } catch (err) {
    return { ...empty, error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
