// Session key schedule (wire/README.md, "Handshake bodies"): the X25519 secret gives forward
// secrecy, the code-derived PSK as HKDF salt binds the keys to the code, and hashing both full
// hello datagrams into the info binds them to exactly this handshake.
import { IV_LEN, KEY_LEN, type PacketKey } from './aead.js';
import { utf8 } from './bytes.js';
import { hkdfExpand, hkdfExtract, nobleHashes, type Hashes } from './hashes.js';

export interface SessionKeys {
  send: PacketKey;
  recv: PacketKey;
}

const KEYS_LABEL = utf8('xfer/1 keys');
const OKM_LEN = 2 * KEY_LEN + 2 * IV_LEN; // 88

/** info = "xfer/1 keys" || SHA-256(CH || SH), over the complete datagrams. */
function scheduleInfo(h: Hashes, clientHelloDatagram: Uint8Array, serverHelloDatagram: Uint8Array): Uint8Array {
  const transcript = h.sha256([clientHelloDatagram, serverHelloDatagram]);
  const info = new Uint8Array(KEYS_LABEL.length + transcript.length);
  info.set(KEYS_LABEL);
  info.set(transcript, KEYS_LABEL.length);
  return info;
}

/**
 * okm = HKDF-Expand(HKDF-Extract(salt = psk, ikm = ss), info, 88), split as
 * c2s key | s2c key | c2s iv | s2c iv. The client sends with c2s, the server with s2c.
 */
export function deriveSessionKeys(
  role: 'client' | 'server',
  psk: Uint8Array,
  sharedSecret: Uint8Array,
  clientHelloDatagram: Uint8Array,
  serverHelloDatagram: Uint8Array,
  h: Hashes = nobleHashes,
): SessionKeys {
  const prk = hkdfExtract(h, sharedSecret, psk);
  const okm = hkdfExpand(h, prk, scheduleInfo(h, clientHelloDatagram, serverHelloDatagram), OKM_LEN);
  // Copies, so each key owns its bytes and wiping one never affects another.
  const c2s: PacketKey = { key: okm.slice(0, KEY_LEN), iv: okm.slice(2 * KEY_LEN, 2 * KEY_LEN + IV_LEN) };
  const s2c: PacketKey = { key: okm.slice(KEY_LEN, 2 * KEY_LEN), iv: okm.slice(2 * KEY_LEN + IV_LEN, OKM_LEN) };
  okm.fill(0);
  prk.fill(0);
  return role === 'client' ? { send: c2s, recv: s2c } : { send: s2c, recv: c2s };
}
