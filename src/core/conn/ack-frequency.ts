// ACK_FREQUENCY for one connection, both ways: as a data sender, what to ask of the peer and
// what that means for the probe timeout; as a receiver, applying the peer's request. See the
// recovery README, "ACK frequency".
import { AckFrequencyPolicy, type AckFrequencyInputs } from '../recovery/ack-frequency-policy.js';
import { ReturnPathWatch } from '../recovery/return-path.js';
import type { AckFrequencyFrame } from '../wire/frames/ack-frequency.js';
import { ackFrequencyFrameSize } from '../wire/frames/ack-frequency.js';
import { encodeFrame } from '../wire/frame.js';
import type { ByteWriter } from '../wire/varint.js';
import type { Recovery } from './recovery-glue.js';
import type { SentFrame } from './sent-frame.js';

/** The RTT stands this far above its minimum: a queue has built somewhere on the path. */
const QUEUEING_RTT_FACTOR = 1.25;

export class AckFrequency {
  readonly policy = new AckFrequencyPolicy();
  private readonly watch = new ReturnPathWatch();
  /** Data packets built so far, and the count and losses when the last return window closed. */
  private dataSent = 0;
  private windowSent = 0;
  private windowLost = 0;

  constructor(private readonly rec: Recovery) {}

  /**
   * Writes the request owed, if any, into a data packet being built (before its stream data).
   * Only data packets carry it: the request concerns the data this side sends, and it must be
   * ack-eliciting and congestion controlled like them (draft §4).
   */
  write(w: ByteWriter, sent: SentFrame[], now: number, datagramSize: number): void {
    const f = this.take(now, datagramSize, w.remaining);
    if (f === null) return;
    encodeFrame(w, f);
    sent.push({ k: 'afreq', seq: f.seq });
  }

  /** The request owed, when there is one and it fits in `room` bytes; each call is one data packet. */
  take(now: number, datagramSize: number, room: number): AckFrequencyFrame | null {
    this.dataSent++;
    // The receiver acks reordering at once exactly when loss detection could act on it (draft §9).
    this.policy.setReorderThreshold(this.rec.tracker.reorder.packetThreshold);
    const f = this.policy.poll(now, this.inputs(datagramSize));
    if (f === null) return null;
    if (ackFrequencyFrameSize(f) > room) {
      // Cannot happen with the sizes in use; if it did, the request counts as lost and goes again.
      this.onLost(f.seq);
      return null;
    }
    this.syncPto();
    return f;
  }

  onAcked(seq: number): void {
    this.policy.onAcked(seq);
    this.syncPto();
  }

  onLost(seq: number): void {
    this.policy.onLost(seq);
    this.syncPto();
  }

  /** The peer's request: applies to the ACKs this side sends. */
  onPeerRequest(f: AckFrequencyFrame): void {
    this.rec.acks.applyFrequency({
      seq: f.seq,
      ackElicitingThreshold: f.ackElicitingThreshold,
      maxAckDelayMs: f.requestedMaxAckDelayMicros / 1000,
      reorderThreshold: f.reorderThreshold,
    });
  }

  /**
   * After each packet from the peer: a finished window of its packet numbers feeds the backoff,
   * with what the forward path lost meanwhile (a path that loses as much both ways is lossy, not
   * full on the way back).
   */
  onPeerPacket(now: number): void {
    const acks = this.rec.acks;
    const w = this.watch.sample(acks.received, acks.largestReceived() ?? -1);
    if (w === null) return;
    const rtt = this.rec.rtt;
    const queueing = rtt.hasSample && rtt.smoothed > rtt.min * QUEUEING_RTT_FACTOR;
    const sent = this.dataSent - this.windowSent;
    const lost = Math.max(0, this.rec.packetsLost - this.windowLost);
    this.windowSent = this.dataSent;
    this.windowLost = this.rec.packetsLost;
    this.policy.onReturnPath({ ...w, queueing, forwardLoss: sent > 0 ? lost / sent : 0 }, now);
  }

  private inputs(datagramSize: number): AckFrequencyInputs {
    const cc = this.rec.cc;
    return { cwndBytes: cc.window(), datagramSize, srttMs: this.rec.rtt.smoothed, slowStart: cc.inSlowStart() };
  }

  /** The probe timeout pads for the longest max ack delay the peer may be using (draft §7). */
  private syncPto(): void {
    this.rec.rtt.setMaxAckDelay(this.policy.ptoMaxAckDelayMs());
  }
}
