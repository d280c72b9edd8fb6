import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_RESET_STREAM = 0x04;

/** The sender abandons its side of a stream; `finalSize` lets flow control account for it. */
export interface ResetStreamFrame {
  type: 'reset_stream';
  id: number;
  errorCode: number;
  finalSize: number;
}

export function resetStreamFrameSize(f: ResetStreamFrame): number {
  return 1 + varintSize(f.id) + varintSize(f.errorCode) + varintSize(f.finalSize);
}

export function encodeResetStreamFrame(w: ByteWriter, f: ResetStreamFrame): void {
  w.u8(FRAME_RESET_STREAM);
  w.varint(f.id);
  w.varint(f.errorCode);
  w.varint(f.finalSize);
}

export function decodeResetStreamFrame(r: ByteReader): ResetStreamFrame {
  const id = r.varint();
  const errorCode = r.varint();
  const finalSize = r.varint();
  return { type: 'reset_stream', id, errorCode, finalSize };
}
