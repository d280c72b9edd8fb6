// NewReno congestion control as specified for QUIC (RFC 9002 §7, Appendix B).
import type { RttEstimator } from '../recovery/rtt.js';
import type { AckedPacketInfo, CongestionController, SpuriousLossInfo } from './controller.js';

/** RFC 9002 kLossReductionFactor. */
export const LOSS_REDUCTION_FACTOR = 0.5;
/** RFC 9002 §7.7: pace a little faster than cwnd/srtt so the window, not the pacer, is the limit. */
export const PACING_GAIN = 1.25;

export function initialWindow(mds: number): number {
  return Math.min(10 * mds, Math.max(14720, 2 * mds));
}

export function minimumWindow(mds: number): number {
  return 2 * mds;
}

export class NewReno implements CongestionController {
  readonly name = 'newreno';
  private cwnd: number;
  private ssthresh = Infinity;
  /** Packets sent at or before this time belong to the current recovery period. */
  private recoveryStart = -Infinity;
  /** Bytes acked in congestion avoidance not yet turned into window growth. */
  private avoidanceCredit = 0;
  private appLimited = false;
  /** The last reduction: what it took, and how many of its lost packets are still unexplained. */
  private undo: { cwnd: number; ssthresh: number; recoveryStart: number; sentBefore: number; unexplained: number } | null = null;

  constructor(private mds: number) {
    this.cwnd = initialWindow(mds);
  }

  setDatagramSize(size: number): void {
    this.mds = size;
  }

  onPacketSent(_now: number, _pn: number, _size: number, bytesInFlight: number, _isRetransmittable: boolean): void {
    // Filling the window again ends the app-limited phase.
    if (bytesInFlight >= this.cwnd) this.appLimited = false;
  }

  onAck(_now: number, acked: readonly AckedPacketInfo[], _rtt: RttEstimator, _bytesInFlightAfter: number): void {
    for (const p of acked) this.onPacketAcked(p);
  }

  onLoss(now: number, lost: readonly AckedPacketInfo[], persistentCongestion: boolean, _bytesInFlightAfter: number): void {
    if (lost.length === 0) return;
    let latestSent = -Infinity;
    for (const p of lost) latestSent = Math.max(latestSent, p.timeSent);
    this.onCongestionEvent(latestSent, now);
    // Losses of packets sent before the reduction belong to it: all must prove spurious to undo it.
    if (this.undo) for (const p of lost) if (this.belongsToUndo(p.timeSent)) this.undo.unexplained++;
    if (persistentCongestion) {
      // The path went dark for several PTOs: start over from the minimum window.
      this.cwnd = minimumWindow(this.mds);
      this.recoveryStart = -Infinity;
      this.avoidanceCredit = 0;
      this.undo = null;
    }
  }

  onSpuriousLoss(_now: number, packets: readonly SpuriousLossInfo[]): void {
    const u = this.undo;
    if (!u) return;
    for (const p of packets) if (this.belongsToUndo(p.timeSent)) u.unexplained--;
    if (u.unexplained > 0) return;
    // Every loss behind the last reduction was a late packet: the reduction was for nothing.
    this.cwnd = Math.max(this.cwnd, u.cwnd);
    this.ssthresh = u.ssthresh;
    this.recoveryStart = u.recoveryStart;
    this.undo = null;
  }

  onAppLimited(bytesInFlight: number): void {
    if (bytesInFlight < this.cwnd) this.appLimited = true;
  }

  canSend(bytesInFlight: number): boolean {
    return bytesInFlight < this.cwnd;
  }

  window(): number {
    return this.cwnd;
  }

  /** ssthresh (Infinity until the first loss). */
  slowStartThreshold(): number {
    return this.ssthresh;
  }

  pacingRate(rtt: RttEstimator): number {
    // Before a sample `smoothed` is the initial RTT, as the spec asks.
    const srtt = Math.max(rtt.smoothed, 0.001);
    return (PACING_GAIN * this.cwnd * 1000) / srtt;
  }

  inSlowStart(): boolean {
    return this.cwnd < this.ssthresh;
  }

  inRecovery(timeSent: number): boolean {
    return timeSent <= this.recoveryStart;
  }

  private onPacketAcked(p: AckedPacketInfo): void {
    // No growth for packets sent before the reduction, nor when the window was not the limit
    // (it would grow without ever having been tested).
    if (this.inRecovery(p.timeSent) || this.appLimited) return;
    if (this.inSlowStart()) {
      this.cwnd += p.size;
      return;
    }
    // One datagram per window's worth of acked bytes.
    this.avoidanceCredit += p.size;
    if (this.avoidanceCredit >= this.cwnd) {
      this.avoidanceCredit -= this.cwnd;
      this.cwnd += this.mds;
    }
  }

  /** Sent after the reduction before the last one and up to the last: the last one's packets. */
  private belongsToUndo(timeSent: number): boolean {
    const u = this.undo;
    return u !== null && timeSent > u.recoveryStart && timeSent <= u.sentBefore;
  }

  private onCongestionEvent(sentTime: number, now: number): void {
    // One reduction per round trip: losses of packets sent before the last reduction are
    // part of the same event.
    if (this.inRecovery(sentTime)) return;
    this.undo = { cwnd: this.cwnd, ssthresh: this.ssthresh, recoveryStart: this.recoveryStart, sentBefore: now, unexplained: 0 };
    this.recoveryStart = now;
    this.ssthresh = Math.floor(this.cwnd * LOSS_REDUCTION_FACTOR);
    this.cwnd = Math.max(this.ssthresh, minimumWindow(this.mds));
    this.avoidanceCredit = 0;
  }
}
