import type { ByteReader, ByteWriter } from '../varint.js';

export const FRAME_HANDSHAKE_DONE = 0x1e;

/** Server to client: confirms the handshake, so the client can stop resending its hello. */
export interface HandshakeDoneFrame {
  type: 'handshake_done';
}

export function handshakeDoneFrameSize(_f?: HandshakeDoneFrame): number {
  return 1;
}

export function encodeHandshakeDoneFrame(w: ByteWriter, _f?: HandshakeDoneFrame): void {
  w.u8(FRAME_HANDSHAKE_DONE);
}

export function decodeHandshakeDoneFrame(_r: ByteReader): HandshakeDoneFrame {
  return { type: 'handshake_done' };
}
