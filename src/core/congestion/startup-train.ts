// The bottleneck rate read off the first burst, so STARTUP can skip rounds of doubling.
//
// STARTUP doubles the rate each round from the initial window: 100 Mbit/s at 200 ms RTT is six
// rounds (1.2 s) away, most of a 10 s transfer's shortfall. But the first packets leave as a
// burst (the pacer's bucket is full after the handshake), and a bottleneck spaces a burst out to
// its own rate: the ACKs come back as far apart as the packets left it. Bytes acknowledged over
// the time between two such ACKs is the bottleneck rate, one round trip in, as in packet-pair
// and packet-train probing. The ordinary delivery-rate samples cannot see it: their interval
// starts at the first send and so spans the whole round trip.
//
// A train is trusted only where the spacing can be the path's: the packets left at least
// TRAIN_SEND_FACTOR times faster than their ACKs came back, the train spans at least
// TRAIN_MIN_PACKETS packets and TRAIN_MIN_SPAN_MS. ACKs a busy sender reads in one batch arrive
// "at once" and would read as a huge rate; the span floor drops the worst, and a rate counts only
// once two successive readings of the train agree within TRAIN_AGREE (a clump moves one reading,
// not both the same way). What it may do is bounded anyway (startup-jump.ts: one round at 1.25 x
// it, at most TRAIN_JUMP_MAX_PACKETS).

/** Packets must have left at least this much faster than their ACKs came back. */
export const TRAIN_SEND_FACTOR = 0.5;
/** Packets a train must span (beyond its first ACK) before its rate is believed. */
export const TRAIN_MIN_PACKETS = 4;
/**
 * Shortest ACK span believed, in ms: a host that reads a batch of ACKs in one turn stamps them
 * microseconds apart. Half a millisecond is 4 packets at 100 Mbit/s; faster paths go without.
 */
export const TRAIN_MIN_SPAN_MS = 0.5;
/**
 * Two successive readings of one train must be within this share of each other; the lower one
 * counts. On linkem, readings over 4-8 packets scattered from 13 to 146 Mbit/s on a 100 Mbit/s
 * link (a userspace bridge and two busy event loops), and one alone once read 111.8.
 */
export const TRAIN_AGREE = 0.2;

interface Anchor {
  at: number;
  delivered: number;
  newestSent: number;
}

export class StartupTrain {
  private anchor: Anchor | null = null;
  /** The train's previous reading (bytes per second), 0 if none yet. */
  private last = 0;
  private best = 0;

  /** Datagram size in use (path MTU discovery may change it). */
  constructor(public mds: number) {}

  /** Highest trusted train rate so far, bytes per second (0: none). */
  get rate(): number {
    return this.best;
  }

  /**
   * One ACK: `newestSent` is the send time of the newest packet it acknowledged, `delivered`
   * the connection's delivered bytes after it. Returns the train's rate when this ACK's
   * reading agreed with the one before (0 otherwise).
   */
  onAck(now: number, newestSent: number, delivered: number): number {
    const a = this.anchor;
    if (a === null) {
      this.anchor = { at: now, delivered, newestSent };
      return 0;
    }
    const ackSpan = now - a.at;
    const sendSpan = newestSent - a.newestSent;
    if (sendSpan < 0) return 0; // an old packet's late ACK: not part of the train
    if (sendSpan > TRAIN_SEND_FACTOR * ackSpan) {
      // These left as slowly as they came back (paced, or after a pause): the spacing is ours.
      // A new train may start here.
      a.at = now;
      a.delivered = delivered;
      a.newestSent = newestSent;
      this.last = 0;
      return 0;
    }
    const bytes = delivered - a.delivered;
    if (bytes < TRAIN_MIN_PACKETS * this.mds || ackSpan < TRAIN_MIN_SPAN_MS) return 0;
    const reading = (bytes * 1000) / ackSpan;
    const prev = this.last;
    this.last = reading;
    if (prev === 0 || Math.abs(reading - prev) > TRAIN_AGREE * Math.max(reading, prev)) return 0;
    const rate = Math.min(reading, prev);
    this.best = Math.max(this.best, rate);
    return rate;
  }

  reset(): void {
    this.anchor = null;
    this.last = 0;
    this.best = 0;
  }
}
