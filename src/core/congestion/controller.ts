// The congestion controller contract the Connection drives, and the factory.
import type { RttEstimator } from '../recovery/rtt.js';
import type { RateSample } from '../recovery/delivery-rate.js';
import { NewReno } from './new-reno.js';
import { Bbr } from './bbr.js';

/** What a controller needs to know about an acknowledged or lost packet. */
export interface AckedPacketInfo {
  pn: number;
  size: number;
  timeSent: number;
  /** Delivery-rate stamp (see recovery/delivery-rate.ts); present on tracked SentPackets. */
  delivered?: number;
  deliveredTime?: number;
  firstSentTime?: number;
  isAppLimited?: boolean;
}

/** A packet reported lost that was acknowledged after all. */
export interface SpuriousLossInfo extends AckedPacketInfo {
  /** When it was declared lost. */
  lostAt: number;
}

export interface CongestionController {
  readonly name: string;
  /** `bytesInFlight` includes this packet. */
  onPacketSent(now: number, pn: number, size: number, bytesInFlight: number, isRetransmittable: boolean): void;
  /**
   * `sample` is the delivery-rate sample of this ACK (null when the interval was too short to
   * trust); model-based controllers use it, NewReno ignores it. `inOrder` is false when the
   * newest acknowledged packet, or the packet carrying the ACK, overtook packets sent before it:
   * then `now - timeSent` is shorter than the path's RTT and no measure of its minimum.
   */
  onAck(
    now: number,
    acked: readonly AckedPacketInfo[],
    rtt: RttEstimator,
    bytesInFlightAfter: number,
    sample?: RateSample | null,
    inOrder?: boolean,
  ): void;
  onLoss(now: number, lost: readonly AckedPacketInfo[], persistentCongestion: boolean, bytesInFlightAfter: number): void;
  /**
   * Packets reported lost earlier were acknowledged after all: they were late, not lost. A
   * controller undoes what their loss cost where it can (RFC 8985 §7.1, Linux's undo).
   */
  onSpuriousLoss(now: number, packets: readonly SpuriousLossInfo[]): void;
  /** The sender had nothing to send though the window allowed it. */
  onAppLimited(bytesInFlight: number): void;
  /** bytesInFlight < window. */
  canSend(bytesInFlight: number): boolean;
  /** Congestion window in bytes. */
  window(): number;
  /** Bytes per second the pacer should use. */
  pacingRate(rtt: RttEstimator): number;
  inSlowStart(): boolean;
  /** Path MTU discovery changed the datagram size the windows count in. */
  setDatagramSize(size: number): void;
}

export type ControllerName = 'newreno' | 'bbr';

export function createController(name: ControllerName, maxDatagramSize: number): CongestionController {
  switch (name) {
    case 'newreno':
      return new NewReno(maxDatagramSize);
    case 'bbr':
      return new Bbr(maxDatagramSize);
  }
}
