// Datagram packetization layer path MTU discovery (DPLPMTUD, RFC 8899, as QUIC uses it in
// RFC 9000 §14.3): the sender starts at a size every path carries, probes larger sizes with
// padded PING packets whose loss is not a congestion signal, and uses the largest size the peer
// acknowledged. A black hole (full-size packets vanish while small ones arrive) sends it back to
// the base size and the search starts over.
import type { Millis } from '../api.js';

/** RFC 9000 §14: every path carries a 1200-byte UDP payload (QUIC's BASE_PLPMTU). */
export const BASE_DATAGRAM = 1200;
/** RFC 8899 MAX_PROBES: a size counts as too large after this many lost probes of it. */
export const MAX_PROBES = 3;
/** The search stops once the gap between carried and failed sizes is this small. */
const SEARCH_PRECISION = 20;
/** RFC 8899 PMTU_RAISE_TIMER: after a search that ended below the cap, try the cap again. */
export const RAISE_AFTER_MS = 600_000;
/**
 * Full-size packets lost, with none of that size acknowledged since, before a small packet's
 * acknowledgement convicts the path of a black hole. Random loss rarely loses this many in a
 * row while a reduced-size probe gets through; a false conviction costs one new search.
 */
export const BLACK_HOLE_LOSSES = 6;

export interface MtuStats {
  /** The datagram size in use (the largest confirmed). */
  current: number;
  /** The most that is allowed (user cap and local interface). */
  max: number;
  probesSent: number;
  probesLost: number;
  blackHoles: number;
}

export class MtuDiscovery {
  private confirmed: number;
  /** Smallest size known not to be carried (max + 1 while none failed). */
  private failed: number;
  private probing: number | null = null;
  private losses = 0;
  private raiseAt = Infinity;
  private suspectLosses = 0;
  private probesSent = 0;
  private probesLost = 0;
  private blackHoles = 0;

  constructor(private max: number, private readonly base = BASE_DATAGRAM) {
    this.max = Math.max(max, base);
    this.confirmed = base;
    this.failed = this.max + 1;
  }

  /** The payload size ordinary packets are built to. */
  get current(): number {
    return this.confirmed;
  }

  /** The floor: probes after repeated probe timeouts are built to it. */
  get baseSize(): number {
    return this.base;
  }

  /**
   * A new upper bound (the outgoing interface's MTU changed, or became known). Shrinking below
   * the size in use takes effect at once; growing re-opens the search.
   */
  setMax(max: number): void {
    const m = Math.max(this.base, Math.floor(max));
    if (m === this.max) return;
    this.max = m;
    if (this.confirmed > m) this.confirmed = m;
    this.failed = m + 1;
    this.losses = 0;
    this.raiseAt = Infinity;
  }

  /** The size to probe now, or null (none due, or one already in flight). */
  probeSize(now: Millis): number | null {
    if (this.probing !== null) return null;
    if (now >= this.raiseAt) {
      this.raiseAt = Infinity;
      this.failed = this.max + 1;
      this.losses = 0;
    }
    if (this.failed - this.confirmed <= SEARCH_PRECISION) {
      if (this.failed <= this.max && this.raiseAt === Infinity) this.raiseAt = now + RAISE_AFTER_MS;
      return null;
    }
    // The cap first: most paths (loopback, a LAN, the interface's own MTU) carry it, and then
    // one round trip ends the search. Otherwise halve the gap.
    return this.failed > this.max ? this.max : Math.floor((this.confirmed + this.failed) / 2);
  }

  onProbeSent(size: number): void {
    this.probing = size;
    this.probesSent++;
  }

  onProbeAcked(size: number): void {
    if (size === this.probing) this.probing = null;
    this.losses = 0;
    if (size > this.confirmed && size <= this.max) this.confirmed = size;
    this.suspectLosses = 0;
  }

  onProbeLost(size: number): void {
    if (size === this.probing) this.probing = null;
    this.probesLost++;
    if (size <= this.confirmed || size >= this.failed) return;
    if (++this.losses < MAX_PROBES) return;
    this.losses = 0;
    this.failed = size;
  }

  /**
   * What an ACK (or a loss timer) decided about ordinary packets (`isProbe` picks out the path
   * MTU probes, which say nothing here). Returns true when it convicted the path of a black
   * hole: the size is back at the base and the search starts over.
   */
  onPackets<P extends { size: number }>(acked: readonly P[], lost: readonly P[], now: Millis, isProbe: (p: P) => boolean = () => false): boolean {
    let smallAcked = false;
    for (const p of acked) {
      if (isProbe(p)) continue;
      if (p.size > this.base) {
        this.suspectLosses = 0;
        return false;
      }
      smallAcked = true;
    }
    for (const p of lost) if (!isProbe(p) && p.size > this.base) this.suspectLosses++;
    if (!smallAcked || this.suspectLosses < BLACK_HOLE_LOSSES || this.confirmed <= this.base) return false;
    this.onBlackHole(now);
    return true;
  }

  private onBlackHole(now: Millis): void {
    this.blackHoles++;
    // The size that vanished is an upper bound for now; the raise timer tries the cap again.
    this.failed = this.confirmed;
    this.confirmed = this.base;
    this.suspectLosses = 0;
    this.losses = 0;
    this.probing = null;
    this.raiseAt = now + RAISE_AFTER_MS;
  }

  stats(): MtuStats {
    return { current: this.confirmed, max: this.max, probesSent: this.probesSent, probesLost: this.probesLost, blackHoles: this.blackHoles };
  }
}
