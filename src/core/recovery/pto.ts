// Probe timeout with exponential backoff (RFC 9002 §6.2) and persistent congestion (§7.6).
import { TIMER_GRANULARITY_MS, type RttEstimator } from './rtt.js';

/** RFC 9002 kPersistentCongestionThreshold. */
export const PERSISTENT_CONGESTION_THRESHOLD = 3;
/** Backoff stops doubling here; 2^16 PTOs is far past any idle timeout anyway. */
const MAX_BACKOFF_EXPONENT = 16;

/**
 * Deadline of the probe timer. It depends only on when the last ack-eliciting packet went out,
 * so asking again later gives the same answer (no drift from re-arming).
 * Null when nothing ack-eliciting is in flight: there is nothing to probe for.
 */
export function ptoDeadline(
  lastAckElicitingSent: number | null,
  ackElicitingInFlight: number,
  rtt: RttEstimator,
  ptoCount: number,
): number | null {
  if (lastAckElicitingSent === null || ackElicitingInFlight === 0) return null;
  return lastAckElicitingSent + ptoDuration(rtt, ptoCount);
}

/**
 * The probe interval stops doubling at this (or at two base PTOs on a path slower than that).
 * RFC 9002 lets it double without end; then a burst that takes a whole flight and the probes
 * after it, or an outage of a few seconds, leaves the connection waiting for seconds after the
 * path is back: in the simulator, at 10 Mbit/s x 10 ms with linkem-like burst loss (`--ge 1,25`,
 * whose loss state changes per packet, so a sender that only probes stays in a burst for
 * several probes), transfers stalled for 3.5 and 5.8 s. Probing at least once a second costs two
 * packets a second on a dead path, which the idle timeout ends anyway.
 */
export const PTO_CEILING_MS = 1000;

export function ptoDuration(rtt: RttEstimator, ptoCount: number): number {
  const base = rtt.ptoBase();
  return Math.min(base * 2 ** Math.min(Math.max(ptoCount, 0), MAX_BACKOFF_EXPONENT), Math.max(PTO_CEILING_MS, 2 * base));
}

/** The backoff counter: doubles the PTO each time it fires without an ACK in between. */
export class PtoBackoff {
  private n = 0;

  get count(): number {
    return this.n;
  }

  onPtoFired(): void {
    this.n++;
  }

  /** An ACK newly acknowledged something: the path is alive, back to one PTO. */
  reset(): void {
    this.n = 0;
  }

  deadline(lastAckElicitingSent: number | null, ackElicitingInFlight: number, rtt: RttEstimator): number | null {
    return ptoDeadline(lastAckElicitingSent, ackElicitingInFlight, rtt, this.n);
  }
}

/** Which recovery timer to arm: the loss timer takes precedence over the PTO (RFC 9002 §6.2.1). */
export function nextRecoveryTimer(
  lossTime: number | null,
  ptoAt: number | null,
): { kind: 'loss' | 'pto'; at: number } | null {
  if (lossTime !== null) return { kind: 'loss', at: lossTime };
  if (ptoAt !== null) return { kind: 'pto', at: ptoAt };
  return null;
}

/** Span of consecutive losses that counts as persistent congestion (RFC 9002 §7.6.1). */
export function persistentCongestionDuration(rtt: RttEstimator): number {
  const pto = rtt.smoothed + Math.max(4 * rtt.rttvar, TIMER_GRANULARITY_MS) + rtt.maxAckDelayMs;
  return pto * PERSISTENT_CONGESTION_THRESHOLD;
}

export interface LostPacketInfo {
  pn: number;
  timeSent: number;
  ackEliciting: boolean;
}

/**
 * True when two ack-eliciting packets among `lost` were sent more than the persistent
 * congestion duration apart and nothing between them got through.
 *
 * `lost` must be in packet-number order. `interrupted(prevPn, nextPn)` says whether something
 * between two neighbouring lost packets was acknowledged (or is otherwise not known lost);
 * it restarts the span. Without an RTT sample there is no verdict, and packets sent before the
 * first sample are ignored: their loss may just reflect the initial RTT guess.
 */
export function isPersistentCongestion(
  lost: readonly LostPacketInfo[],
  rtt: RttEstimator,
  interrupted: (prevPn: number, nextPn: number) => boolean = () => false,
): boolean {
  const since = rtt.firstSampleTime;
  if (!rtt.hasSample || since === null) return false;
  const duration = persistentCongestionDuration(rtt);
  let spanStart: number | null = null;
  let prevPn: number | null = null;
  for (const p of lost) {
    if (prevPn !== null && interrupted(prevPn, p.pn)) spanStart = null;
    prevPn = p.pn;
    if (!p.ackEliciting || p.timeSent <= since) continue;
    if (spanStart === null) spanStart = p.timeSent;
    else if (p.timeSent - spanStart > duration) return true;
  }
  return false;
}
