// Packets declared lost, kept a while after they leave the sent-packet tracker, so that an ACK
// that still covers one reveals the loss as spurious (the packet was late, not lost; RFC 8985
// §7.1 learns the same from D-SACK). Records are appended in packet-number order (a detection
// pass always declares the oldest outstanding packets lost first), so lookups are binary
// searches, and they expire after a few RTTs: a packet that late is lost for good.
import { lowerBound } from './lower-bound.js';

export interface LostRecord<P> {
  packet: P;
  pn: number;
  /** When it was declared lost. */
  lostAt: number;
  /** The largest acknowledged packet number at that moment: how far it had been overtaken. */
  largestAckedAtLoss: number;
  /** Declared by the time rule (it had waited the RTT and the window), not by the packet rule. */
  byTime: boolean;
}

/** Records beyond this many are dropped oldest first (a burst of loss on a very fat pipe). */
export const MAX_LOST_RECORDS = 16384;

export class LostHistory<P> {
  /** pns[i] stays set after records[i] is taken, so binary search keeps working. */
  private pns: number[] = [];
  private records: (LostRecord<P> | null)[] = [];
  private head = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  add(packet: P, pn: number, lostAt: number, largestAckedAtLoss: number, byTime: boolean): void {
    // Out of order would break the binary search; it cannot happen (see above), so drop it.
    if (this.pns.length > this.head && pn <= this.pns[this.pns.length - 1]!) return;
    this.pns.push(pn);
    this.records.push({ packet, pn, lostAt, largestAckedAtLoss, byTime });
    this.live++;
    while (this.live > MAX_LOST_RECORDS) this.dropHead();
  }

  /** Takes out the records whose pn lies in [start, end], appending them to `out`. */
  takeRange(start: number, end: number, out: LostRecord<P>[]): void {
    for (let i = this.lowerBound(start); i < this.pns.length && this.pns[i]! <= end; i++) {
      const r = this.records[i];
      if (!r) continue;
      out.push(r);
      this.records[i] = null;
      this.live--;
    }
  }

  /** Forgets records declared lost before `before`. */
  expire(before: number): void {
    while (this.head < this.records.length) {
      const r = this.records[this.head];
      if (r && r.lostAt >= before) break;
      this.dropHead();
    }
  }

  private dropHead(): void {
    if (this.records[this.head]) this.live--;
    this.records[this.head] = null;
    this.head++;
    if (this.head === this.records.length) {
      this.pns = [];
      this.records = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.pns = this.pns.slice(this.head);
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  private lowerBound(pn: number): number {
    return lowerBound(this.pns, this.head, pn);
  }

}
