// XFER_TRACE=1: a timeline on stderr, one line per step of a transfer (process start, module
// loading, lookup, each datagram, the handshake, requests and answers, the write, the close,
// exit), to find where a short transfer spends its time. Each line carries the time since this
// process started and the wall clock, so the lines of two processes (sender and receiver) can
// be merged into one timeline (`sort -k3`). Off, each call costs one boolean test.
import { performance } from 'node:perf_hooks';

const enabled = typeof process !== 'undefined' && Boolean(process.env.XFER_TRACE);

export function tracing(): boolean {
  return enabled;
}

/** One timeline line: "xfer-trace <ms since process start> <epoch ms> <role> <what>". */
export function trace(what: string): void {
  if (!enabled) return;
  const t = performance.now();
  process.stderr.write(`xfer-trace ${t.toFixed(1)} ${(performance.timeOrigin + t).toFixed(1)} ${process.pid} ${what}\n`);
}

/** A datagram's kind for the timeline: the long-header type, or "short" (sealed, opaque here). */
export function datagramKind(d: Uint8Array): string {
  const first = d[0] ?? 0;
  if ((first & 0xc0) !== 0xc0) return 'short';
  return ['client_hello', 'server_hello', 'reject', 'abort'][first & 0x0f] ?? 'long?';
}
