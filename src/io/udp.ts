// The real network: node:dgram sockets behind the DatagramPort interface.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPooledDatagram, recycleDatagram } from './native-cipher.js';
import type { DatagramPort, Network, PeerAddress } from './network.js';
import { pathMtuCap } from './path-mtu.js';

/** Bursts at high rates overflow the default ~200 KiB socket buffers; the kernel may cap this. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

type Handler = (buf: Uint8Array, from: PeerAddress) => void;

/** How long close() waits for datagrams the kernel could not take at once. */
const CLOSE_FLUSH_MS = 1000;

class UdpPort implements DatagramPort {
  private handler: Handler | null = null;
  private closed = false;

  /** The sender of the last datagram, handed out again while it stays the same. */
  private from: PeerAddress = { address: '', port: 0 };

  constructor(private readonly sock: dgram.Socket, private readonly connected: boolean) {
    sock.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // After setup, socket errors (ICMP unreachable and the like) are just loss to the transport.
    sock.on('error', () => undefined);
  }

  /**
   * Hands the datagram on as a plain Uint8Array view: the core cuts every packet into several
   * subarrays, and a Buffer's subarray goes through its species constructor (~100 ns each).
   */
  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const h = this.handler;
    if (!h) return;
    let from = this.from;
    if (from.port !== rinfo.port || from.address !== rinfo.address) from = this.from = { address: rinfo.address, port: rinfo.port };
    h(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), from);
  }

  send(buf: Uint8Array, to: PeerAddress): void {
    if (this.closed) return;
    // No callback: with one, every synchronously sent datagram costs a nextTick.
    try {
      if (this.connected) this.sock.send(buf);
      else this.sock.send(buf, to.port, to.address);
    } catch {
      /* a lost datagram */
    }
    // A connected socket sends at once unless the kernel queue is full, and then libuv queues
    // the datagram (getSendQueueCount > 0). Sent at once, nothing holds its buffer any more.
    // An unconnected one resolves the address first and sends on a later tick: never reuse.
    // Small datagrams come from Node's own pool: no queue query for them.
    if (this.connected && isPooledDatagram(buf) && this.queued() === 0) recycleDatagram(buf);
  }

  setHandler(handler: Handler | null): void {
    this.handler = handler;
  }

  pathMtu(peer: PeerAddress): Promise<number | null> {
    return pathMtuCap(peer.address);
  }

  address(): PeerAddress {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = null;
    // Closing with sends still queued would cancel them (the final CONNECTION_CLOSE among them).
    const deadline = Date.now() + CLOSE_FLUSH_MS;
    while (this.queued() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }

  private queued(): number {
    try {
      return this.sock.getSendQueueCount();
    } catch {
      return 0;
    }
  }
}

function socketFor(address: string): dgram.Socket {
  return dgram.createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
}

function raiseBuffers(sock: dgram.Socket): void {
  try { sock.setRecvBufferSize(SOCKET_BUFFER_BYTES); } catch { /* best effort */ }
  try { sock.setSendBufferSize(SOCKET_BUFFER_BYTES); } catch { /* best effort */ }
}

/** Waits for a setup step that reports failure through the socket's 'error' event. */
function setup(sock: dgram.Socket, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      sock.close();
      reject(err);
    };
    sock.once('error', fail);
    start(() => {
      sock.off('error', fail);
      resolve();
    });
  });
}

async function resolve(name: string): Promise<string> {
  const host = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(host)) return host;
  const all = await lookup(host, { all: true });
  // Prefer IPv4: "localhost" often lists ::1 first while receivers commonly listen on IPv4.
  const pick = all.find((a) => a.family === 4) ?? all[0];
  if (!pick) throw new Error(`no address for ${host}`);
  return pick.address;
}

async function bind(host: string, port: number): Promise<DatagramPort> {
  const address = await resolve(host);
  const sock = socketFor(address);
  await setup(sock, (done) => sock.bind(port, address, done));
  raiseBuffers(sock);
  return new UdpPort(sock, false);
}

async function connect(address: string, port: number): Promise<DatagramPort> {
  const sock = socketFor(address);
  await setup(sock, (done) => sock.connect(port, address, done));
  raiseBuffers(sock);
  return new UdpPort(sock, true);
}

export const udpNetwork: Network = { resolve, bind, connect };
