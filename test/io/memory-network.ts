// An in-memory datagram network: ports deliver to each other asynchronously (setImmediate),
// in order and without loss. Host names resolve to 127.0.0.1 except "*.invalid".
import type { DatagramPort, Network, PeerAddress } from '../../src/io/network.js';

type Handler = (buf: Uint8Array, from: PeerAddress) => void;

const HOST = '127.0.0.1';

class MemoryPort implements DatagramPort {
  handler: Handler | null = null;
  closed = false;
  sent = 0;

  constructor(private readonly net: MemoryNetwork, readonly addr: PeerAddress, private readonly fixedPeer: PeerAddress | null) {}

  send(buf: Uint8Array, to: PeerAddress): void {
    if (this.closed) return;
    this.sent++;
    const copy = buf.slice();
    const dest = this.fixedPeer ?? to;
    setImmediate(() => this.net.deliver(copy, this.addr, dest));
  }

  setHandler(handler: Handler | null): void {
    this.handler = handler;
  }

  address(): PeerAddress {
    return { ...this.addr };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handler = null;
    this.net.unbind(this.addr);
  }
}

export class MemoryNetwork implements Network {
  private readonly ports = new Map<string, MemoryPort>();
  private nextPort = 40000;
  /** Datagrams dropped because nobody listened at the destination. */
  undelivered = 0;

  async resolve(host: string): Promise<string> {
    if (host.endsWith('.invalid')) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return HOST;
  }

  async bind(_host: string, port: number): Promise<DatagramPort> {
    const p = port === 0 ? this.nextPort++ : port;
    if (p < 1024) throw Object.assign(new Error('bind EACCES'), { code: 'EACCES' });
    if (this.ports.has(key(HOST, p))) throw Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' });
    return this.add({ address: HOST, port: p }, null);
  }

  async connect(address: string, port: number): Promise<DatagramPort> {
    return this.add({ address: HOST, port: this.nextPort++ }, { address, port });
  }

  /** A raw port for tests that inject datagrams from a stranger. */
  async rawPort(): Promise<MemoryPort> {
    return this.add({ address: HOST, port: this.nextPort++ }, null);
  }

  deliver(buf: Uint8Array, from: PeerAddress, to: PeerAddress): void {
    const p = this.ports.get(key(to.address, to.port));
    if (!p || p.closed || !p.handler) {
      this.undelivered++;
      return;
    }
    p.handler(buf, from);
  }

  unbind(a: PeerAddress): void {
    this.ports.delete(key(a.address, a.port));
  }

  private add(addr: PeerAddress, peer: PeerAddress | null): MemoryPort {
    const p = new MemoryPort(this, addr, peer);
    this.ports.set(key(addr.address, addr.port), p);
    return p;
  }
}

function key(address: string, port: number): string {
  return `${address}:${port}`;
}
