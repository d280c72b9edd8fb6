// Short-header packet sealing: header || AEAD(payload) with the header as associated data.
import { ByteWriter } from '../wire/varint.js';
import { encodeShortHeader, shortHeaderSize } from '../wire/header.js';
import { sealPayload, type PacketKey } from '../crypto/aead.js';

export function sealShortPacket(key: PacketKey, dcid: Uint8Array, pn: number, payload: Uint8Array): Uint8Array {
  const hlen = shortHeaderSize(pn);
  const w = new ByteWriter(hlen);
  encodeShortHeader(w, dcid, pn);
  const header = w.finish();
  const sealed = sealPayload(key, pn, header, payload);
  const out = new Uint8Array(hlen + sealed.length);
  out.set(header);
  out.set(sealed, hlen);
  return out;
}
