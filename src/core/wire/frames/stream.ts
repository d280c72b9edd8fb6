import { WireError } from '../errors.js';
import { type ByteReader, type ByteWriter, MAX_VARINT, varintSize } from '../varint.js';

/** STREAM occupies types 0x08..0x0f; the low three bits are flags. */
export const FRAME_STREAM = 0x08;
export const STREAM_BIT_OFF = 0x04;
export const STREAM_BIT_LEN = 0x02;
export const STREAM_BIT_FIN = 0x01;

export interface StreamFrame {
  type: 'stream';
  id: number;
  offset: number;
  fin: boolean;
  /** On decode, a view into the packet payload: copy it if it must outlive the datagram buffer. */
  data: Uint8Array;
}

/** Header size of a STREAM frame without LEN (the last frame of a packet, running to its end). */
export function lastStreamFrameHeaderSize(id: number, offset: number): number {
  return 1 + varintSize(id) + (offset > 0 ? varintSize(offset) : 0);
}

/** Size of a STREAM frame header carrying the LEN field, i.e. everything but the data. */
export function streamFrameHeaderSize(id: number, offset: number, dataLength: number): number {
  return lastStreamFrameHeaderSize(id, offset) + varintSize(dataLength);
}

export function streamFrameSize(f: StreamFrame, withLength = true): number {
  const len = f.data.length;
  return (withLength ? streamFrameHeaderSize(f.id, f.offset, len) : lastStreamFrameHeaderSize(f.id, f.offset)) + len;
}

/**
 * `withLength = false` leaves out LEN so the data runs to the end of the packet: only valid for
 * the last frame in a payload.
 */
export function encodeStreamFrame(w: ByteWriter, f: StreamFrame, withLength: boolean): void {
  const { id, offset, data } = f;
  varintSize(offset); // validates offset before the sum below is trusted
  if (offset + data.length > MAX_VARINT) throw new RangeError('STREAM frame ends beyond 2^53-1');
  let type = FRAME_STREAM;
  if (offset > 0) type |= STREAM_BIT_OFF;
  if (withLength) type |= STREAM_BIT_LEN;
  if (f.fin) type |= STREAM_BIT_FIN;
  w.u8(type);
  w.varint(id);
  if (offset > 0) w.varint(offset);
  if (withLength) w.varint(data.length);
  w.bytes(data);
}

/** `type` is the already-read frame type byte (0x08..0x0f). */
export function decodeStreamFrame(r: ByteReader, type: number): StreamFrame {
  const id = r.varint();
  const offset = (type & STREAM_BIT_OFF) !== 0 ? r.varint() : 0;
  const data = (type & STREAM_BIT_LEN) !== 0 ? r.bytes(r.varint()) : r.rest();
  if (offset + data.length > MAX_VARINT) throw new WireError('STREAM frame ends beyond 2^53-1');
  return { type: 'stream', id, offset, fin: (type & STREAM_BIT_FIN) !== 0, data };
}
