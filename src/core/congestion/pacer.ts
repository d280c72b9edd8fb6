// Token-bucket pacer: spreads a window's worth of packets over the round trip instead of
// sending them back to back (RFC 9002 §7.7).
//
// Tokens are bytes, refilled continuously at the rate; the bucket holds at most a burst of
// `burstPackets` datagrams, which is also what may leave at once after an idle period.
// Timers in the io layer have ~1 ms granularity and fire late; that costs nothing as long as
// one timer period's worth of tokens fits in the bucket. Above ~burstPackets·mds per ms
// (14 MB/s with the defaults) the bucket overflows between timer ticks unless sends are
// clocked by incoming ACKs; `minBurstMs` lets the caller size the bucket to that many ms of
// the rate instead.

export const DEFAULT_BURST_PACKETS = 10;
/**
 * What the connection uses for `minBurstMs`: Node's 1 ms timers fire 1.1-1.5 ms apart on a busy
 * host, so a 10-packet bucket overflowed on every tick above ~60 Mbit/s and a 100 Mbit/s link
 * (linkem, 50 ms) ran at ~84 Mbit/s against ~88 with this (three runs each). Bursts stay at
 * 10 packets up to 56 Mbit/s and hold 2 ms of the rate above, as quinn's pacer does; a 2 ms
 * burst is 4 % of a 50 ms queue. Not in slow start: its pacing rate (2.9 x the estimate, or the
 * initial window over the handshake RTT) says little about the path, and on a 10 Mbit/s x 10 ms
 * path 2 ms of it overflowed the 12-packet queue, which STARTUP's losses then taught the
 * background-loss estimate (simulator: retransmissions 2.8 -> 6.7 % at 2 % loss).
 */
export const CONNECTION_MIN_BURST_MS = 2;
/**
 * What the connection uses for `catchUpMs` outside slow start: credit lost to a late wake-up
 * (a timer that fired late, a GC pause, a stolen CPU) is owed for up to this long and paid
 * back at up to CATCH_UP_GAIN x the rate, so the rate over a few ms is what the controller
 * asked for while bursts stay at the bucket size. Idle time (nothing to send, or the window
 * full) owes nothing.
 */
export const CONNECTION_CATCH_UP_MS = 8;
/** Debt is paid back at this fraction of the rate on top of it (1.5 x the rate at most). */
export const CATCH_UP_GAIN = 0.5;
/** Float slack so that waiting exactly timeUntilSend() always suffices. */
const EPSILON_BYTES = 1e-6;

export interface PacerOptions {
  /** Largest burst in datagrams (default 10). */
  burstPackets?: number;
  /** When set, the bucket holds at least this many ms of the current rate (default 0: off). */
  minBurstMs?: number;
  /** Credit lost to late wake-ups is owed up to this many ms of the rate (default 0: off). */
  catchUpMs?: number;
}

export class Pacer {
  /** Bytes per second; 0 means unpaced. */
  private rate = 0;
  private tokens: number;
  private lastRefill: number | null = null;
  private readonly burstPackets: number;
  private minBurstMs: number;
  private catchUpMs: number;
  /** Bytes of credit that overflowed the bucket while we were due to send, not yet paid back. */
  private debt = 0;
  /** The sender had nothing to send (or no window) when it last asked: that time owes nothing. */
  private resting = false;

  constructor(
    private maxDatagramSize: number,
    opts: PacerOptions = {},
  ) {
    this.burstPackets = opts.burstPackets ?? DEFAULT_BURST_PACKETS;
    this.minBurstMs = opts.minBurstMs ?? 0;
    this.catchUpMs = opts.catchUpMs ?? 0;
    this.tokens = this.capacity();
  }

  /** Path MTU discovery changed the datagram size: the bucket holds as many packets as before. */
  setDatagramSize(size: number): void {
    this.maxDatagramSize = size;
  }

  /** Bucket size in bytes. */
  capacity(): number {
    return Math.max(this.burstPackets * this.maxDatagramSize, (this.rate * this.minBurstMs) / 1000);
  }

  /** Changes `minBurstMs` (takes effect with the next setRate). */
  setMinBurstMs(ms: number): void {
    this.minBurstMs = ms;
  }

  /** Changes `catchUpMs` (0 forgets any debt). */
  setCatchUpMs(ms: number): void {
    this.catchUpMs = ms;
    if (ms <= 0) this.debt = 0;
  }

  /** Credit owed (bytes), for tests and stats. */
  get owed(): number {
    return this.debt;
  }

  /**
   * The sender has nothing to send or no window: from now until it next asks, time is idle,
   * and what it would have earned is not owed (after idle, the bucket's burst is all it gets).
   */
  rest(now: number): void {
    this.refill(now);
    this.resting = true;
  }

  get bytesPerSec(): number {
    return this.rate;
  }

  /** A rate that is not a positive finite number switches pacing off. */
  setRate(bytesPerSec: number, now: number): void {
    this.refill(now);
    this.rate = bytesPerSec > 0 && Number.isFinite(bytesPerSec) ? bytesPerSec : 0;
    this.tokens = Math.min(this.tokens, this.capacity());
    this.debt = Math.min(this.debt, this.maxDebt());
  }

  private maxDebt(): number {
    return (this.rate * this.catchUpMs) / 1000;
  }

  /** 0 when `bytes` may go now, else how many ms to wait (> 0). */
  timeUntilSend(now: number, bytes: number): number {
    if (this.rate === 0) return 0;
    this.refill(now);
    this.resting = false;
    // A datagram larger than the bucket must still be able to go once the bucket is full.
    const need = Math.min(bytes, this.capacity());
    const deficit = need - this.tokens;
    if (deficit <= EPSILON_BYTES) return 0;
    // While the debt lasts tokens come at (1 + gain) x the rate; once it is paid, at the rate.
    if (this.debt >= (CATCH_UP_GAIN * deficit) / (1 + CATCH_UP_GAIN)) return (deficit * 1000) / ((1 + CATCH_UP_GAIN) * this.rate);
    return ((deficit - this.debt) * 1000) / this.rate;
  }

  /** Charges a sent datagram; tokens may go negative if the caller sent anyway (e.g. a probe). */
  onSend(now: number, bytes: number): void {
    this.refill(now);
    if (this.rate === 0) return;
    this.tokens -= bytes;
  }

  private refill(now: number): void {
    const last = this.lastRefill;
    this.lastRefill = last === null ? now : Math.max(last, now);
    if (last === null || now <= last || this.rate === 0) {
      // Unpaced time still fills the bucket, so pacing resumes with a full burst.
      if (this.rate === 0) this.tokens = this.capacity();
      return;
    }
    const earned = ((now - last) * this.rate) / 1000;
    // Paying back: up to CATCH_UP_GAIN x what the interval earned, on top of it.
    const repay = Math.min(this.debt, CATCH_UP_GAIN * earned);
    this.debt -= repay;
    const cap = this.capacity();
    const tokens = this.tokens + earned + repay;
    if (tokens > cap && !this.resting) this.debt = Math.min(this.maxDebt(), this.debt + tokens - cap);
    this.tokens = Math.min(cap, tokens);
  }
}
