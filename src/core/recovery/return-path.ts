// How many of the peer's packets the way back loses. Packet numbers already count every packet
// the peer sends, so the gaps in what arrives are its losses: no ACK counter on the wire is
// needed. On a data sender nearly all the peer sends is ACKs, so these are ACKs lost on the
// return path, the signal ACK frequency backs off on (ack-frequency-policy.ts).

/**
 * Peer packet numbers per verdict: a few windows of the eight ACKs per round the policy asks for,
 * and enough that one random loss stays below the congested fraction.
 */
export const RETURN_WINDOW_PACKETS = 32;

export interface ReturnPathWindow {
  /** Packet numbers the window covers. */
  span: number;
  /** Of those, how many did not arrive (a late one counts in the window it arrives in). */
  lost: number;
}

export class ReturnPathWatch {
  private baseReceived = 0;
  private baseLargest = -1;

  /**
   * Feeds the receive side's running totals (distinct packets recorded, largest pn); returns a
   * window's verdict once RETURN_WINDOW_PACKETS numbers have gone by, else null.
   */
  sample(received: number, largest: number): ReturnPathWindow | null {
    const span = largest - this.baseLargest;
    if (span < RETURN_WINDOW_PACKETS) return null;
    const lost = Math.max(0, span - (received - this.baseReceived));
    this.baseReceived = received;
    this.baseLargest = largest;
    return { span, lost };
  }
}
