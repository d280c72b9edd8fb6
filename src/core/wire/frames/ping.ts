import type { ByteReader, ByteWriter } from '../varint.js';

export const FRAME_PING = 0x01;

/** Elicits an ACK; used for keep-alive and probes. */
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
