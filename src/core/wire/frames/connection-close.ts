import { WireError } from '../errors.js';
import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_CONNECTION_CLOSE = 0x1c;
/** Longer reasons are cut when encoding and rejected when decoding. */
export const MAX_CLOSE_REASON_BYTES = 1024;

export interface ConnectionCloseFrame {
  type: 'connection_close';
  errorCode: number;
  reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 of `reason`, cut to the cap on a character boundary so the result stays valid UTF-8. */
function reasonBytes(reason: string): Uint8Array {
  const bytes = encoder.encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return bytes;
  let cut = MAX_CLOSE_REASON_BYTES;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that straddles the cap.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

export function connectionCloseFrameSize(f: ConnectionCloseFrame): number {
  const len = reasonBytes(f.reason).length;
  return 1 + varintSize(f.errorCode) + varintSize(len) + len;
}

export function encodeConnectionCloseFrame(w: ByteWriter, f: ConnectionCloseFrame): void {
  const reason = reasonBytes(f.reason);
  w.u8(FRAME_CONNECTION_CLOSE);
  w.varint(f.errorCode);
  w.varint(reason.length);
  w.bytes(reason);
}

export function decodeConnectionCloseFrame(r: ByteReader): ConnectionCloseFrame {
  const errorCode = r.varint();
  const len = r.varint();
  if (len > MAX_CLOSE_REASON_BYTES) throw new WireError(`close reason of ${len} bytes`);
  const raw = r.bytes(len);
  let reason: string;
  try {
    reason = decoder.decode(raw);
  } catch {
    throw new WireError('close reason is not valid UTF-8');
  }
  return { type: 'connection_close', errorCode, reason };
}
