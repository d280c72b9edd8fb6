// What the io layer is built from, injectable so tests can swap the connection and the network.
import type { CongestionAlgorithm, ConnectionHandle, ConnectionOptions, RandomSource, Role } from '../core/api.js';
import type { Network } from './network.js';

export type ConnectionFactory = (opts: ConnectionOptions) => ConnectionHandle;

export interface TransportDeps {
  makeConnection: ConnectionFactory;
  network: Network;
  /** Monotonic milliseconds. */
  clock: () => number;
  random: RandomSource;
}

/** Per-connection settings taken from the user's options. */
export interface ConnParams {
  code: string;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  congestion: CongestionAlgorithm;
  /** Bytes/s, 0 = none. */
  maxSendRate: number;
  /** Largest UDP payload, bytes; 0 = as large as the path allows. */
  maxDatagram?: number;
  signal?: AbortSignal;
}

export function connectionOptions(deps: TransportDeps, role: Role, p: ConnParams): ConnectionOptions {
  return {
    role,
    code: p.code,
    random: deps.random,
    now: deps.clock(),
    handshakeTimeoutMs: p.handshakeTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs,
    congestion: p.congestion,
    maxSendRate: p.maxSendRate > 0 ? p.maxSendRate : undefined,
    maxDatagramSize: p.maxDatagram ? p.maxDatagram : undefined,
  };
}

/** "10" for 10_000 ms, "2.5" for 2_500 ms. */
export function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
