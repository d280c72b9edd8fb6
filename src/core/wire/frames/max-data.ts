import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_MAX_DATA = 0x10;

/** Connection-level flow-control limit: total bytes the peer may send across all streams. */
export interface MaxDataFrame {
  type: 'max_data';
  max: number;
}

export function maxDataFrameSize(f: MaxDataFrame): number {
  return 1 + varintSize(f.max);
}

export function encodeMaxDataFrame(w: ByteWriter, f: MaxDataFrame): void {
  w.u8(FRAME_MAX_DATA);
  w.varint(f.max);
}

export function decodeMaxDataFrame(r: ByteReader): MaxDataFrame {
  return { type: 'max_data', max: r.varint() };
}
