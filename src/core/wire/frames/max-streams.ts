import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_MAX_STREAMS = 0x12;

/** Cumulative count of streams the peer may open (not a stream id). */
export interface MaxStreamsFrame {
  type: 'max_streams';
  max: number;
}

export function maxStreamsFrameSize(f: MaxStreamsFrame): number {
  return 1 + varintSize(f.max);
}

export function encodeMaxStreamsFrame(w: ByteWriter, f: MaxStreamsFrame): void {
  w.u8(FRAME_MAX_STREAMS);
  w.varint(f.max);
}

export function decodeMaxStreamsFrame(r: ByteReader): MaxStreamsFrame {
  return { type: 'max_streams', max: r.varint() };
}
