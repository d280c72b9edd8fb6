import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_STOP_SENDING = 0x05;

/** The receiver asks the peer to abandon its sending side of a stream. */
export interface StopSendingFrame {
  type: 'stop_sending';
  id: number;
  errorCode: number;
}

export function stopSendingFrameSize(f: StopSendingFrame): number {
  return 1 + varintSize(f.id) + varintSize(f.errorCode);
}

export function encodeStopSendingFrame(w: ByteWriter, f: StopSendingFrame): void {
  w.u8(FRAME_STOP_SENDING);
  w.varint(f.id);
  w.varint(f.errorCode);
}

export function decodeStopSendingFrame(r: ByteReader): StopSendingFrame {
  const id = r.varint();
  const errorCode = r.varint();
  return { type: 'stop_sending', id, errorCode };
}
