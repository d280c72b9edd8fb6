/**
 * Flow-control credit we grant the peer (MAX_DATA or MAX_STREAM_DATA), as an absolute limit.
 *
 * A new limit is advertised once the peer has used a quarter of the window (counted from what
 * it sent, see onConsumed), as quic-go does, so it holds three quarters of a window when the
 * update leaves and a lost update, repaired a round trip or a PTO later, does not stall it.
 * Auto-tuning: when half a window is read in under two round trips, the window itself, not the
 * path, limits the transfer, so the window doubles, up to maxWindow. It stops growing once it
 * covers about four bandwidth-delay products, which is enough for the peer never to stall.
 *
 * maxWindow starts at a fixed base and follows the path (followBdp): WINDOW_BDP_GAIN x the
 * bandwidth-delay product the receiver measures, never beyond `budget`, the memory this window
 * may commit (see README.md). The window itself grows to that target at once, so a long fat
 * path does not wait for a stall to double it.
 */
export class RecvWindow {
  private _window: number;
  private readonly base: number;
  private readonly budget: number;
  private ceiling: number;
  private _limit: number;
  private consumed = 0;
  /** Start of the current auto-tuning epoch: when (null: unknown) and how much had been read. */
  private epochAt: number | null;
  private epochFrom = 0;

  constructor(initialWindow: number, maxWindow: number, now: number | null = null, budget = maxWindow) {
    this._window = initialWindow;
    this.base = Math.max(maxWindow, initialWindow);
    this.budget = Math.max(budget, this.base);
    this.ceiling = this.base;
    this._limit = initialWindow;
    this.epochAt = now;
  }

  /** The most the window may grow to now: the base, or what the measured BDP needs, within budget. */
  get maxWindow(): number {
    return this.ceiling;
  }

  /**
   * The path's bandwidth-delay product as the receiver measures it: raises maxWindow to
   * WINDOW_BDP_GAIN x `bdpBytes` (within budget) and the window with it. Returns true when the
   * window grew by at least a quarter, which is worth advertising at once.
   */
  followBdp(bdpBytes: number): boolean {
    const target = Math.min(this.budget, Math.floor(WINDOW_BDP_GAIN * bdpBytes));
    if (target <= this._window) return false;
    this.ceiling = Math.max(this.ceiling, target);
    const before = this._window;
    this._window = target;
    return target >= before * (1 + ADVERTISE_GROWTH);
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
   * The application consumed data up to `consumedTotal`; the peer has sent up to
   * `receivedTotal` (the highest offset seen, holes included). Returns the new limit to
   * advertise when the peer's remaining credit fell to three quarters of the window, else null.
   *
   * The peer's credit is the limit minus what it sent, not minus what was read: on a lossy path
   * data stuck behind a hole (1-3 MB at 100 Mbit/s and 10 % loss) has used credit the reader has
   * not given back yet. Counted from the read offset and sent at half a window, an update left
   * when the peer had little credit left, and a lost one stalled the stream (linkem, 100 Mbit/s,
   * 50 ms, 10 %: 0.1-0.2 s, once or twice per 128 MiB). An update grants at least an eighth of
   * the window, so a standing hole does not turn every read into a frame.
   */
  onConsumed(consumedTotal: number, now: number, rttMs: number, receivedTotal = consumedTotal): number | null {
    this.consumed = Math.max(this.consumed, consumedTotal);
    const peerLeft = this._limit - Math.max(this.consumed, receivedTotal);
    if (peerLeft > this._window * UPDATE_WHEN_LEFT) return null;
    if (this.consumed + this._window - this._limit < this._window * MIN_GRANT) return null;
    this.autoTune(now, rttMs);
    return this.raiseLimit();
  }

  /**
   * Grants credit at once regardless of the thresholds, e.g. to give back what a reset or
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

  /** Half a window read since the epoch began: double if that took under two round trips. */
  private autoTune(now: number, rttMs: number): void {
    if (this.consumed - this.epochFrom < this._window / 2) return;
    if (this.epochAt !== null && rttMs > 0 && now - this.epochAt < 2 * rttMs) {
      this._window = Math.min(this._window * 2, this.maxWindow);
    }
    this.epochAt = now;
    this.epochFrom = this.consumed;
  }

  private raiseLimit(): number {
    this._limit = Math.max(this._limit, this.consumed + this._window);
    return this._limit;
  }
}

/**
 * Window per measured BDP: one BDP in flight, up to four more behind holes that a lost
 * retransmission keeps open for a round trip each (at 5 % loss and 1 Gbit/s x 200 ms a hole
 * somewhere outlives three round trips every second), and the update's own round trip.
 */
export const WINDOW_BDP_GAIN = 6;
/** followBdp asks for an update when the window grew by this share. */
const ADVERTISE_GROWTH = 1 / 4;
/** An update is due once the peer has at most this share of the window left ... */
const UPDATE_WHEN_LEFT = 3 / 4;
/** ... and it grants at least this share. */
const MIN_GRANT = 1 / 8;
