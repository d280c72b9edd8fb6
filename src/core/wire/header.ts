import { WireError } from './errors.js';
import { ByteReader, type ByteWriter, varintSize } from './varint.js';

/**
 * "xf" v4. v1 carried the receiver's connection id in short headers; v3 added the ACK_FREQUENCY
 * frame, which a v2 peer would take for a malformed packet and drop with whatever rode in it;
 * v4 replaced the code-keyed HMAC hellos with CPace (new hello bodies and the ABORT packet).
 */
export const VERSION = 0x78660004;

/**
 * How people see a version: "xf" versions by their number (2), anything else in hex. Long
 * headers keep one layout in every version, so a peer of another version can always be told
 * which version we speak.
 */
export function describeVersion(version: number): string {
  return version >>> 16 === 0x7866 ? String(version & 0xffff) : `0x${version.toString(16)}`;
}
export const CID_LEN = 8;

export type LongPacketType = 'client_hello' | 'server_hello' | 'reject' | 'abort';

export interface LongHeader {
  form: 'long';
  packetType: LongPacketType;
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
}

export interface ShortHeader {
  form: 'short';
  packetNumber: number;
}

const LONG_FORM = 0xc0;
const SHORT_FORM = 0x40;
/** Long header first byte: 0b11 00 TTTT. The two 00 bits are reserved and must be zero. */
const LONG_TYPE_MASK = 0x0f;
const LONG_TYPES: readonly LongPacketType[] = ['client_hello', 'server_hello', 'reject', 'abort'];

/** first byte + version + (len + cid) * 2 */
export const LONG_HEADER_SIZE = 1 + 4 + (1 + CID_LEN) * 2;

function checkCid(cid: Uint8Array, what: string): void {
  if (cid.length !== CID_LEN) throw new RangeError(`${what} must be ${CID_LEN} bytes, got ${cid.length}`);
}

export function encodeLongHeader(
  w: ByteWriter,
  packetType: LongPacketType,
  dcid: Uint8Array,
  scid: Uint8Array,
  version: number = VERSION,
): void {
  checkCid(dcid, 'dcid');
  checkCid(scid, 'scid');
  w.u8(LONG_FORM | LONG_TYPES.indexOf(packetType));
  w.u32(version);
  w.u8(CID_LEN);
  w.bytes(dcid);
  w.u8(CID_LEN);
  w.bytes(scid);
}

export function shortHeaderSize(packetNumber: number): number {
  return 1 + varintSize(packetNumber);
}

/**
 * No connection id: one connection owns its socket, and the AEAD, not an id, decides whether a
 * packet is ours. The 8 bytes an id took are 0.6 % of every full packet.
 */
export function encodeShortHeader(w: ByteWriter, packetNumber: number): void {
  varintSize(packetNumber); // validates before anything is written
  w.u8(SHORT_FORM);
  w.varint(packetNumber);
}

function readCid(r: ByteReader): Uint8Array {
  const len = r.u8();
  if (len !== CID_LEN) throw new WireError(`connection id length ${len}, expected ${CID_LEN}`);
  // Long headers are rare and their ids get stored by the handshake: copy them out of the datagram.
  return r.bytes(CID_LEN).slice();
}

function parseLong(r: ByteReader, first: number): LongHeader {
  if ((first & 0x30) !== 0) throw new WireError('reserved long-header bits set');
  const packetType = LONG_TYPES[first & LONG_TYPE_MASK];
  if (packetType === undefined) throw new WireError(`unknown long packet type ${first & LONG_TYPE_MASK}`);
  // Any version parses (the layout is the same in all of them); the connection decides.
  const version = r.u32();
  const dcid = readCid(r);
  const scid = readCid(r);
  return { form: 'long', packetType, version, dcid, scid };
}

/**
 * Parses the cleartext header of a datagram. `headerLength` is where the body starts; for short
 * headers `buf.subarray(0, headerLength)` is the AEAD associated data.
 */
export function parseHeader(buf: Uint8Array): { header: LongHeader | ShortHeader; headerLength: number } {
  const r = new ByteReader(buf);
  const first = r.u8();
  if ((first & 0x40) === 0) throw new WireError('fixed bit unset');
  if ((first & 0x80) !== 0) {
    const header = parseLong(r, first);
    return { header, headerLength: r.offset };
  }
  if (first !== SHORT_FORM) throw new WireError('reserved short-header bits set');
  const packetNumber = r.varint();
  return { header: { form: 'short', packetNumber }, headerLength: r.offset };
}
