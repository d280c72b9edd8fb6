// Short-header packet sealing: header || AEAD(payload) with the header as associated data.
import { ByteWriter } from '../wire/varint.js';
import { encodeShortHeader, shortHeaderSize } from '../wire/header.js';
import { nobleCipher, type PacketCipher, type PacketKey } from '../crypto/aead.js';

export function sealShortPacket(
  key: PacketKey,
  pn: number,
  payload: Uint8Array,
  cipher: PacketCipher = nobleCipher,
): Uint8Array {
  const w = new ByteWriter(shortHeaderSize(pn));
  encodeShortHeader(w, pn);
  return cipher.sealPacket(key, pn, w.finish(), payload);
}
