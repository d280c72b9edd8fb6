/**
 * Flow-control credit we grant the peer (MAX_DATA or MAX_STREAM_DATA), as an absolute limit.
 *
 * A new limit is advertised once less than half the window remains, so the peer always holds
 * at least half a window of credit. Auto-tuning: when two consecutive updates are less than two
 * round trips apart, the window itself, not the path, limits the transfer (the peer burned half a
 * window in under 2 RTTs), so the window doubles, up to maxWindow. It stops growing once it
 * covers about four bandwidth-delay products, which is enough for the peer never to stall.
 */
export class RecvWindow {
  private _window: number;
  readonly maxWindow: number;
  private _limit: number;
  private consumed = 0;
  /** Time of the previous advertised update (or of creation, if given). */
  private lastUpdateAt: number | null;

  constructor(initialWindow: number, maxWindow: number, now: number | null = null) {
    this._window = initialWindow;
    this.maxWindow = Math.max(maxWindow, initialWindow);
    this._limit = initialWindow;
    this.lastUpdateAt = now;
  }

  /** Highest offset (or connection total) the peer may send up to. */
  get limit(): number {
    return this._limit;
  }

  /** Current window size (credit granted beyond what was consumed). */
  get window(): number {
    return this._window;
  }

  /** False when the peer sent beyond the limit: close with FLOW_CONTROL_ERROR. */
  checkReceived(highestOffset: number): boolean {
    return highestOffset <= this._limit;
  }

  /**
   * The application consumed data up to `consumedTotal`. Returns the new limit to advertise
   * when the remaining credit fell below half the window, else null.
   */
  onConsumed(consumedTotal: number, now: number, rttMs: number): number | null {
    this.consumed = Math.max(this.consumed, consumedTotal);
    if (this._limit - this.consumed > this._window / 2) return null;
    const last = this.lastUpdateAt;
    if (last !== null && rttMs > 0 && now - last < 2 * rttMs) {
      this._window = Math.min(this._window * 2, this.maxWindow);
    }
    this.lastUpdateAt = now;
    return this.raiseLimit();
  }

  /**
   * Grants credit at once regardless of the half-window rule, e.g. to give back what a reset or
   * stopped stream will never let the application read. Returns the (possibly unchanged) limit.
   */
  forceUpdate(consumedTotal: number): number {
    this.consumed = Math.max(this.consumed, consumedTotal);
    return this.raiseLimit();
  }

  /**
   * Grows the window to at least `minWindow` (capped at maxWindow) without advertising anything;
   * lets the connection window keep ahead of a stream window that auto-tuned beyond it.
   */
  ensureWindow(minWindow: number): void {
    this._window = Math.max(this._window, Math.min(minWindow, this.maxWindow));
  }

  private raiseLimit(): number {
    this._limit = Math.max(this._limit, this.consumed + this._window);
    return this._limit;
  }
}
