import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_MAX_STREAM_DATA = 0x11;

/** Per-stream flow-control limit: highest offset the peer may send on stream `id`. */
export interface MaxStreamDataFrame {
  type: 'max_stream_data';
  id: number;
  max: number;
}

export function maxStreamDataFrameSize(f: MaxStreamDataFrame): number {
  return 1 + varintSize(f.id) + varintSize(f.max);
}

export function encodeMaxStreamDataFrame(w: ByteWriter, f: MaxStreamDataFrame): void {
  w.u8(FRAME_MAX_STREAM_DATA);
  w.varint(f.id);
  w.varint(f.max);
}

export function decodeMaxStreamDataFrame(r: ByteReader): MaxStreamDataFrame {
  const id = r.varint();
  const max = r.varint();
  return { type: 'max_stream_data', id, max };
}
