import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_STREAM_DATA_BLOCKED = 0x15;

/** The sender was held back on stream `id` by the per-stream limit `limit`. */
export interface StreamDataBlockedFrame {
  type: 'stream_data_blocked';
  id: number;
  limit: number;
}

export function streamDataBlockedFrameSize(f: StreamDataBlockedFrame): number {
  return 1 + varintSize(f.id) + varintSize(f.limit);
}

export function encodeStreamDataBlockedFrame(w: ByteWriter, f: StreamDataBlockedFrame): void {
  w.u8(FRAME_STREAM_DATA_BLOCKED);
  w.varint(f.id);
  w.varint(f.limit);
}

export function decodeStreamDataBlockedFrame(r: ByteReader): StreamDataBlockedFrame {
  const id = r.varint();
  const limit = r.varint();
  return { type: 'stream_data_blocked', id, limit };
}
