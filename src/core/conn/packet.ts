// Short-header packet sealing: header || AEAD(payload) with the header as associated data.
import { ByteWriter } from '../wire/varint.js';
import { encodeShortHeader, shortHeaderSize } from '../wire/header.js';
import { nobleCipher, type PacketCipher, type PacketKey } from '../crypto/aead.js';

/**
 * The cipher copies the header into the datagram, so one buffer serves every packet: a view of
 * it per header size (1 + a 1, 2, 4 or 8-byte packet number), none created per packet.
 */
const HEADER = new Uint8Array(9);
const HEADER_VIEWS = Array.from({ length: HEADER.length + 1 }, (_, n) => HEADER.subarray(0, n));

export function sealShortPacket(
  key: PacketKey,
  pn: number,
  payload: Uint8Array,
  cipher: PacketCipher = nobleCipher,
): Uint8Array {
  const header = HEADER_VIEWS[shortHeaderSize(pn)]!;
  encodeShortHeader(ByteWriter.over(header), pn);
  return cipher.sealPacket(key, pn, header, payload);
}
