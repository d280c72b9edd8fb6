// Shared setup for io/app tests: fake connections over the memory network.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectClient } from '../../src/io/client.js';
import { Listener } from '../../src/io/server.js';
import type { Session } from '../../src/io/session.js';
import type { ConnParams, TransportDeps } from '../../src/io/transport.js';
import { fakeFactory, type FakeConnection, type FakeOptions } from './fake-connection.js';
import { MemoryNetwork } from './memory-network.js';

export interface Harness {
  deps: TransportDeps;
  net: MemoryNetwork;
  made: FakeConnection[];
}

export function memoryHarness(f: FakeOptions = {}, net = new MemoryNetwork()): Harness {
  const made: FakeConnection[] = [];
  const deps: TransportDeps = {
    makeConnection: fakeFactory({ ...f, made }),
    network: net,
    clock: () => performance.now(),
    random: (n) => new Uint8Array(randomBytes(n)),
  };
  return { deps, net, made };
}

export function params(over: Partial<ConnParams> = {}): ConnParams {
  return { code: 'test-code', handshakeTimeoutMs: 2000, idleTimeoutMs: 5000, congestion: 'newreno', maxSendRate: 0, ...over };
}

/** A connected client/server session pair. */
export async function sessionPair(h: Harness): Promise<{ client: Session; server: Session; listener: Listener }> {
  const listener = await Listener.open(h.deps, '127.0.0.1', 0);
  const accepted = listener.accept(params());
  const client = await connectClient(h.deps, { ...params(), host: 'localhost', port: listener.address().port });
  const server = await accepted;
  return { client, server, listener };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
