// What the driver needs from a datagram socket. udp.ts implements it with node:dgram; the
// tests use an in-memory one, so the whole stack above can run without the network.

export interface PeerAddress {
  address: string;
  port: number;
}

export interface DatagramPort {
  /** Fire and forget: a failed send is just a lost datagram, the transport recovers. */
  send(buf: Uint8Array, to: PeerAddress): void;
  /** One handler at a time; null detaches (datagrams are then dropped). */
  setHandler(handler: ((buf: Uint8Array, from: PeerAddress) => void) | null): void;
  address(): PeerAddress;
  /**
   * The largest UDP payload that leaves towards `peer` unfragmented (see path-mtu.ts), or null
   * when that cannot be told; absent on ports with no such limit (in-memory tests).
   */
  pathMtu?(peer: PeerAddress): Promise<number | null>;
  /** Resolves once queued sends are out and the socket is closed. */
  close(): Promise<void>;
}

export interface Network {
  /** Resolves a host name to one address; rejects if it cannot. */
  resolve(host: string): Promise<string>;
  /** A socket listening on host:port (port 0: any); rejects with errno codes (EADDRINUSE, EACCES). */
  bind(host: string, port: number): Promise<DatagramPort>;
  /** A socket that talks only to address:port. */
  connect(address: string, port: number): Promise<DatagramPort>;
}

export function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a.port === b.port && unmapV4(a.address) === unmapV4(b.address);
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d. */
export function unmapV4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
