// Throughput over a sliding window, so the displayed rate follows changes (loss, a rate cap)
// instead of averaging over the whole run.

interface Sample { t: number; bytes: number }

export class RateMeter {
  private samples: Sample[] = [];

  /**
   * @param windowMs how far back the rate looks
   * @param minGapMs samples closer than this are merged, bounding memory for chatty callers
   */
  constructor(private readonly windowMs = 3000, private readonly minGapMs = 100) {}

  /** Records the cumulative byte count at time `now` (ms). */
  add(now: number, bytes: number): void {
    const n = this.samples.length;
    const prev = this.samples[n - 2];
    if (prev && now - prev.t < this.minGapMs) {
      this.samples[n - 1] = { t: now, bytes };
    } else {
      this.samples.push({ t: now, bytes });
    }
    this.prune(now);
  }

  /** Bytes per second over the window; 0 until two samples are at least a few ms apart. */
  rate(now: number): number {
    this.prune(now);
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return 0;
    const dt = now - first.t;
    if (dt < 50) return 0;
    return Math.max(0, (last.bytes - first.bytes) / (dt / 1000));
  }

  /** Seconds until `total` bytes at the current rate, or null when the rate is not known. */
  eta(now: number, total: number | null): number | null {
    if (total === null) return null;
    const last = this.samples[this.samples.length - 1];
    if (!last) return null;
    const r = this.rate(now);
    if (r <= 0) return null;
    return Math.max(0, total - last.bytes) / r;
  }

  /** Keeps one sample older than the window so the rate spans the whole window. */
  private prune(now: number): void {
    while (this.samples.length > 2 && now - (this.samples[1] as Sample).t >= this.windowMs) this.samples.shift();
  }
}
