// A TCP file copy across a linkem link for bench/link.mjs: socat b -> a with the congestion
// control set on each socket (TCP_CONGESTION), timed like a user would time it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deadline, fmt, sha256 } from './link-util.mjs';
import { run, start } from './proc.mjs';

const MiB = 1 << 20;
const PORT = 5203;
// setsockopt(IPPROTO_TCP = 6, TCP_CONGESTION = 13): per socket, so neither the namespace's
// default algorithm nor another run's choice can leak in; socat fails on an unknown name.
const ccOpt = (cc) => `setsockopt-string=6:13:${cc}`;
const never = new Promise(() => {});

/**
 * Makes the kernel's `cc` usable (modprobe tcp_<cc> when it is not listed); returns null when it
 * is, else why not, so the caller can skip that column and say so.
 */
export function ensureCongestionControl(cc) {
  const path = '/proc/sys/net/ipv4/tcp_available_congestion_control';
  const listed = () => readFileSync(path, 'utf8').split(/\s+/).includes(cc);
  if (listed()) return null;
  spawnSync('modprobe', [`tcp_${cc}`], { stdio: 'ignore' });
  return listed() ? null : `TCP ${cc} not available (not in ${path}, modprobe tcp_${cc} failed)`;
}

/**
 * Copies `src` ({ path, size, sha }) b -> a with `cc` on both sockets. env: { link, work, aIp }.
 * `wallMs` runs from starting the sending socat (`startedAt`, performance.now()) to the receiving one's exit, which comes after
 * the whole file is written. A copy still running after `budgetMs` is cut off and reports the
 * rate of what had arrived by then, marked partial.
 */
export async function tcpCopy(env, src, cc, budgetMs) {
  const out = join(env.work, 'tcp.out');
  rmSync(out, { force: true });
  const recv = start(...env.link.inNs('a', ['socat', '-u', `TCP-LISTEN:${PORT},bind=${env.aIp},reuseaddr,${ccOpt(cc)}`, `CREATE:${out}`]));
  const recvEnd = recv.exited.then((code) => ({ code, at: performance.now() }));
  try {
    if (!(await env.link.waitListening('t', PORT, 10_000))) return { ok: false, note: `receiver did not listen: ${recv.output().trim()}` };
    const t0 = performance.now();
    const send = run(...env.link.inNs('b', ['socat', '-u', `OPEN:${src.path},rdonly`, `TCP:${env.aIp}:${PORT},${ccOpt(cc)}`]), { timeoutMs: budgetMs });
    // A sender that fails (cannot connect, unknown algorithm) leaves the receiver listening:
    // its exit ends the wait too, instead of the budget.
    const sendFailed = send.then((s) => (s.code !== 0 && !s.timedOut ? { code: 'sender failed', at: performance.now() } : never));
    const r = await Promise.race([recvEnd, sendFailed, deadline(budgetMs)]);
    if (!r) {
      const cut = { ...cutOff(out, performance.now() - t0, src.size), startedAt: t0 };
      await send; // killed by its own timeout, which started with it
      return cut;
    }
    const s = await send;
    const wallMs = r.at - t0;
    const got = existsSync(out) ? statSync(out).size : 0;
    // A failed copy has no rate: its time says nothing about the link.
    if (s.code !== 0 || r.code !== 0) return { wallMs, mbps: NaN, ok: false, note: `socat exit ${s.code}/${r.code}: ${(s.stderr || recv.output()).trim().split('\n').pop()}` };
    if (got !== src.size) return { wallMs, mbps: NaN, ok: false, note: `short: ${got} of ${src.size} B` };
    return { startedAt: t0, wallMs, mbps: (src.size * 8) / (wallMs * 1000), ok: true, shaOk: (await sha256(out)) === src.sha };
  } finally {
    await recv.stop();
  }
}

function cutOff(out, ms, size) {
  const part = existsSync(out) ? statSync(out).size : 0;
  return { ok: false, partial: true, wallMs: ms, mbps: (part * 8) / (ms * 1000), note: `partial: ${fmt(part / MiB, 1)} of ${fmt(size / MiB, 0)} MiB in ${fmt(ms / 1000, 0)} s` };
}
