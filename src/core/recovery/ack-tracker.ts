// Receive side: which packet numbers arrived, duplicate detection, and when to send an ACK
// (RFC 9000 §13.2).
//
// Received pns are kept as sorted, disjoint, non-adjacent ranges. Memory is bounded: beyond
// `maxRangesKept` ranges the oldest are forgotten, and everything below the oldest range kept
// (the "floor") is then treated as a duplicate. Only a packet delayed past hundreds of newer
// gaps can be hit by that, and the sender has long declared it lost and resent its frames.
import { DEFAULT_MAX_ACK_DELAY_MS } from './rtt.js';

export const DEFAULT_ACK_ELICITING_THRESHOLD = 2;
/** Ranges per ACK frame; older ranges are left out (the sender already gave up on those gaps). */
export const MAX_ACK_RANGES = 64;
export const DEFAULT_MAX_RANGES_KEPT = 256;

interface PnRange {
  start: number;
  end: number;
}

export interface AckToSend {
  /** Newest first, inclusive, disjoint. */
  ranges: PnRange[];
  /** Time since the largest acknowledged packet arrived, in µs. */
  ackDelayMicros: number;
}

export class AckTracker {
  private ranges: PnRange[] = [];
  private floorPn = 0;
  private largestPn = -1;
  private largestAt = 0;
  private largestElicitingPn = -1;
  /** Ack-eliciting packets received since the last ACK went out. */
  private elicitingPending = 0;
  private firstPendingAt: number | null = null;
  private immediate = false;
  private newSinceAck = false;
  /**
   * A PING's ACK is sent twice, the copy right behind the first: the peer probes because our
   * ACKs stopped arriving, and on a path that loses in per-packet bursts each copy is one more
   * chance to get out before its probe timeout doubles again (recovery README, "ACKs").
   */
  private pingRepeatOwed = false;

  constructor(
    readonly maxAckDelayMs: number = DEFAULT_MAX_ACK_DELAY_MS,
    readonly ackElicitingThreshold: number = DEFAULT_ACK_ELICITING_THRESHOLD,
    private readonly maxRangesKept: number = DEFAULT_MAX_RANGES_KEPT,
  ) {}

  /** True when the pn was already received, or is below the floor of what is still remembered. */
  isDuplicate(pn: number): boolean {
    return pn < this.floorPn || this.indexContaining(pn) >= 0;
  }

  /** Records an authenticated packet; false when it is a duplicate (the caller drops it). */
  onPacketReceived(pn: number, ackEliciting: boolean, now: number, ackAtOnce = false): boolean {
    if (!Number.isSafeInteger(pn) || this.isDuplicate(pn)) return false;
    this.insert(pn);
    this.newSinceAck = true;
    if (pn > this.largestPn) {
      this.largestPn = pn;
      this.largestAt = now;
    }
    if (ackEliciting) {
      // Out-of-order arrival is acked at once so the sender's loss detection sees it early.
      if (ackAtOnce || pn < this.largestElicitingPn || this.gapBelow(pn)) this.immediate = true;
      if (ackAtOnce) this.pingRepeatOwed = true;
      this.largestElicitingPn = Math.max(this.largestElicitingPn, pn);
      this.elicitingPending++;
      if (this.firstPendingAt === null) this.firstPendingAt = now;
    }
    this.capRanges();
    return true;
  }

  /** Latest time an ACK may go out; in the past when one is due now; null when none is owed. */
  ackDeadline(): number | null {
    if (this.elicitingPending === 0 || this.firstPendingAt === null) return null;
    if (this.immediate || this.elicitingPending >= this.ackElicitingThreshold) return this.firstPendingAt;
    return this.firstPendingAt + this.maxAckDelayMs;
  }

  shouldAckNow(now: number): boolean {
    const deadline = this.ackDeadline();
    return deadline !== null && now >= deadline;
  }

  /** The copy of a PING's ACK is still to go out: send one even when none is due. */
  get repeatOwed(): boolean {
    return this.pingRepeatOwed;
  }

  /** Anything (even non-ack-eliciting) arrived since the last ACK: worth piggybacking one. */
  get hasNewSinceAck(): boolean {
    return this.newSinceAck;
  }

  /** Packet numbers below this are treated as duplicates. */
  get floor(): number {
    return this.floorPn;
  }

  largestReceived(): number | null {
    return this.largestPn < 0 ? null : this.largestPn;
  }

  /** The ACK frame content for now; null when nothing is remembered. */
  buildAck(now: number): AckToSend | null {
    const n = this.ranges.length;
    if (n === 0) return null;
    const ranges: PnRange[] = [];
    for (let i = n - 1; i >= 0 && ranges.length < MAX_ACK_RANGES; i--) {
      const r = this.ranges[i]!;
      ranges.push({ start: r.start, end: r.end });
    }
    const newest = this.ranges[n - 1]!;
    // The delay refers to the frame's largest pn; if that one was pruned it is unknown, say 0.
    const since = newest.end === this.largestPn ? now - this.largestAt : 0;
    return { ranges, ackDelayMicros: Math.max(0, Math.round(since * 1000)) };
  }

  onAckSent(now: number): void {
    // An ACK that was not due otherwise is the repeat.
    if (!this.shouldAckNow(now)) this.pingRepeatOwed = false;
    this.elicitingPending = 0;
    this.firstPendingAt = null;
    this.immediate = false;
    this.newSinceAck = false;
  }

  /** Forgets ranges below pn; from now on those pns count as duplicates. */
  pruneBelow(pn: number): void {
    if (pn <= this.floorPn) return;
    this.floorPn = pn;
    let drop = 0;
    while (drop < this.ranges.length && this.ranges[drop]!.end < pn) drop++;
    if (drop > 0) this.ranges.splice(0, drop);
    const first = this.ranges[0];
    if (first && first.start < pn) first.start = pn;
  }

  /** Copy of the remembered ranges, oldest first (for tests and stats). */
  rangesAscending(): PnRange[] {
    return this.ranges.map((r) => ({ start: r.start, end: r.end }));
  }

  /** After insertion: is some pn missing between the last ack-eliciting pn (or the floor) and pn? */
  private gapBelow(pn: number): boolean {
    const i = this.indexContaining(pn);
    return this.ranges[i]!.start > Math.max(this.largestElicitingPn, this.floorPn);
  }

  private indexContaining(pn: number): number {
    const n = this.ranges.length;
    if (n === 0) return -1;
    const last = this.ranges[n - 1]!;
    if (pn > last.end) return -1;
    if (pn >= last.start) return n - 1;
    const k = this.firstStartAbove(pn) - 1;
    return k >= 0 && this.ranges[k]!.end >= pn ? k : -1;
  }

  /** Index of the first range whose start is > pn. */
  private firstStartAbove(pn: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid]!.start <= pn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** pn is known not to be present. */
  private insert(pn: number): void {
    const n = this.ranges.length;
    const last = this.ranges[n - 1];
    // In-order arrival, the common case: extend or open the newest range.
    if (last === undefined || pn > last.end + 1) {
      this.ranges.push({ start: pn, end: pn });
      return;
    }
    if (pn === last.end + 1) {
      last.end = pn;
      return;
    }
    const k = this.firstStartAbove(pn);
    const prev = this.ranges[k - 1];
    const next = this.ranges[k];
    const joinsPrev = prev !== undefined && prev.end + 1 === pn;
    const joinsNext = next !== undefined && next.start - 1 === pn;
    if (joinsPrev && joinsNext) {
      prev.end = next.end;
      this.ranges.splice(k, 1);
    } else if (joinsPrev) {
      prev.end = pn;
    } else if (joinsNext) {
      next.start = pn;
    } else {
      this.ranges.splice(k, 0, { start: pn, end: pn });
    }
  }

  private capRanges(): void {
    const excess = this.ranges.length - this.maxRangesKept;
    if (excess <= 0) return;
    this.ranges.splice(0, excess);
    this.floorPn = this.ranges[0]!.start;
  }
}
