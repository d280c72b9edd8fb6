// One xfer file transfer across a linkem link for bench/link.mjs: `xfer recv` in namespace a,
// `xfer send FILE --stats` in namespace b, with the checks every bench:link mode applies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deadline, fmt, sha256 } from './link-util.mjs';
import { run, start } from './proc.mjs';

const MiB = 1 << 20;
// A receiver that missed the sender's close would wait out its idle timeout: 10 s after the
// sender is long enough for a clean close and short enough to call it a failure.
const RECV_GRACE_MS = 10_000;

function randomCode() {
  const r = spawnSync('openssl', ['rand', '-hex', '16'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('openssl rand failed');
  return r.stdout.trim();
}

/**
 * Sends `file` (`size` bytes) b -> a. env: { link, xferDir, cc, work, aIp, port, recvStats? }.
 * `ms` is the sender process's wall time; `wallMs` runs from starting the sender (`startedAt`,
 * performance.now()) to the receiver's exit (what a user waiting for the file sees). ok needs
 * both exits 0 and the file there; `sha` is its SHA-256 for the caller to compare. `sendText`
 * is the sender's output; with `recvStats` the receiver runs with --stats too and `recvText`
 * holds its output.
 */
export async function xferOnce(env, file, size, timeoutMs) {
  const out = join(env.work, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const code = randomCode();
  const xfer = [process.execPath, join(env.xferDir, 'bin/xfer')];
  const recv = start(...env.link.inNs('a', [...xfer, 'recv', '--listen', `${env.aIp}:${env.port}`, '--out', out, '--code', code, '--cc', env.cc, '-q', ...(env.recvStats ? ['--stats'] : [])]));
  const recvEnd = recv.exited.then((c) => ({ code: c, at: performance.now() }));
  try {
    if (!(await env.link.waitListening('u', env.port, 10_000))) return { ok: false, note: `receiver did not listen: ${recv.output().trim()}` };
    // The receiver deletes its temp file when a transfer is cancelled, so watch it grow meanwhile.
    let seen = 0;
    const watch = setInterval(() => (seen = Math.max(seen, bytesUnderSafe(out))), 250);
    const t0 = performance.now();
    const s = await run(...env.link.inNs('b', [...xfer, 'send', file, `${env.aIp}:${env.port}`, '--code', code, '--cc', env.cc, '--stats']), { timeoutMs }).finally(() => clearInterval(watch));
    const r = await Promise.race([recvEnd, deadline(RECV_GRACE_MS).then(() => ({ code: 'timeout', at: NaN }))]);
    const sendText = `${s.stdout}\n${s.stderr}`;
    const base = { ...parseSendOutput(sendText), sendText, recvText: recv.output(), startedAt: t0, ms: s.ms, wallMs: r.at - t0, mbps: (size * 8) / (s.ms * 1000) };
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
    if (!existsSync(got)) return { ...base, ok: false, note: `no file on the receiver (recv: ${r.code})` };
    // The receiver must end on its own and succeed too: one that missed the close would wait
    // out its idle timeout and fail a transfer whose file is whole.
    if (r.code !== 0) return { ...base, ok: false, note: `receiver ${r.code === 'timeout' ? 'still running 10 s after the sender' : `exit ${r.code}`}` };
    return { ...base, ok: true, sha: await sha256(got) };
  } finally {
    await recv.stop();
  }
}

/**
 * The sender's summary line, its `--stats` key/value lines, and the datagram size from the
 * first line that names one (null when xfer prints none).
 */
export function parseSendOutput(text) {
  const stats = Object.fromEntries([...text.matchAll(/^\s+([a-z][a-z ]+?)\s{2,}(\S+)\s*$/gm)].map((m) => [m[1], m[2]]));
  // "datagram size" is the one in use where xfer also prints others (its cap, say).
  const lines = text.split('\n');
  const line = lines.find((l) => /datagram size/i.test(l)) ?? lines.find((l) => /datagram/i.test(l));
  // A "  key  value" stats line gives its value; any other wording is shown whole.
  const datagram = line ? (line.match(/^\s+\S.*?\s{2,}(\S.*?)\s*$/)?.[1] ?? line.trim()) : null;
  return { stats, datagram, summary: (text.match(/^\d+ items?,.*$/m) ?? [''])[0] };
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
