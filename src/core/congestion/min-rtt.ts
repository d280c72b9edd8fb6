// BBR's min RTT: the smallest RTT sample over MIN_RTT_WINDOW_MS, confirmed by any sample close to
// it, and measured again (PROBE_RTT) once it expires unconfirmed.
//
// Only samples that arrived in order may set or confirm it. On a path where a few percent of
// packets skip the delay line (linkem --reorder, some bonded and multipath links), a packet or
// an ACK that overtook those sent before it reads half the RTT, both together almost nothing;
// a min filter takes such a sample at once and the BDP collapses with it. Until the first
// in-order sample, any sample counts (something must size the first rounds), and that first
// in-order sample replaces whatever an out-of-order one left.
import { MIN_RTT_CONFIRM_FACTOR, MIN_RTT_CONFIRM_SLACK_MS, MIN_RTT_WINDOW_MS } from './bbr-constants.js';

export class MinRttFilter {
  private value = Infinity;
  private stamp = 0;
  /** The value comes from an in-order sample. */
  private trusted = false;

  /** Milliseconds; Infinity before the first sample. */
  get ms(): number {
    return this.value;
  }

  /** Offers a sample; returns true when the estimate had expired before it. */
  update(now: number, rtt: number, inOrder: boolean): boolean {
    if (!(rtt >= 0)) return false;
    const expired = now - this.stamp > MIN_RTT_WINDOW_MS;
    if (!inOrder) {
      if (!this.trusted && (rtt < this.value || expired)) this.set(now, rtt);
      return expired;
    }
    if (!this.trusted || rtt < this.value || expired) {
      this.set(now, rtt);
      this.trusted = true;
    } else if (rtt <= this.value * MIN_RTT_CONFIRM_FACTOR + MIN_RTT_CONFIRM_SLACK_MS) {
      // The queue emptied on its own: no need for PROBE_RTT this window.
      this.stamp = now;
    }
    return expired;
  }

  /** PROBE_RTT held the window low for its time: the estimate stands for another window. */
  confirm(now: number): void {
    this.stamp = now;
  }

  private set(now: number, rtt: number): void {
    this.value = rtt;
    this.stamp = now;
  }
}
