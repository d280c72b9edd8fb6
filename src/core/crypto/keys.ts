// Session key schedule (wire/README.md, "Handshake bodies"): everything comes from CPace's ISK,
// which already binds the code, both fresh shares (forward secrecy: the scalars are never kept)
// and every byte of both hellos. HKDF turns it into the packet keys and the server's key
// confirmation under distinct labels, so the confirmation reveals nothing about the keys.
import { IV_LEN, KEY_LEN, type PacketKey } from './aead.js';
import { utf8 } from './bytes.js';
import { hkdfExpand, hkdfExtract, nobleHashes, type Hashes } from './hashes.js';

export interface SessionKeys {
  send: PacketKey;
  recv: PacketKey;
}

const SALT = utf8('xfer/4 handshake');
const KEYS_LABEL = utf8('xfer/4 keys');
const CONFIRM_LABEL = utf8('xfer/4 server confirm');
const OKM_LEN = 2 * KEY_LEN + 2 * IV_LEN; // 88
const CONFIRM_LEN = 32;

/**
 * prk = HKDF-Extract(salt = "xfer/4 handshake", ikm = ISK);
 * keys = HKDF-Expand(prk, "xfer/4 keys", 88) split as c2s key | s2c key | c2s iv | s2c iv
 * (the client sends with c2s, the server with s2c);
 * confirm = HKDF-Expand(prk, "xfer/4 server confirm", 32), the SERVER_HELLO's last field.
 */
export function deriveSessionKeys(role: 'client' | 'server', isk: Uint8Array, h: Hashes = nobleHashes): { keys: SessionKeys; confirm: Uint8Array } {
  const prk = hkdfExtract(h, isk, SALT);
  const okm = hkdfExpand(h, prk, KEYS_LABEL, OKM_LEN);
  const confirm = hkdfExpand(h, prk, CONFIRM_LABEL, CONFIRM_LEN);
  // Copies, so each key owns its bytes and wiping one never affects another.
  const c2s: PacketKey = { key: okm.slice(0, KEY_LEN), iv: okm.slice(2 * KEY_LEN, 2 * KEY_LEN + IV_LEN) };
  const s2c: PacketKey = { key: okm.slice(KEY_LEN, 2 * KEY_LEN), iv: okm.slice(2 * KEY_LEN + IV_LEN, OKM_LEN) };
  okm.fill(0);
  prk.fill(0);
  return { keys: role === 'client' ? { send: c2s, recv: s2c } : { send: s2c, recv: c2s }, confirm };
}
