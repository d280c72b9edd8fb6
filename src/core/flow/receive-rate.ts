/**
 * The path's bandwidth-delay product as a receiver sees it: the most new bytes that arrived in
 * any interval of one min RTT (at least MIN_INTERVAL_MS), times that min RTT. Arrivals are
 * spaced by the bottleneck, so the rate over a round trip never exceeds the path's; the
 * estimate only grows, since a window once granted is never taken back.
 */
export class ReceiveRate {
  private from: number | null = null;
  private fromBytes = 0;
  private maxBytesPerMs = 0;
  private _bdp = 0;

  /** Bandwidth-delay product in bytes (0 until a whole interval was measured). */
  get bdp(): number {
    return this._bdp;
  }

  /**
   * `totalBytes` new bytes have arrived by `now` (a running total); `minRttMs` is the receiver's
   * min RTT (0: none yet). Returns true when the BDP estimate grew.
   */
  onReceived(totalBytes: number, now: number, minRttMs: number): boolean {
    if (this.from === null || minRttMs <= 0) {
      this.from = now;
      this.fromBytes = totalBytes;
      return false;
    }
    const elapsed = now - this.from;
    if (elapsed < Math.max(minRttMs, MIN_INTERVAL_MS)) return false;
    this.maxBytesPerMs = Math.max(this.maxBytesPerMs, (totalBytes - this.fromBytes) / elapsed);
    this.from = now;
    this.fromBytes = totalBytes;
    const bdp = this.maxBytesPerMs * minRttMs;
    if (bdp <= this._bdp) return false;
    this._bdp = bdp;
    return true;
  }
}

/**
 * A host reads datagrams in batches, so over a sub-millisecond RTT (loopback) a few packets
 * read in one turn would look like a huge rate; a rate over 10 ms is the host's real one.
 */
const MIN_INTERVAL_MS = 10;
