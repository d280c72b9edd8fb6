// The packet "AEAD" of the simulator's bench cells: the payload travels in clear and the tag is
// derived from the key and packet number only, so a packet opens under its own key and no other.
// The protocol sees only sizes and whether a packet opens, which match the real AEAD's exactly
// (a cell's figures are identical with `nobleCipher`); the real cipher's cost is what bounds a
// 1000 Mbit/s cell's wall time, and bench:sim measures that cost apart (aead-speed.ts, loopback.ts).
import { TAG_LEN, type PacketCipher, type PacketKey } from '../../src/core/api.js';

function writeTag(out: Uint8Array, at: number, k: PacketKey, pn: number): void {
  for (let i = 0; i < TAG_LEN; i++) out[at + i] = k.key[i]! ^ k.iv[i % k.iv.length]! ^ ((pn / 2 ** (8 * (i % 6))) & 255);
}

export const simCipher: PacketCipher = {
  name: 'sim (clear text, keyed tag)',
  sealPacket(k, pn, header, payload) {
    const out = new Uint8Array(header.length + payload.length + TAG_LEN);
    out.set(header);
    out.set(payload, header.length);
    writeTag(out, header.length + payload.length, k, pn);
    return out;
  },
  open(k, pn, _aad, sealed) {
    if (sealed.length < TAG_LEN) return null;
    const len = sealed.length - TAG_LEN;
    const tag = new Uint8Array(TAG_LEN);
    writeTag(tag, 0, k, pn);
    for (let i = 0; i < TAG_LEN; i++) if (tag[i] !== sealed[len + i]) return null;
    return sealed.slice(0, len);
  },
};
