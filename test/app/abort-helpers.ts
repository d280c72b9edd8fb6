// The real core Connection under the io and app layers, over an in-memory network with a
// fixed one-way delay (so there is something in flight), and a probe that records what the
// sender's loss recovery still counts at every stream abort.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Connection } from '../../src/core/connection.js';
import type { DatagramPort, Network } from '../../src/io/network.js';
import type { TransportDeps } from '../../src/io/transport.js';
import { MemoryNetwork } from '../io/memory-network.js';
import { inFlightByStream } from '../sim/abort-sim.js';

/** 128 bits: what the real handshake expects of a code. */
export const CODE = '0123456789abcdef0123456789abcdef';

/**
 * A datagram sent is on the wire: it arrives even if its socket closes meanwhile (a sender that
 * hangs up right after its last datagram), as from a real socket.
 */
function delayed(net: MemoryNetwork, p: DatagramPort, ms: number): DatagramPort {
  const from = p.address();
  return {
    send: (buf, to) => {
      const copy = buf.slice();
      setTimeout(() => net.deliver(copy, from, to), ms);
    },
    setHandler: (h) => p.setHandler(h),
    address: () => p.address(),
    close: () => p.close(),
  };
}

/** Every datagram arrives `ms` late (plus the memory network's own turn), in order, none lost. */
export class DelayedNetwork implements Network {
  constructor(private readonly inner: MemoryNetwork, private readonly ms: number) {}
  resolve(host: string): Promise<string> {
    return this.inner.resolve(host);
  }
  async bind(host: string, port: number): Promise<DatagramPort> {
    return delayed(this.inner, await this.inner.bind(host, port), this.ms);
  }
  async connect(address: string, port: number): Promise<DatagramPort> {
    return delayed(this.inner, await this.inner.connect(address, port), this.ms);
  }
}

/** One abort as the sender's core saw it, right after it happened. */
export interface AbortRecord {
  role: 'client' | 'server';
  id: number;
  code: number;
  /** 'reset': the app called streamReset; 'stop_sending': the peer's STOP_SENDING reset it in the core. */
  via: 'reset' | 'stop_sending';
  /** Bytes of this stream in flight just before (for stop_sending: before the datagram that carried it). */
  heldBefore: number;
  heldAfter: number;
  /** Bytes in flight of all other streams, and of control-only packets, just after. */
  others: number;
  control: number;
  bytesInFlight: number;
}

function sumExcept(by: Map<number | null, number>, skip: number | null): number {
  let n = 0;
  for (const [k, v] of by) if (k !== skip && k !== null) n += v;
  return n;
}

function watch(c: Connection, role: 'client' | 'server', log: AbortRecord[]): void {
  const record = (id: number, code: number, via: AbortRecord['via'], heldBefore: number): void => {
    const by = inFlightByStream(c);
    log.push({
      role, id, code, via, heldBefore,
      heldAfter: by.get(id) ?? 0,
      others: sumExcept(by, id),
      control: by.get(null) ?? 0,
      bytesInFlight: c.stats().bytesInFlight,
    });
  };
  const reset = c.streamReset.bind(c);
  c.streamReset = (id, code) => {
    const before = inFlightByStream(c).get(id) ?? 0;
    reset(id, code);
    record(id, code, 'reset', before);
  };
  let beforeDatagram = new Map<number | null, number>();
  const handle = c.handleDatagram.bind(c);
  c.handleDatagram = (buf, now) => {
    beforeDatagram = inFlightByStream(c);
    handle(buf, now);
  };
  const poll = c.pollEvent.bind(c);
  c.pollEvent = () => {
    const e = poll();
    if (e?.type === 'stream_stop_sending') record(e.id, e.errorCode, 'stop_sending', beforeDatagram.get(e.id) ?? 0);
    return e;
  };
}

export interface RealHarness {
  deps: TransportDeps;
  clients: Connection[];
  servers: Connection[];
  aborts: AbortRecord[];
}

export function realHarness(delayMs = 10): RealHarness {
  const clients: Connection[] = [];
  const servers: Connection[] = [];
  const aborts: AbortRecord[] = [];
  const deps: TransportDeps = {
    makeConnection: (o) => {
      const c = new Connection(o);
      watch(c, o.role, aborts);
      (o.role === 'client' ? clients : servers).push(c);
      return c;
    },
    network: new DelayedNetwork(new MemoryNetwork(), delayMs),
    clock: () => performance.now(),
    random: (n) => new Uint8Array(randomBytes(n)),
  };
  return { deps, clients, servers, aborts };
}
