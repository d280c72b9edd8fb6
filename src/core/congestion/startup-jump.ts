// STARTUP's round at 1.25 x a burst's rate, and what it proved. The train (startup-train.ts)
// reads the bottleneck rate B off the first burst's ACK spacing; instead of doubling towards it,
// STARTUP sends one round at 1.25 x B, window and pacer both: the probe its full-pipe test
// would make. Once a packet sent a min RTT after the jump is acknowledged, all of that round's
// delivery-rate samples are in, and the round says whether B was the bottleneck.
import { StartupTrain } from './startup-train.js';
import { TRAIN_JUMP_MAX_PACKETS, TRAIN_MORE, TRAIN_PROBE_GAIN, TRAIN_SENT_SHARE } from './bbr-constants.js';

interface Round {
  at: number;
  bw: number;
  window: number;
  pacing: number;
  /** Bytes sent during the first min RTT after the jump. */
  sent: number;
  capped: boolean;
}

/** What BBR knows when an ACK arrives in STARTUP. */
export interface JumpContext {
  cwnd: number;
  minRttMs: number;
  /** The model's bandwidth estimate, bytes per second. */
  bandwidth: number;
}

export class StartupJump {
  private readonly train: StartupTrain;
  private round: Round | null = null;

  constructor(private mds: number) {
    this.train = new StartupTrain(mds);
  }

  setDatagramSize(size: number): void {
    this.mds = size;
    this.train.mds = size;
  }

  /** While the 1.25 x round runs, its window and pacing rate replace the model's. */
  get active(): Round | null {
    return this.round;
  }

  onSent(now: number, size: number, minRttMs: number): void {
    if (this.round && now < this.round.at + minRttMs) this.round.sent += size;
  }

  /**
   * One ACK in STARTUP, before anything said the pipe is full or congested. Returns true when
   * the 1.25 x round is over and found no more than B: the pipe is full.
   */
  onAck(now: number, newestSent: number, delivered: number, c: JumpContext): boolean {
    const rate = this.train.onAck(now, newestSent, delivered);
    if (this.round === null) {
      this.start(now, rate, c);
      return false;
    }
    if (newestSent < this.round.at + c.minRttMs) return false;
    const r = this.round;
    this.round = null;
    const sentRate = (r.sent * 1000) / Math.max(c.minRttMs, 1);
    // More is there, the host did not keep up, or the window was capped: STARTUP doubles on.
    return !r.capped && sentRate >= TRAIN_SENT_SHARE * TRAIN_PROBE_GAIN * r.bw && c.bandwidth < TRAIN_MORE * r.bw;
  }

  /** STARTUP is over (or starts afresh): no round runs. */
  cancel(): void {
    this.round = null;
  }

  reset(): void {
    this.round = null;
    this.train.reset();
  }

  /** Only upwards, and capped: a misread costs one bounded round. */
  private start(now: number, rate: number, c: JumpContext): void {
    if (rate <= 0 || !Number.isFinite(c.minRttMs)) return;
    const rtt = Math.max(c.minRttMs, 1);
    const wanted = (TRAIN_PROBE_GAIN * rate * rtt) / 1000;
    const window = Math.min(wanted, TRAIN_JUMP_MAX_PACKETS * this.mds);
    if (window <= c.cwnd) return;
    this.round = { at: now, bw: rate, window, pacing: (window * 1000) / rtt, sent: 0, capped: window < wanted };
  }
}
