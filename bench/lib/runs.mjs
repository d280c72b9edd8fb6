// Repeated runs for bench/link.mjs: the VM's steal time over each run, and the median run.
import { readFileSync } from 'node:fs';

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
 * loses sending time it cannot make up (TCP suffers too at high steal): the runs tables show it
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
export async function withSteal(f) {
  const before = cpuTimes();
  const r = await f();
  return { ...r, steal: stealSince(before) };
}

/** The run with the median value of `key` (runs without a finite value sort first). */
export function median(runs, key) {
  const v = (r) => (Number.isFinite(key(r)) ? key(r) : -1);
  const sorted = [...runs].sort((a, b) => v(a) - v(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
