// CPU time from /proc for bench:loopback: the whole machine's (what the targets count,
// kernel network work included) and the benchmarked processes' own (immune to other load).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** The machine's CPU counters in seconds: busy = user+nice+system+irq+softirq; steal apart. */
export function machineCpu() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const s = (x) => (x ?? 0) / HZ;
  return { busy: s(user + nice + system + irq + softirq), steal: s(steal), idle: s(idle + iowait), at: performance.now() };
}

/** Counters spent since `before` (from machineCpu), with the wall seconds between them. */
export function machineCpuSince(before) {
  const now = machineCpu();
  return { busy: now.busy - before.busy, steal: now.steal - before.steal, idle: now.idle - before.idle, wall: (now.at - before.at) / 1000 };
}

/** Fields of /proc/PID/stat after the command name, so index i is field i + 3 of proc(5). */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  } catch {
    return null;
  }
}

/** CPU seconds of a live process itself (utime+stime); 0 once it is gone. */
export function ownCpu(pid) {
  const f = statFields(pid);
  return f ? (f[11] + f[12]) / HZ : 0;
}

/** CPU seconds of the children `pid` has waited for (cutime+cstime): exited children only. */
export function reapedChildrenCpu(pid = process.pid) {
  const f = statFields(pid);
  return f ? (f[13] + f[14]) / HZ : 0;
}

/** Pids of the live children of `pid` (by scanning /proc: this kernel has no children file). */
export function childrenOf(pid) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => statFields(d)?.[1] === pid)
    .map(Number);
}

/** "AMD EPYC, 2 CPUs": the model and count, for the results. */
export function cpuDescription() {
  const list = cpus();
  return `${list[0]?.model.trim() ?? 'unknown CPU'}, ${list.length} CPUs`;
}
