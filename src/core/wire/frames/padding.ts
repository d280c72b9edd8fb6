import type { ByteReader, ByteWriter } from '../varint.js';

export const FRAME_PADDING = 0x00;

/** A run of `length` zero bytes; the decoder merges a whole run into one frame. */
export interface PaddingFrame {
  type: 'padding';
  length: number;
}

export function paddingFrameSize(f: PaddingFrame): number {
  return f.length;
}

export function encodePaddingFrame(w: ByteWriter, f: PaddingFrame): void {
  if (!Number.isInteger(f.length) || f.length < 1) throw new RangeError(`bad padding length ${f.length}`);
  w.zeros(f.length);
}

/** Called after the first zero byte was consumed; swallows the rest of the run. */
export function decodePaddingFrame(r: ByteReader): PaddingFrame {
  return { type: 'padding', length: 1 + r.skipZeros() };
}
