// The production wiring: the real protocol core, UDP, the monotonic clock, OS randomness.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Connection } from '../core/connection.js';
import type { TransportDeps } from './transport.js';
import { udpNetwork } from './udp.js';
import { pickCipher } from './native-cipher.js';
import { nativeHashes } from './native-handshake.js';

const cipher = pickCipher();

export const defaultDeps: TransportDeps = {
  makeConnection: (opts) => new Connection({ cipher, hashes: nativeHashes, ...opts }),
  network: udpNetwork,
  clock: () => performance.now(),
  random: (n) => new Uint8Array(randomBytes(n)),
};
