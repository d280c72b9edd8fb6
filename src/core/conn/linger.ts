// The closing period of a connection that sent CONNECTION_CLOSE: it lingers three probe
// timeouts, repeating the close, so that lost datagrams do not leave the peer waiting for its
// idle timeout (and failing a transfer that had arrived whole).
import type { Millis } from '../api.js';
import type { Frame } from '../wire/frame.js';

/**
 * A closer that hears no answer sends its CONNECTION_CLOSE this often per probe timeout, over
 * the three it lingers: six tries. With one a PTO (three tries), a path losing one packet in
 * five missed all three closes once in 125 (seen on linkem: the receiver then waited out its
 * idle timeout and failed a transfer that had arrived whole); six miss once in 15,000. A close
 * is a few dozen bytes, and an answered close ends the linger at once.
 */
const CLOSE_SENDS_PER_PTO = 2;
const LINGER_PTOS = 3;

export class Linger {
  private frame: Frame | null = null;
  private sendPending = false;
  private resendAt: Millis = Infinity;
  private end: Millis = Infinity;

  start(errorCode: number, reason: string, now: Millis, ptoMs: number): void {
    this.frame = { type: 'connection_close', errorCode, reason };
    this.sendPending = true;
    this.resendAt = now + ptoMs / CLOSE_SENDS_PER_PTO;
    this.end = now + LINGER_PTOS * ptoMs;
  }

  /** A packet from the peer while closing: it has not seen our close yet, so answer it. */
  onPacket(): void {
    this.sendPending = true;
  }

  /** The close frame when one is due to go out now, else null. */
  take(): Frame | null {
    if (!this.sendPending || !this.frame) return null;
    this.sendPending = false;
    return this.frame;
  }

  deadline(): Millis {
    return Math.min(this.end, this.resendAt);
  }

  /** Returns true once the closing period is over. */
  onTimeout(now: Millis, ptoMs: number): boolean {
    if (now >= this.end) return true;
    if (now >= this.resendAt) {
      this.sendPending = true;
      const next = now + ptoMs / CLOSE_SENDS_PER_PTO;
      // A resend that would fall on the end itself would go out as the closer stops: none.
      this.resendAt = next < this.end - 1 ? next : Infinity;
    }
    return false;
  }
}
