// Round-trip time estimation (RFC 9002 §5).
//
// Every ACK this estimator sees arrives in a 1-RTT packet, i.e. after the handshake, so the
// peer's reported ack delay is always clamped to maxAckDelay (RFC 9002 §5.3).

/** RFC 9002 kInitialRtt. */
export const INITIAL_RTT_MS = 333;
/** RFC 9002 kGranularity: timers cannot be trusted below this. */
export const TIMER_GRANULARITY_MS = 1;
/** Default max_ack_delay (RFC 9000 §18.2); there are no transport parameters, so both sides start from it. */
export const DEFAULT_MAX_ACK_DELAY_MS = 25;

export class RttEstimator {
  private latestRtt = 0;
  private latestAckDelayMs = 0;
  private smoothedRtt: number;
  private rttVar: number;
  private minRtt = 0;
  private sampled = false;
  private firstSampleAt: number | null = null;
  private ackDelayCapMs: number;

  constructor(
    private readonly initialRttMs: number = INITIAL_RTT_MS,
    maxAckDelayMs: number = DEFAULT_MAX_ACK_DELAY_MS,
  ) {
    this.smoothedRtt = initialRttMs;
    this.rttVar = initialRttMs / 2;
    this.ackDelayCapMs = maxAckDelayMs;
  }

  /** The peer's max ack delay: caps reported ack delays and pads the probe timeout. */
  get maxAckDelayMs(): number {
    return this.ackDelayCapMs;
  }

  /** ACK_FREQUENCY changed it (draft-ietf-quic-ack-frequency §7; recovery README, "ACK frequency"). */
  setMaxAckDelay(ms: number): void {
    this.ackDelayCapMs = ms;
  }

  /** `latestRttMs` = ack time − send time of the largest newly acknowledged packet. */
  update(latestRttMs: number, ackDelayMs: number, now: number): void {
    // A negative or NaN sample can only come from a clock bug; it would poison every estimate.
    if (!(latestRttMs >= 0)) return;
    this.latestRtt = latestRttMs;
    if (!this.sampled) {
      // The first sample has no history to smooth against, and its ack delay is ignored.
      this.sampled = true;
      this.firstSampleAt = now;
      this.minRtt = latestRttMs;
      this.smoothedRtt = latestRttMs;
      this.rttVar = latestRttMs / 2;
      this.latestAckDelayMs = 0;
      return;
    }
    // min_rtt deliberately ignores ack delay: it must never be inflated by a lying peer.
    this.minRtt = Math.min(this.minRtt, latestRttMs);
    const ackDelay = Math.min(Math.max(ackDelayMs, 0), this.maxAckDelayMs);
    this.latestAckDelayMs = ackDelay;
    // Only subtract the delay when that cannot push the sample below min_rtt.
    const adjusted = latestRttMs >= this.minRtt + ackDelay ? latestRttMs - ackDelay : latestRttMs;
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.smoothedRtt - adjusted);
    this.smoothedRtt = 0.875 * this.smoothedRtt + 0.125 * adjusted;
  }

  /** The peer's ack delay in the most recent sample, capped at max ack delay (0 for the first). */
  get latestAckDelay(): number {
    return this.latestAckDelayMs;
  }

  /** Most recent raw sample (0 before the first one). */
  get latest(): number {
    return this.latestRtt;
  }

  /** Smoothed RTT; the initial RTT until the first sample. */
  get smoothed(): number {
    return this.smoothedRtt;
  }

  get rttvar(): number {
    return this.rttVar;
  }

  /** Minimum RTT seen (0 before the first sample; check hasSample). */
  get min(): number {
    return this.minRtt;
  }

  get hasSample(): boolean {
    return this.sampled;
  }

  /** Time of the first RTT sample; persistent congestion only looks at packets sent after it. */
  get firstSampleTime(): number | null {
    return this.firstSampleAt;
  }

  get initial(): number {
    return this.initialRttMs;
  }

  /** One un-backed-off probe timeout (RFC 9002 §6.2.1). */
  ptoBase(): number {
    return this.smoothedRtt + Math.max(4 * this.rttVar, TIMER_GRANULARITY_MS) + this.maxAckDelayMs;
  }
}
