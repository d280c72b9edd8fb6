// Sender-side record of packets awaiting acknowledgement, and loss detection (RFC 9002 §6.1).
//
// INVARIANT: a packet is tracked iff its bytes are counted in bytesInFlight. bytesInFlight
// therefore always equals the sum of `size` over tracked packets. ACK-only packets
// (inFlight = false) are not tracked at all: they are never retransmitted, never count against
// the window, and their loss needs no reaction. Every way out of the tracker (ACK, loss,
// dropStream) goes through the single `release()`, which empties the slot as it subtracts the
// bytes, so no packet can be released twice.
//
// RULE (guaranteed by the Connection): a packet carries STREAM frames of at most one stream,
// named by `streamId` (null = control frames only). That is what lets dropStream take a
// packet out whole when its stream is reset: no other stream's data rides along. The control
// frames that may share the packet are handed back so the caller can queue them again.
//
// No re-insertion: packet numbers must strictly increase across onPacketSent (retransmitted
// frames always go in new packets), so a released pn can never come back. onPacketSent also
// refuses packets of a stream that was dropped: a retransmission built before dropStream but
// registered after it is not counted (the caller re-queues its control frames, exactly as if it
// had been sent before the drop and dropped with the rest).
//
// Storage: packets sit in pn order in an array; released entries become null holes ("tombstones")
// so indices stay valid during an operation. Holes at the front are trimmed and runs of holes
// in the middle are collapsed, so an ACK costs O(log n + packets it releases) in practice.
import { lowerBound } from './lower-bound.js';
import { TIMER_GRANULARITY_MS, type RttEstimator } from './rtt.js';
import { DeliveryRateEstimator, type DeliveryStamp, type RateSample } from './delivery-rate.js';
import { isPersistentCongestion } from './pto.js';
import { LostHistory, type LostRecord } from './lost-history.js';
import { IN_ORDER_PREDECESSORS, ReorderTolerance } from './reorder.js';

export { PACKET_THRESHOLD } from './reorder.js';

/** What the Connection reports when it sends a packet. */
export interface SentPacketInit<F> {
  pn: number;
  timeSent: number;
  /** Bytes on the wire; what counts in flight. */
  size: number;
  ackEliciting: boolean;
  /** False only for ACK-only packets, which are then not tracked (ack-eliciting implies in flight). */
  inFlight: boolean;
  /** The one stream whose STREAM frames this packet carries; null = control frames only. */
  streamId: number | null;
  /** What to retransmit if the packet is lost; opaque here. */
  frames: F[];
}

/** A tracked packet: what was sent plus the delivery state stamped at send time. */
export interface SentPacket<F> extends SentPacketInit<F>, DeliveryStamp {}

export interface AckRange {
  start: number;
  end: number;
}

export interface AckResult<F> {
  /** Tracked packets this ACK released, in pn order. */
  newlyAcked: SentPacket<F>[];
  /** Packets declared lost as a consequence, in pn order. */
  lost: SentPacket<F>[];
  /** Packets declared lost earlier that this ACK shows arrived after all (spurious losses). */
  spurious: LostRecord<SentPacket<F>>[];
  /** The ACK raised the largest acknowledged packet number. */
  largestAckedNewly: boolean;
  /**
   * The newest packet it acknowledged overtook one of the IN_ORDER_PREDECESSORS sent before it
   * (still unacknowledged): its RTT sample is shorter than the path's (a skipped delay line).
   */
  overtook: boolean;
  /** The losses amount to persistent congestion (RFC 9002 §7.6). */
  persistentCongestion: boolean;
  rateSample: RateSample | null;
}

export interface LossResult<F> {
  lost: SentPacket<F>[];
  persistentCongestion: boolean;
}

export interface DropResult<F> {
  releasedBytes: number;
  packets: SentPacket<F>[];
}

/** Front holes beyond this many are sliced off (amortised O(1)). */
const TRIM_AT = 1024;
/**
 * A packet declared lost is remembered this many RTTs (at least LOST_MEMORY_MIN_MS), so that
 * its late arrival can still show the loss was spurious; later than that it counts as lost.
 */
const LOST_MEMORY_RTTS = 4;
const LOST_MEMORY_MIN_MS = 100;

export class SentPacketTracker<F> {
  /** pns[i] stays set after slots[i] is emptied, so binary search keeps working. */
  private pns: number[] = [];
  private slots: (SentPacket<F> | null)[] = [];
  private head = 0;
  private live = 0;
  private holes = 0;
  private inFlightBytes = 0;
  private elicitingInFlight = 0;
  private readonly perStream = new Map<number, number>();
  private readonly dropped = new Set<number>();
  private largestSentPn = -1;
  private largestAckedPn: number | null = null;
  private lastElicitingAt: number | null = null;
  private lossDelayMs: number | null = null;
  private readonly rate = new DeliveryRateEstimator();
  private readonly lostHistory = new LostHistory<SentPacket<F>>();
  /** How much reordering loss detection tolerates; learned from late and spurious packets. */
  readonly reorder = new ReorderTolerance();

  get bytesInFlight(): number {
    return this.inFlightBytes;
  }

  get ackElicitingInFlight(): number {
    return this.elicitingInFlight;
  }

  /** Number of tracked packets. */
  get size(): number {
    return this.live;
  }

  /** Total bytes acknowledged so far (delivery-rate bookkeeping). */
  get delivered(): number {
    return this.rate.delivered;
  }

  /**
   * Registers a sent packet. Returns true when it is now tracked (and its bytes in flight);
   * false for ACK-only packets and for packets of a dropped stream. Throws on a packet number
   * that does not increase: that would be a Connection bug and could resurrect a released pn.
   */
  onPacketSent(p: SentPacketInit<F>): boolean {
    if (!Number.isSafeInteger(p.pn) || p.pn <= this.largestSentPn) {
      throw new RangeError(`packet number ${p.pn} does not increase (largest sent ${this.largestSentPn})`);
    }
    if (p.ackEliciting && !p.inFlight) throw new RangeError('an ack-eliciting packet is always in flight');
    if (!(p.size >= 0) || !Number.isFinite(p.size)) throw new RangeError(`bad packet size ${p.size}`);
    this.largestSentPn = p.pn;
    if (!p.inFlight) return false;
    if (p.streamId !== null && this.dropped.has(p.streamId)) return false;
    const stamp = this.rate.stamp(p.timeSent, this.inFlightBytes);
    const rec: SentPacket<F> = {
      pn: p.pn,
      timeSent: p.timeSent,
      size: p.size,
      ackEliciting: p.ackEliciting,
      inFlight: true,
      streamId: p.streamId,
      frames: p.frames,
      ...stamp,
    };
    this.pns.push(p.pn);
    this.slots.push(rec);
    this.live++;
    this.inFlightBytes += rec.size;
    if (rec.ackEliciting) {
      this.elicitingInFlight++;
      this.lastElicitingAt = rec.timeSent;
    }
    if (rec.streamId !== null) this.perStream.set(rec.streamId, (this.perStream.get(rec.streamId) ?? 0) + 1);
    return true;
  }

  /**
   * Processes an ACK frame's ranges (any order, inclusive). Packet numbers never sent are
   * ignored; the Connection should treat an ACK above largestSent() as a protocol violation.
   * Takes an RTT sample when the frame's largest pn is newly acknowledged and something
   * ack-eliciting was among the newly acknowledged, then runs loss detection.
   */
  onAckReceived(ranges: readonly AckRange[], ackDelayMs: number, now: number, rtt: RttEstimator): AckResult<F> {
    const newlyAcked: SentPacket<F>[] = [];
    let frameLargest = -1;
    for (const r of ranges) frameLargest = Math.max(frameLargest, r.end);
    frameLargest = Math.min(frameLargest, this.largestSentPn);
    const prevLargest = this.largestAckedPn ?? -1;
    const found: LostRecord<SentPacket<F>>[] = [];
    for (const r of ascending(ranges)) {
      const start = Math.max(r.start, 0);
      const end = Math.min(r.end, this.largestSentPn);
      this.ackRange(start, end, newlyAcked);
      if (this.lostHistory.size > 0 && end >= start) this.lostHistory.takeRange(start, end, found);
    }
    const largestAckedNewly = frameLargest > prevLargest;
    if (largestAckedNewly) this.largestAckedPn = frameLargest;
    this.maybeSampleRtt(newlyAcked, frameLargest, prevLargest, ackDelayMs, now, rtt);
    this.learnReordering(newlyAcked, found, prevLargest, now, rtt);
    const rateSample = this.rate.onAck(newlyAcked, now, rtt.hasSample ? rtt.min : null);
    const overtook = this.overtook(newlyAcked[newlyAcked.length - 1]);
    const loss = this.detect(now, rtt);
    this.compact();
    return { newlyAcked, lost: loss.lost, spurious: found, largestAckedNewly, overtook, persistentCongestion: loss.persistentCongestion, rateSample };
  }

  /**
   * A packet acknowledged below the previous largest acked arrived after a later-sent one; a
   * packet found among the declared lost arrived after we gave up on it. Either shows how much
   * reordering the path does, in packets and in time beyond the RTT.
   */
  private learnReordering(
    acked: readonly SentPacket<F>[],
    found: readonly LostRecord<SentPacket<F>>[],
    prevLargest: number,
    now: number,
    rtt: RttEstimator,
  ): void {
    const rttRef = Math.max(rtt.latest, rtt.smoothed);
    const late = (timeSent: number): number => Math.max(0, now - timeSent - rttRef - rtt.latestAckDelay);
    // Acked packets are in pn order: the first one was overtaken the furthest.
    const first = acked[0];
    if (first !== undefined && first.pn < prevLargest) {
      this.reorder.onReordering(prevLargest - first.pn, late(first.timeSent), rtt);
    }
    for (const byTime of [false, true]) {
      let distance = -1;
      let oldest = Infinity;
      for (const r of found) {
        if (r.byTime !== byTime) continue;
        distance = Math.max(distance, r.largestAckedAtLoss - r.pn);
        oldest = Math.min(oldest, r.packet.timeSent);
      }
      if (distance >= 0) this.reorder.onSpuriousLoss(distance, late(oldest), byTime, now, rtt);
    }
  }

  /** Loss detection on its own (when the loss timer fires). */
  detectLosses(now: number, rtt: RttEstimator): SentPacket<F>[] {
    return this.detectLossesWithInfo(now, rtt).lost;
  }

  detectLossesWithInfo(now: number, rtt: RttEstimator): LossResult<F> {
    const r = this.detect(now, rtt);
    this.compact();
    return r;
  }

  /** When the oldest packet below the largest acked would pass the time threshold; null if none. */
  lossTime(): number | null {
    const la = this.largestAckedPn;
    if (la === null || this.lossDelayMs === null) return null;
    let earliest: number | null = null;
    for (let i = this.head; i < this.slots.length && this.pns[i]! < la; i++) {
      const p = this.slots[i];
      if (p && (earliest === null || p.timeSent < earliest)) earliest = p.timeSent;
    }
    return earliest === null ? null : earliest + this.lossDelayMs;
  }

  /**
   * Takes every tracked packet of `streamId` out at once (the stream was reset): its bytes
   * leave flight now, and later ACKs or losses for those pns find nothing to release. The
   * stream is remembered so that later onPacketSent calls for it are refused. Unknown or
   * finished streams release nothing. Control packets are never touched.
   */
  dropStream(streamId: number): DropResult<F> {
    this.dropped.add(streamId);
    let remaining = this.perStream.get(streamId) ?? 0;
    const packets: SentPacket<F>[] = [];
    let releasedBytes = 0;
    for (let i = this.head; i < this.slots.length && remaining > 0; i++) {
      if (this.slots[i]?.streamId !== streamId) continue;
      const p = this.release(i);
      packets.push(p);
      releasedBytes += p.size;
      remaining--;
    }
    this.compact();
    return { releasedBytes, packets };
  }

  isStreamDropped(streamId: number): boolean {
    return this.dropped.has(streamId);
  }

  has(pn: number): boolean {
    const i = this.lowerBound(pn);
    return i < this.slots.length && this.pns[i] === pn && this.slots[i] !== null;
  }

  get(pn: number): SentPacket<F> | undefined {
    const i = this.lowerBound(pn);
    return i < this.slots.length && this.pns[i] === pn ? (this.slots[i] ?? undefined) : undefined;
  }

  oldestUnacked(): SentPacket<F> | undefined {
    for (let i = this.head; i < this.slots.length; i++) {
      const p = this.slots[i];
      if (p) return p;
    }
    return undefined;
  }

  /** Tracked packets in pn order (e.g. to pick frames for PTO probes). Do not mutate while iterating. */
  *packets(): IterableIterator<SentPacket<F>> {
    for (let i = this.head; i < this.slots.length; i++) {
      const p = this.slots[i];
      if (p) yield p;
    }
  }

  largestAcked(): number | null {
    return this.largestAckedPn;
  }

  /** Largest pn ever passed to onPacketSent (tracked or not); -1 before the first. */
  largestSent(): number {
    return this.largestSentPn;
  }

  /** Send time of the latest ack-eliciting packet, the base of the PTO; null before any. */
  lastAckElicitingSentTime(): number | null {
    return this.lastElicitingAt;
  }

  /** The sender had nothing to send though the window allowed it (marks rate samples). */
  onAppLimited(): void {
    this.rate.onAppLimited(this.inFlightBytes);
  }

  private ackRange(start: number, end: number, out: SentPacket<F>[]): void {
    if (end < start) return;
    for (let i = this.lowerBound(start); i < this.slots.length && this.pns[i]! <= end; i++) {
      if (this.slots[i]) out.push(this.release(i));
    }
  }

  /** One of the IN_ORDER_PREDECESSORS tracked before `p` is still in flight (before loss detection). */
  private overtook(p: SentPacket<F> | undefined): boolean {
    if (p === undefined) return false;
    const i = this.lowerBound(p.pn);
    for (let j = i - 1; j >= Math.max(this.head, i - IN_ORDER_PREDECESSORS); j--) if (this.slots[j]) return true;
    return false;
  }

  private maybeSampleRtt(
    acked: readonly SentPacket<F>[],
    frameLargest: number,
    prevLargest: number,
    ackDelayMs: number,
    now: number,
    rtt: RttEstimator,
  ): void {
    const last = acked[acked.length - 1];
    if (last === undefined || !acked.some((p) => p.ackEliciting)) return;
    // RFC 9002 §5.1 wants the frame's largest pn. When that one is untracked (an ACK-only
    // packet, or a dropped one) but the ACK moved forward, our newest newly acked packet is the
    // best available; without this fallback a side that mostly sends ACKs would never sample.
    if (last.pn === frameLargest || (frameLargest > prevLargest && last.pn > prevLargest)) {
      rtt.update(now - last.timeSent, ackDelayMs, now);
    }
  }

  private detect(now: number, rtt: RttEstimator): LossResult<F> {
    const rttRef = Math.max(rtt.latest, rtt.smoothed);
    const lossDelay = Math.max(rttRef + this.reorder.windowMs(rtt), TIMER_GRANULARITY_MS);
    this.lossDelayMs = lossDelay;
    this.lostHistory.expire(now - Math.max(LOST_MEMORY_RTTS * rttRef, LOST_MEMORY_MIN_MS));
    const la = this.largestAckedPn;
    if (la === null) return { lost: [], persistentCongestion: false };
    const threshold = this.reorder.packetThreshold;
    const lost: SentPacket<F>[] = [];
    const lostAt: number[] = [];
    // Only packets below the largest acked can be lost, and a pass ends at the first one that
    // is neither old enough nor far enough behind (later ones are younger and nearer), so
    // this loop is short.
    for (let i = this.head; i < this.slots.length && this.pns[i]! < la; i++) {
      const p = this.slots[i];
      if (!p) continue;
      // Same sum as lossTime(): a difference could round just below it and never fire.
      const byTime = p.timeSent + lossDelay <= now;
      if (!byTime && la < p.pn + threshold) break;
      lost.push(this.release(i));
      lostAt.push(i);
      this.lostHistory.add(p, p.pn, now, la, byTime);
    }
    if (lost.length > 0) this.reorder.onLossDetected(now, rtt);
    // Neighbouring lost packets with anything between them in the array (acked, dropped, lost
    // earlier) do not form one span. Conservative: spans never cross detection passes.
    if (lost.length < 2) return { lost, persistentCongestion: false };
    const slotOf = new Map<number, number>(lost.map((p, k) => [p.pn, lostAt[k]!]));
    const interrupted = (a: number, b: number): boolean => slotOf.get(b)! !== slotOf.get(a)! + 1;
    return { lost, persistentCongestion: isPersistentCongestion(lost, rtt, interrupted) };
  }

  /** The only place a packet leaves the tracker. */
  private release(i: number): SentPacket<F> {
    const p = this.slots[i]!;
    this.slots[i] = null;
    this.live--;
    this.holes++;
    this.inFlightBytes -= p.size;
    if (p.ackEliciting) this.elicitingInFlight--;
    if (p.streamId !== null) {
      const n = (this.perStream.get(p.streamId) ?? 1) - 1;
      if (n === 0) this.perStream.delete(p.streamId);
      else this.perStream.set(p.streamId, n);
    }
    return p;
  }

  private lowerBound(pn: number): number {
    return lowerBound(this.pns, this.head, pn);
  }


  private compact(): void {
    while (this.head < this.slots.length && this.slots[this.head] === null) {
      this.head++;
      this.holes--;
    }
    if (this.live === 0) {
      this.pns = [];
      this.slots = [];
      this.head = 0;
      this.holes = 0;
      return;
    }
    if (this.holes > TRIM_AT && this.holes > this.live) this.collapseHoles();
    else if (this.head > TRIM_AT && this.head * 2 > this.slots.length) {
      this.pns = this.pns.slice(this.head);
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Rebuilds the arrays keeping one hole per run of holes: loss detection reads "a hole between
   * two packets" as "something got through in between", so runs may shrink but not vanish.
   */
  private collapseHoles(): void {
    const pns: number[] = [];
    const slots: (SentPacket<F> | null)[] = [];
    let holes = 0;
    for (let i = this.head; i < this.slots.length; i++) {
      const p = this.slots[i] ?? null;
      if (p === null && slots.length > 0 && slots[slots.length - 1] === null) continue;
      if (p === null) holes++;
      pns.push(this.pns[i]!);
      slots.push(p);
    }
    this.pns = pns;
    this.slots = slots;
    this.head = 0;
    this.holes = holes;
  }
}

function ascending(ranges: readonly AckRange[]): readonly AckRange[] {
  let asc = true;
  let desc = true;
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i - 1]!.start > ranges[i]!.start) asc = false;
    else desc = false;
  }
  if (asc) return ranges;
  // ACK frames list ranges newest first, so this is the usual case.
  if (desc) return [...ranges].reverse();
  return [...ranges].sort((a, b) => a.start - b.start);
}
