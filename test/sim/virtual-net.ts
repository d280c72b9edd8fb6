// The whole stack (app, io, core) over a network in virtual time: every datagram takes exactly
// `oneWayMs` of virtual time, timers are node:test's mock timers on the same clock, and the
// clock moves only while both ends are idle (no file system work pending, the event loop
// drained). So a transfer's round trips can be counted exactly, however slow the host: what
// the processes compute takes no virtual time, what they wait for on the wire or on a timer
// does.
import { mock } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Connection } from '../../src/core/connection.js';
import type { DatagramPort, Network, PeerAddress } from '../../src/io/network.js';
import type { TransportDeps } from '../../src/io/transport.js';

const HOST = '10.0.0.1';
/** Virtual ms per step of the clock while datagrams or timers are pending. */
const STEP_MS = 1;
/** Event-loop turns with no file system work pending that count as idle. */
const IDLE_TURNS = 3;

type Handler = (buf: Uint8Array, from: PeerAddress) => void;

interface InFlight {
  at: number;
  buf: Uint8Array;
  from: PeerAddress;
  to: PeerAddress;
}

/** One datagram as it left: virtual time, direction (the connecting side is 'client'). */
export interface Sent {
  at: number;
  by: 'client' | 'server';
  size: number;
}

interface VirtualPort extends DatagramPort {
  handler: Handler | null;
}

export class VirtualNet implements Network {
  now = 0;
  readonly sent: Sent[] = [];
  /** Decides the fate of each datagram: false drops it. */
  filter: (d: Sent) => boolean = () => true;
  private readonly ports = new Map<string, VirtualPort>();
  private queue: InFlight[] = [];
  private nextPort = 40000;

  constructor(readonly oneWayMs: number) {}

  /** Transport deps on this network and clock: the real core with its pure-JS cipher. */
  deps(): TransportDeps {
    return {
      makeConnection: (opts) => new Connection(opts),
      network: this,
      clock: () => this.now,
      random: (n) => new Uint8Array(randomBytes(n)),
    };
  }

  async resolve(): Promise<string> {
    return HOST;
  }

  async bind(_host: string, port: number): Promise<DatagramPort> {
    return this.add({ address: HOST, port: port || this.nextPort++ }, null);
  }

  async connect(address: string, port: number): Promise<DatagramPort> {
    return this.add({ address: HOST, port: this.nextPort++ }, { address, port });
  }

  carry(buf: Uint8Array, from: PeerAddress, to: PeerAddress, by: Sent['by']): void {
    const d: Sent = { at: this.now, by, size: buf.length };
    this.sent.push(d);
    if (this.filter(d)) this.queue.push({ at: this.now + this.oneWayMs, buf, from, to });
  }

  /**
   * Runs until `done()` holds (checked whenever both ends are idle) or `maxMs` of virtual time
   * passed; returns whether `done()` held. Timers must be mocked (withVirtualTimers).
   */
  async run(done: () => boolean, maxMs: number): Promise<boolean> {
    const end = this.now + maxMs;
    for (;;) {
      await idle();
      if (done()) return true;
      if (this.now >= end) return false;
      this.now += STEP_MS;
      mock.timers.tick(STEP_MS);
      this.deliverDue();
    }
  }

  private deliverDue(): void {
    const due = this.queue.filter((d) => d.at <= this.now);
    this.queue = this.queue.filter((d) => d.at > this.now);
    for (const d of due) this.ports.get(key(d.to))?.handler?.(d.buf, d.from);
  }

  /** A socket: bound to `addr`, or connected to `peer` (then it is the client's). */
  private add(addr: PeerAddress, peer: PeerAddress | null): VirtualPort {
    const by: Sent['by'] = peer ? 'client' : 'server';
    const port: VirtualPort = {
      handler: null,
      send: (buf, to) => this.carry(buf.slice(), addr, peer ?? to, by),
      setHandler: (h) => void (port.handler = h),
      address: () => ({ ...addr }),
      close: async () => void this.ports.delete(key(addr)),
    };
    this.ports.set(key(addr), port);
    return port;
  }
}

function key(a: PeerAddress): string {
  return `${a.address}:${a.port}`;
}

/** File system requests still in the thread pool (their callbacks are work still to come). */
function fsPending(): boolean {
  return process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq') || r === 'FileHandleCloseReq');
}

/** Waits until the event loop has run dry: several turns in a row with no file system work pending. */
async function idle(): Promise<void> {
  for (let quiet = 0; quiet < IDLE_TURNS; ) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (fsPending()) {
      quiet = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else {
      quiet++;
    }
  }
}

/** Runs `f` with setTimeout/setInterval on the virtual clock (the network's `run` moves it). */
export async function withVirtualTimers<T>(f: () => Promise<T>): Promise<T> {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    return await f();
  } finally {
    mock.timers.reset();
  }
}
