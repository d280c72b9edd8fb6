import type { ByteReader, ByteWriter } from '../varint.js';

export const FRAME_PING = 0x01;

/** Asks for an ACK at once (the receiver does not wait to pair it); on keep-alives and every probe. */
export interface PingFrame {
  type: 'ping';
}

export function pingFrameSize(_f?: PingFrame): number {
  return 1;
}

export function encodePingFrame(w: ByteWriter, _f?: PingFrame): void {
  w.u8(FRAME_PING);
}

export function decodePingFrame(_r: ByteReader): PingFrame {
  return { type: 'ping' };
}
