import { WireError } from '../errors.js';
import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

/**
 * draft-ietf-quic-ack-frequency's type is 0xaf, a two-byte varint; every xfer frame type fits
 * in one byte (frame.ts), so xfer uses 0x2f: 0xaf with the varint length bits cleared.
 */
export const FRAME_ACK_FREQUENCY = 0x2f;
/** RFC 9000 §18.2: a max_ack_delay of 2^14 ms or more is invalid; the draft keeps that bound. */
export const MAX_REQUESTED_ACK_DELAY_MICROS = 2 ** 14 * 1000 - 1;

/**
 * The data sender asks the receiver how often to acknowledge (draft-ietf-quic-ack-frequency §4;
 * recovery README, "ACK frequency"). The receiver applies only a frame whose `seq` is above
 * every one it applied before, so a delayed or retransmitted older request is ignored.
 */
export interface AckFrequencyFrame {
  type: 'ack_frequency';
  seq: number;
  /** Ack-eliciting packets the receiver may take without acknowledging; it acks on the next one. */
  ackElicitingThreshold: number;
  /** The max ack delay to use from now on, in µs. */
  requestedMaxAckDelayMicros: number;
  /** Packets out of order before an ACK goes out at once; 0 = never for reordering alone. */
  reorderThreshold: number;
}

function checkDelay(micros: number): void {
  if (micros > MAX_REQUESTED_ACK_DELAY_MICROS) throw new WireError(`requested max ack delay ${micros} µs is 2^14 ms or more`);
}

export function ackFrequencyFrameSize(f: AckFrequencyFrame): number {
  return 1 + varintSize(f.seq) + varintSize(f.ackElicitingThreshold) + varintSize(f.requestedMaxAckDelayMicros) + varintSize(f.reorderThreshold);
}

export function encodeAckFrequencyFrame(w: ByteWriter, f: AckFrequencyFrame): void {
  // An out-of-range delay here is our own bug: fail loudly rather than send what the peer drops.
  if (f.requestedMaxAckDelayMicros > MAX_REQUESTED_ACK_DELAY_MICROS) throw new RangeError(`bad requested max ack delay ${f.requestedMaxAckDelayMicros}`);
  w.u8(FRAME_ACK_FREQUENCY);
  w.varint(f.seq);
  w.varint(f.ackElicitingThreshold);
  w.varint(f.requestedMaxAckDelayMicros);
  w.varint(f.reorderThreshold);
}

export function decodeAckFrequencyFrame(r: ByteReader): AckFrequencyFrame {
  const seq = r.varint();
  const ackElicitingThreshold = r.varint();
  const requestedMaxAckDelayMicros = r.varint();
  checkDelay(requestedMaxAckDelayMicros);
  const reorderThreshold = r.varint();
  return { type: 'ack_frequency', seq, ackElicitingThreshold, requestedMaxAckDelayMicros, reorderThreshold };
}
