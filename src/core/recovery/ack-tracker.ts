// Receive side: which packet numbers arrived, duplicate detection, and when to send an ACK
// (RFC 9000 §13.2).
//
// Received pns are kept as sorted, disjoint, non-adjacent ranges. Memory is bounded: beyond
// `maxRangesKept` ranges the oldest are forgotten, and everything below the oldest range kept
// (the "floor") is then treated as a duplicate. Only a packet delayed past hundreds of newer
// gaps can be hit by that, and the sender has long declared it lost and resent its frames.
//
// How often to acknowledge is the sender's call (ACK_FREQUENCY, draft-ietf-quic-ack-frequency;
// recovery README, "ACK frequency"): until its first request, every 2nd ack-eliciting packet,
// 25 ms at most, and at once for any packet out of order (RFC 9000 §13.2).
import { DEFAULT_MAX_ACK_DELAY_MS, TIMER_GRANULARITY_MS } from './rtt.js';
import { IN_ORDER_PREDECESSORS } from './reorder.js';

/** Ack-eliciting packets that make an ACK due (RFC 9000 §13.2.2: every second one). */
export const DEFAULT_ACK_ELICITING_THRESHOLD = 2;
/**
 * Requests above this are taken as this: the max ack delay bounds the wait anyway, and a counter
 * near 2^53 would lose its unit steps.
 */
const MAX_REQUESTED_COUNT = 1 << 20;

/** An ACK_FREQUENCY request as the receiver applies it (draft semantics, delay in ms). */
export interface AckFrequencyRequest {
  seq: number;
  /** Ack-eliciting packets that may arrive without an ACK; the next one makes it due. */
  ackElicitingThreshold: number;
  maxAckDelayMs: number;
  /** 0: reordering alone never makes an ACK due; 1: any gap does; N: see reorderDue(). */
  reorderThreshold: number;
}

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
  /** Largest pn in the last ACK sent: the sender may declare lost what lies reorderThreshold below it. */
  private largestAckedSent = -1;
  private lastRequestSeq = -1;
  private ackDelayMs: number;
  private ackEvery: number;
  private reorderThreshold = 1;
  /** Distinct packets recorded; with the pn span it tells how many of the peer's packets were lost. */
  private receivedCount = 0;
  /**
   * A PING's ACK is sent twice, the copy right behind the first: the peer probes because our
   * ACKs stopped arriving, and on a path that loses in per-packet bursts each copy is one more
   * chance to get out before its probe timeout doubles again (recovery README, "ACKs").
   */
  private pingRepeatOwed = false;
  /** The latest packet came after its IN_ORDER_PREDECESSORS predecessors (see arrivedInOrder). */
  private lastInOrder = true;

  constructor(
    maxAckDelayMs: number = DEFAULT_MAX_ACK_DELAY_MS,
    ackElicitingThreshold: number = DEFAULT_ACK_ELICITING_THRESHOLD,
    private readonly maxRangesKept: number = DEFAULT_MAX_RANGES_KEPT,
  ) {
    this.ackDelayMs = maxAckDelayMs;
    this.ackEvery = ackElicitingThreshold;
  }

  get maxAckDelayMs(): number {
    return this.ackDelayMs;
  }

  /** Pending ack-eliciting packets that make an ACK due. */
  get ackElicitingThreshold(): number {
    return this.ackEvery;
  }

  /** Packets recorded so far (duplicates excluded). */
  get received(): number {
    return this.receivedCount;
  }

  /**
   * Applies the peer's ACK_FREQUENCY unless one with a higher sequence number came first (frames
   * can arrive out of order or twice). The delay is raised to the timer granularity, the finest
   * this side can keep (the draft's min_ack_delay, fixed here as there are no transport parameters).
   */
  applyFrequency(r: AckFrequencyRequest): void {
    if (r.seq <= this.lastRequestSeq) return;
    this.lastRequestSeq = r.seq;
    this.ackEvery = Math.min(r.ackElicitingThreshold, MAX_REQUESTED_COUNT) + 1;
    this.ackDelayMs = Math.max(r.maxAckDelayMs, TIMER_GRANULARITY_MS);
    this.reorderThreshold = Math.min(r.reorderThreshold, MAX_REQUESTED_COUNT);
  }

  /** True when the pn was already received, or is below the floor of what is still remembered. */
  isDuplicate(pn: number): boolean {
    return pn < this.floorPn || this.indexContaining(pn) >= 0;
  }

  /** Records an authenticated packet; false when it is a duplicate (the caller drops it). */
  onPacketReceived(pn: number, ackEliciting: boolean, now: number, ackAtOnce = false): boolean {
    if (!Number.isSafeInteger(pn) || this.isDuplicate(pn)) return false;
    this.insert(pn);
    this.lastInOrder = this.cameInOrder(pn);
    this.receivedCount++;
    this.newSinceAck = true;
    if (pn > this.largestPn) {
      this.largestPn = pn;
      this.largestAt = now;
    }
    if (ackEliciting) {
      // Reordering is acked at once (as far as the sender asked) so its loss detection sees it early.
      if (ackAtOnce || this.reorderDue(pn)) this.immediate = true;
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
    if (this.immediate || this.elicitingPending >= this.ackEvery) return this.firstPendingAt;
    return this.firstPendingAt + this.ackDelayMs;
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

  /**
   * The latest packet arrived after the IN_ORDER_PREDECESSORS packets sent before it. One that
   * overtook them (a path that lets some packets skip its delay) took a shorter way than the
   * path's, so the RTT sample of the ACK it carries must not lower a min RTT.
   */
  get arrivedInOrder(): boolean {
    return this.lastInOrder;
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
    this.largestAckedSent = this.largestPn;
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

  /**
   * Whether the ack-eliciting packet `pn` (just inserted) makes an ACK due for reordering
   * (draft-ietf-quic-ack-frequency §6.2). With a threshold N > 1, only when the sender can act
   * on it: a missing packet the last ACK did not already show as lost is now N below the
   * largest received, so the sender's packet threshold N declares it lost; or `pn` itself is
   * one the sender has already declared lost, so the ACK lets it see the loss was spurious.
   */
  private reorderDue(pn: number): boolean {
    const n = this.reorderThreshold;
    if (n === 0) return false;
    if (n === 1) return pn < this.largestElicitingPn || this.gapBelow(pn);
    const largestUnacked = Math.max(this.largestElicitingPn, pn);
    if (this.largestAckedSent >= 0 && pn <= this.largestAckedSent - n) return true;
    const missing = this.smallestMissingFrom(this.largestAckedSent - n + 1);
    return missing < largestUnacked && largestUnacked - missing >= n;
  }

  /** The smallest pn >= from (and >= the floor) not received. */
  private smallestMissingFrom(from: number): number {
    const lo = Math.max(from, this.floorPn);
    const i = this.indexContaining(lo);
    return i < 0 ? lo : this.ranges[i]!.end + 1;
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

  /** pn, just inserted, is the largest and its range reaches back IN_ORDER_PREDECESSORS (or to the floor). */
  private cameInOrder(pn: number): boolean {
    const last = this.ranges[this.ranges.length - 1]!;
    return pn === last.end && last.start <= Math.max(pn - IN_ORDER_PREDECESSORS, this.floorPn);
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
