// Delivery-rate sampling, after the IETF "Delivery Rate Estimation" draft
// (draft-cheng-iccrg-delivery-rate-estimation). Every sent packet is stamped with the
// connection's delivery state; when it is acknowledged, the difference between the state now
// and the stamp gives how many bytes were delivered over what interval. BBR consumes the
// samples; NewReno ignores them.

/** Connection delivery state copied into each packet when it is sent. */
export interface DeliveryStamp {
  /** Bytes the peer had acknowledged when this packet was sent. */
  delivered: number;
  /** When `delivered` last changed, as of this packet's send. */
  deliveredTime: number;
  /** Send time of the packet that opened the current send interval. */
  firstSentTime: number;
  /** Sent while the application, not the network, limited the rate. */
  isAppLimited: boolean;
}

export interface RateSample {
  /** Bytes per second; only meaningful when the sample is returned (never for invalid ones). */
  deliveryRate: number;
  /** Bytes delivered over the interval. */
  delivered: number;
  /** Interval in ms: max(send interval, ack interval), so ack compression cannot inflate the rate. */
  interval: number;
  /** The rate was limited by the application; a low sample then says nothing about the path. */
  isAppLimited: boolean;
  /** Delivered count when the sample's packet was sent (BBR uses it to find round trips). */
  priorDelivered: number;
  /** Bytes newly acknowledged by this ACK. */
  ackedBytes: number;
}

interface AckedForRate extends DeliveryStamp {
  size: number;
  timeSent: number;
}

export class DeliveryRateEstimator {
  private deliveredBytes = 0;
  private deliveredAt = 0;
  private firstSentAt = 0;
  /** Non-zero: the app-limited phase lasts until `delivered` passes this mark. */
  private appLimitedUntil = 0;

  get delivered(): number {
    return this.deliveredBytes;
  }

  get isAppLimited(): boolean {
    return this.appLimitedUntil !== 0;
  }

  /** `bytesInFlight` is measured before this packet is added. */
  stamp(now: number, bytesInFlight: number): DeliveryStamp {
    // After an idle period the next interval starts fresh, else the idle time would count as
    // sending time and deflate the rate.
    if (bytesInFlight === 0) {
      this.firstSentAt = now;
      this.deliveredAt = now;
    }
    return {
      delivered: this.deliveredBytes,
      deliveredTime: this.deliveredAt,
      firstSentTime: this.firstSentAt,
      isAppLimited: this.appLimitedUntil !== 0,
    };
  }

  /** The sender ran out of data while the window allowed more. */
  onAppLimited(bytesInFlight: number): void {
    // Max with 1 so that "limited at delivered=0" is still distinguishable from "not limited".
    this.appLimitedUntil = Math.max(this.deliveredBytes + bytesInFlight, 1);
  }

  /** Feeds the packets newly acknowledged by one ACK (any order); returns null when no valid sample. */
  onAck(acked: readonly AckedForRate[], now: number, minRtt: number | null): RateSample | null {
    if (acked.length === 0) return null;
    let best: AckedForRate | null = null;
    let ackedBytes = 0;
    for (const p of acked) {
      ackedBytes += p.size;
      // The most recently sent packet (highest stamp) bounds the freshest interval.
      if (best === null || p.delivered > best.delivered || (p.delivered === best.delivered && p.timeSent > best.timeSent)) {
        best = p;
      }
    }
    this.deliveredBytes += ackedBytes;
    this.deliveredAt = now;
    if (this.appLimitedUntil !== 0 && this.deliveredBytes > this.appLimitedUntil) this.appLimitedUntil = 0;
    if (best === null) return null;
    this.firstSentAt = best.timeSent;
    const sendElapsed = best.timeSent - best.firstSentTime;
    const ackElapsed = now - best.deliveredTime;
    const interval = Math.max(sendElapsed, ackElapsed);
    const delivered = this.deliveredBytes - best.delivered;
    // Intervals shorter than min RTT come from ack compression and would overestimate.
    if (interval <= 0 || (minRtt !== null && interval < minRtt)) return null;
    return {
      deliveryRate: (delivered * 1000) / interval,
      delivered,
      interval,
      isAppLimited: best.isAppLimited,
      priorDelivered: best.delivered,
      ackedBytes,
    };
  }
}
