// The data sender's side of ACK_FREQUENCY (draft-ietf-quic-ack-frequency §7-9; recovery README,
// "ACK frequency"): how often to ask the receiver to acknowledge, when to tell it, and which max
// ack delay the probe timeout must then assume.
import { DEFAULT_MAX_ACK_DELAY_MS, TIMER_GRANULARITY_MS } from './rtt.js';
import { PACKET_THRESHOLD } from './sent-packets.js';
import type { AckFrequencyFrame } from '../wire/frames/ack-frequency.js';

/**
 * ACKs asked for per congestion window. BBR's window is about two BDPs, so this is an ACK per
 * eighth of a round: the window keeps growing, delivery-rate samples keep coming, and a burst of
 * four lost ACKs (linkem's --ge) leaves half a round without feedback, not a whole one. Few
 * enough that on a return path a hundredth of the forward rate the ACKs take a tenth of it
 * instead of overflowing its queue.
 */
export const ACKS_PER_WINDOW = 16;
/** RFC 9000's own rule, every second packet: where small windows stay. */
export const MIN_ACK_EVERY = 2;
/**
 * At most one ACK per this many packets (times the backoff): beyond it an ACK covers so much
 * that a lost one stalls the window, and the receiver's 64 ranges per ACK must cover every gap.
 */
export const MAX_ACK_EVERY = 64;
/**
 * The max ack delay asked for is this fraction of the smoothed RTT: an ACK per eighth of a round
 * at any rate, also when the window is smaller than the spacing asked for a moment ago (BBR's
 * PROBE_RTT round ends with the ACK of its last packet).
 */
export const DELAY_RTT_FRACTION = 1 / 8;
/** A new request goes out only when the packet count or the delay moved by this factor. */
const CHANGE_FACTOR = 1.5;
/** Backoff multiplies ACKS_PER_WINDOW's spacing up to this: four ACKs per window at the least. */
export const MAX_BACKOFF = 4;
/**
 * A window of the peer's packets that lost this fraction or more, while a queue stands and the
 * forward path lost less than half as much, backs off.
 */
const CONGESTED_LOSS_FRACTION = 1 / 8;
const RETURN_LOSS_EXCESS = 2;
/**
 * Smoothed RTTs without a congested window before the backoff halves: a full return path shows
 * again within a few rounds, and with ACKs this sparse a window of the peer's packet numbers can
 * take many rounds to fill, so recovery goes by time.
 */
export const RELAX_AFTER_RTTS = 8;

export interface AckFrequencyInputs {
  cwndBytes: number;
  datagramSize: number;
  srttMs: number;
  /** Slow start (BBR: STARTUP): see target(). */
  slowStart: boolean;
}

/** What the receiver is asked for, in this side's units. */
export interface AckFrequencyTarget {
  /** An ACK is due once this many ack-eliciting packets are unacknowledged. */
  ackEvery: number;
  maxAckDelayMs: number;
  reorderThreshold: number;
}

/** A finished window of the peer's packet numbers (ReturnPathWatch). */
export interface ReturnPathSample {
  span: number;
  lost: number;
  /** The RTT stands well above its minimum: a queue somewhere, maybe the return path's. */
  queueing: boolean;
  /** Fraction of this side's data packets declared lost over the same time. */
  forwardLoss: number;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function ratio(a: number, b: number): number {
  return Math.max(a, b) / Math.min(a, b);
}

export class AckFrequencyPolicy {
  private reorder = PACKET_THRESHOLD;
  private backoff = 1;
  private lastCongestedAt = -Infinity;
  private nextSeq = 0;
  private last: AckFrequencyTarget | null = null;
  private lastAt = -Infinity;
  private resendOwed = false;
  /** Requests sent and neither acknowledged nor lost: seq -> max ack delay (ms). */
  private readonly inFlight = new Map<number, number>();
  private appliedSeq = -1;
  private appliedDelayMs = DEFAULT_MAX_ACK_DELAY_MS;

  /**
   * The packet threshold loss detection uses now. The receiver acks at once only for reordering
   * of at least this many packets (draft §9): any less and the ACK cannot make us declare a loss,
   * any more and it comes after we could have.
   */
  setReorderThreshold(packets: number): void {
    this.reorder = Math.max(0, Math.round(packets));
  }

  get reorderThreshold(): number {
    return this.reorder;
  }

  /** The ACK-spacing multiplier for a congested return path (1, 2 or 4). */
  get backoffFactor(): number {
    return this.backoff;
  }

  /**
   * Slow start (BBR: STARTUP) keeps RFC 9000's every 2nd packet (draft §8.1.1): the window grows
   * per ACK, STARTUP reads the bottleneck rate off the spacing of the first flight's ACKs
   * (congestion/startup-train.ts), and flows that start together leave STARTUP with estimates
   * that thinner ACKs made uneven, which a long path takes many seconds to even out.
   */
  target(i: AckFrequencyInputs): AckFrequencyTarget {
    const windowPackets = i.slowStart ? 0 : i.cwndBytes / i.datagramSize;
    const every = Math.floor((windowPackets * this.backoff) / ACKS_PER_WINDOW);
    const delay = i.srttMs * DELAY_RTT_FRACTION * this.backoff;
    return {
      ackEvery: clamp(every, MIN_ACK_EVERY, MAX_ACK_EVERY * this.backoff),
      // Never above the default: the PTO then never has to wait for a longer delay than RFC 9000's.
      maxAckDelayMs: clamp(delay, TIMER_GRANULARITY_MS, DEFAULT_MAX_ACK_DELAY_MS),
      reorderThreshold: this.reorder,
    };
  }

  /**
   * The request to send now, or null: the first one, one that replaces a lost latest request,
   * one for more ACKs than asked (a window that shrank below the spacing, as in BBR's PROBE_RTT,
   * would otherwise wait out the max ack delay every round), or a material change the other way
   * at most once per smoothed RTT (draft §8.1: not on every ACK).
   */
  poll(now: number, i: AckFrequencyInputs): AckFrequencyFrame | null {
    this.relax(now, i.srttMs);
    const want = this.target(i);
    if (!this.resendOwed && !this.differs(want)) return null;
    if (!this.resendOwed && !this.asksMore(want) && now - this.lastAt < i.srttMs) return null;
    const seq = this.nextSeq++;
    const micros = Math.round(want.maxAckDelayMs * 1000);
    this.inFlight.set(seq, micros / 1000);
    this.last = want;
    this.lastAt = now;
    this.resendOwed = false;
    return {
      type: 'ack_frequency',
      seq,
      ackElicitingThreshold: want.ackEvery - 1,
      requestedMaxAckDelayMicros: micros,
      reorderThreshold: want.reorderThreshold,
    };
  }

  private asksMore(want: AckFrequencyTarget): boolean {
    const last = this.last;
    return last !== null && (want.ackEvery < last.ackEvery || want.maxAckDelayMs < last.maxAckDelayMs);
  }

  private differs(want: AckFrequencyTarget): boolean {
    const last = this.last;
    if (last === null) return true;
    if (want.reorderThreshold !== last.reorderThreshold) return true;
    return ratio(want.ackEvery, last.ackEvery) >= CHANGE_FACTOR || ratio(want.maxAckDelayMs, last.maxAckDelayMs) >= CHANGE_FACTOR;
  }

  /**
   * The peer has the request: its delay is the one in force, unless a later request got there
   * first. Older requests still in flight are ignored by the receiver, so they no longer count.
   */
  onAcked(seq: number): void {
    const delay = this.inFlight.get(seq);
    if (delay === undefined || seq < this.appliedSeq) return;
    this.appliedSeq = seq;
    this.appliedDelayMs = delay;
    for (const s of this.inFlight.keys()) if (s <= seq) this.inFlight.delete(s);
  }

  /** A lost request is sent again, as a new one, unless a later one is already out (draft §4). */
  onLost(seq: number): void {
    if (!this.inFlight.delete(seq)) return;
    if (seq === this.nextSeq - 1) this.resendOwed = true;
  }

  /**
   * The max ack delay for the probe timeout (draft §7): the one in force, or a larger one still
   * in flight, since until the request arrives the receiver may wait that long.
   */
  ptoMaxAckDelayMs(): number {
    let d = this.appliedDelayMs;
    for (const v of this.inFlight.values()) d = Math.max(d, v);
    return d;
  }

  /**
   * ACKs lost on the way back while a queue stands mean the return path is full: ask for half as
   * many. Random loss of ACKs alone does not (a later ACK repeats what a lost one said), nor
   * loss the forward path suffers as much of (a lossy path, not a full way back). Each
   * RELAX_AFTER_RTTS without another undoes one step (relax()).
   */
  onReturnPath(s: ReturnPathSample, now: number): void {
    const fraction = s.lost / s.span;
    if (!s.queueing || fraction < CONGESTED_LOSS_FRACTION || fraction < RETURN_LOSS_EXCESS * s.forwardLoss) return;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
    this.lastCongestedAt = now;
  }

  private relax(now: number, srttMs: number): void {
    if (this.backoff === 1 || now - this.lastCongestedAt < RELAX_AFTER_RTTS * srttMs) return;
    this.backoff /= 2;
    this.lastCongestedAt = now;
  }
}
