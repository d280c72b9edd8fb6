// HOST[:PORT] and [HOST:]PORT parsing for destinations and listen addresses.
import type { Endpoint } from '../app/api.js';

export const DEFAULT_PORT = 47400;
export const DEFAULT_LISTEN_HOST = '0.0.0.0';

function parsePort(text: string, allowZero: boolean, whole: string): number {
  const v = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v > 65535 || (v === 0 && !allowZero)) {
    throw new RangeError(`invalid port '${text}' in '${whole}' (${allowZero ? '0' : '1'}-65535)`);
  }
  return v;
}

/** Splits "host:port", "[v6]:port", "[v6]", "host" and bare IPv6 into host and optional port text. */
function split(text: string): { host: string; port: string | null } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new RangeError(`invalid address '${text}' (missing ']')`);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new RangeError(`invalid address '${text}'`);
    return { host: text.slice(1, close), port: rest === '' ? null : rest.slice(1) };
  }
  const first = text.indexOf(':');
  // More than one colon without brackets can only be a bare IPv6 address.
  if (first < 0 || first !== text.lastIndexOf(':')) return { host: text, port: null };
  return { host: text.slice(0, first), port: text.slice(first + 1) };
}

/** Destination of send/pipe: HOST[:PORT], default port 47400. */
export function parseDestination(text: string): Endpoint {
  const t = text.trim();
  const { host, port } = split(t);
  if (host === '') throw new RangeError(`invalid destination '${text}' (expected HOST[:PORT])`);
  return { host, port: port === null ? DEFAULT_PORT : parsePort(port, false, t) };
}

/** Listen address: PORT, :PORT, HOST:PORT, [V6]:PORT or HOST; port 0 asks the OS for a free one. */
export function parseListen(text: string): Endpoint {
  const t = text.trim();
  if (t === '') throw new RangeError('empty listen address (expected [HOST:]PORT)');
  if (/^\d+$/.test(t)) return { host: DEFAULT_LISTEN_HOST, port: parsePort(t, true, t) };
  const { host, port } = split(t);
  return {
    host: host === '' ? DEFAULT_LISTEN_HOST : host,
    port: port === null ? DEFAULT_PORT : parsePort(port, true, t),
  };
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** Wildcard listen hosts cannot be dialled; the banner must suggest a real address instead. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '' || host === '[::]';
}
