// How large a UDP payload may leave this host towards a peer without IP fragmentation. Node
// cannot set the don't-fragment bit, and Linux fragments a datagram locally when it exceeds the
// outgoing interface's MTU (or a path MTU the kernel learned from ICMP), so a path MTU probe of
// such a size would arrive as fragments and look carried. The core's path MTU discovery is
// therefore capped by what this returns; fragments multiply loss and many firewalls drop them
// (RFC 8900).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { trace } from './trace.js';

const IPV4_UDP_HEADERS = 28;
const IPV6_UDP_HEADERS = 48;
const MAX_UDP_PAYLOAD = 65_507;
const ROUTE_QUERY_TIMEOUT_MS = 1000;

export interface RouteInfo {
  /** The interface the route leaves by. */
  dev: string | null;
  /** A path MTU on the route itself (learned from ICMP, or set on the route), if any. */
  mtu: number | null;
}

/** Reads `ip -o route get` output: "10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \    cache expires 590sec mtu 1400". */
export function parseRouteGet(text: string): RouteInfo {
  const dev = /\bdev (\S+)/.exec(text)?.[1] ?? null;
  const mtu = /\bmtu (?:lock )?(\d+)/.exec(text)?.[1];
  return { dev, mtu: mtu === undefined ? null : Number(mtu) };
}

/** Largest UDP payload for an IP-level MTU. */
export function payloadFor(mtu: number, ipv6: boolean): number {
  return Math.min(MAX_UDP_PAYLOAD, mtu - (ipv6 ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS));
}

function routeGet(address: string): Promise<RouteInfo | null> {
  return new Promise((resolve) => {
    execFile('ip', ['-o', 'route', 'get', address], { timeout: ROUTE_QUERY_TIMEOUT_MS }, (err, stdout) => {
      resolve(err ? null : parseRouteGet(stdout));
    });
  });
}

async function interfaceMtu(dev: string): Promise<number | null> {
  try {
    const v = Number((await readFile(`/sys/class/net/${dev}/mtu`, 'utf8')).trim());
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

/** Without `ip`: our own addresses (loopback among them) leave by the interface that holds them. */
function localInterface(address: string): string | null {
  if (address.startsWith('127.') || address === '::1') return 'lo';
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (addrs?.some((a) => a.address === address)) return name;
  }
  return null;
}

/**
 * The largest UDP payload towards `address` that the kernel sends unfragmented, or null when it
 * cannot be told (no `ip` command and not a local address, or not Linux).
 */
export async function pathMtuCap(address: string): Promise<number | null> {
  const host = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  const ipv6 = isIP(host) === 6;
  trace('path mtu: ip route get');
  const route = await routeGet(host);
  const dev = route?.dev ?? localInterface(host);
  const devMtu = dev === null ? null : await interfaceMtu(dev);
  const mtus = [devMtu, route?.mtu ?? null].filter((m): m is number => m !== null);
  const cap = mtus.length === 0 ? null : payloadFor(Math.min(...mtus), ipv6);
  trace(`path mtu: cap ${cap}`);
  return cap;
}
