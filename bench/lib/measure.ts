// Small statistics helpers for the benchmarks.

/** Timestamped samples in growable typed arrays: a 1 Gbit/s cell records ~10^6 of them. */
export class Samples {
  private t: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private v: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private n = 0;

  add(time: number, value: number): void {
    if (this.n === this.t.length) {
      this.t = grow(this.t);
      this.v = grow(this.v);
    }
    this.t[this.n] = time;
    this.v[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** Values whose time is >= `from` (steady state), sorted ascending. */
  sortedSince(from: number): Float64Array {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.t[i]! >= from) out.push(this.v[i]!);
    return Float64Array.from(out).sort();
  }
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Jain's fairness index: 1 when all equal, 1/n when one flow has everything. */
export function jain(xs: readonly number[]): number {
  let sum = 0;
  let sq = 0;
  for (const x of xs) {
    sum += x;
    sq += x * x;
  }
  return sq === 0 ? NaN : (sum * sum) / (xs.length * sq);
}

export function mbps(bytes: number, ms: number): number {
  return ms > 0 ? (bytes * 8) / (ms * 1000) : 0;
}

/** Fixed decimals; '—' for NaN so empty cells read clearly in the table. */
export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}
