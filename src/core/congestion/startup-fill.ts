// STARTUP's earliest sign of a full pipe: the ACKs of a stretch of packets come back spread out
// wider than those packets were sent. A bottleneck we have not yet filled passes our spacing
// on; once we send faster than it drains, it spaces the packets at its own rate. On a long fat
// path (1 Gbit/s x 200 ms) STARTUP's 2.885 x pacing fills a 1-BDP buffer about half a round
// after the pipe, and RTT samples show the queue only a round later: by then 1.5-2 BDP were
// dropped. The spacing shows it as soon as the first queued packets are acknowledged.
import { FILL_CHUNK_MIN_MS, FILL_CHUNK_MIN_PACKETS, FILL_CHUNK_RTT, FILL_READINGS, FILL_SPREAD } from './bbr-constants.js';

export class StartupFill {
  /** ACK time and newest send time at the start of the current stretch (NaN: none). */
  private ackFrom = NaN;
  private sentFrom = NaN;
  private packets = 0;
  private readings = 0;
  /** When the ACKs of FILL_READINGS stretches in a row were spread out by the bottleneck. */
  private _fullAt = Infinity;

  get full(): boolean {
    return this._fullAt !== Infinity;
  }

  /** Time the pipe was found full (Infinity: not yet). */
  get fullAt(): number {
    return this._fullAt;
  }

  /**
   * An ACK in STARTUP: `newestSent` is the send time of the newest packet it acknowledged. A
   * stretch lasts a share of the min RTT (and some packets, so that a host's batched reads do not
   * make one); a reading spread wider than FILL_SPREAD x its send spacing counts, and only
   * consecutive readings agree (one late ACK read, a receiver's stall, moves one reading).
   */
  onAck(now: number, newestSent: number, packets: number, minRttMs: number): void {
    if (this.full || !Number.isFinite(minRttMs)) return;
    if (Number.isNaN(this.ackFrom) || newestSent < this.sentFrom) return this.restart(now, newestSent);
    this.packets += packets;
    const ackSpan = now - this.ackFrom;
    if (ackSpan < Math.max(FILL_CHUNK_RTT * minRttMs, FILL_CHUNK_MIN_MS) || this.packets < FILL_CHUNK_MIN_PACKETS) return;
    const spread = ackSpan > FILL_SPREAD * (newestSent - this.sentFrom);
    this.readings = spread ? this.readings + 1 : 0;
    if (this.readings >= FILL_READINGS) this._fullAt = now;
    this.restart(now, newestSent);
  }

  /** STARTUP (re)starts: nothing is known about the pipe. */
  reset(): void {
    this._fullAt = Infinity;
    this.readings = 0;
    this.ackFrom = NaN;
  }

  private restart(now: number, newestSent: number): void {
    this.ackFrom = now;
    this.sentFrom = newestSent;
    this.packets = 0;
  }
}
