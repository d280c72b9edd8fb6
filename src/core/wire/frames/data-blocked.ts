import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_DATA_BLOCKED = 0x14;

/** The sender had data to send but was held back by the connection limit `limit`. */
export interface DataBlockedFrame {
  type: 'data_blocked';
  limit: number;
}

export function dataBlockedFrameSize(f: DataBlockedFrame): number {
  return 1 + varintSize(f.limit);
}

export function encodeDataBlockedFrame(w: ByteWriter, f: DataBlockedFrame): void {
  w.u8(FRAME_DATA_BLOCKED);
  w.varint(f.limit);
}

export function decodeDataBlockedFrame(r: ByteReader): DataBlockedFrame {
  return { type: 'data_blocked', limit: r.varint() };
}
