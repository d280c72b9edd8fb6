// What every transfer shares: cancellation, turning a lost connection into a user error, and
// the summary.
import { AppError, type CloseReason, type ConnectionStats } from '../core/api.js';
import { ConnectionClosedError, describeClose, StreamAbort } from '../io/errors.js';
import type { Session } from '../io/session.js';
import { seconds, type ConnParams } from '../io/transport.js';
import { XferError, type Endpoint, type ItemResult, type TransferSummary, type TransportOptions } from './api.js';
import type { PeerAddress } from '../io/network.js';
import type { Tally } from './tally.js';

/** How long a cancelled transfer waits for the peer to see our CONNECTION_CLOSE. */
const CANCEL_GRACE_MS = 2000;
/**
 * After Ctrl-C the close is sent at once and repeated for every packet the peer still sends, but
 * the full closing period (three probe timeouts) can outlast the CLI's one-second promise on a
 * slow path, so an interrupted transfer stops waiting after this long.
 */
const INTERRUPT_GRACE_MS = 400;

export type PeerRole = 'sender' | 'receiver';

/** The peer cancelled a stream (CANCELLED): it is cancelling the whole transfer. */
export class PeerCancelled extends Error {
  constructor() {
    super('the peer cancelled the transfer');
  }
}

export function connParams(o: TransportOptions): ConnParams {
  return {
    code: o.code,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    congestion: o.congestion,
    maxSendRate: o.rateLimit,
    maxDatagram: o.maxDatagram ?? 0,
    signal: o.signal,
  };
}

/**
 * Runs `work` on a connected session. On abort every stream is reset with CANCELLED and the
 * connection closed with CANCELLED; `work` must then settle (its streams fail) and the result
 * is XferError('interrupted'). If the connection dies under `work`, the close reason decides
 * the error (peer_gone for idle timeouts and peer closes).
 */
export async function runTransfer<T>(session: Session, o: TransportOptions, peer: PeerRole, work: () => Promise<T>): Promise<T> {
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    session.abortStreams(new StreamAbort(AppError.CANCELLED, 'cancelled'));
    // Bounded: a peer that never answers must not keep a cancelled transfer alive.
    void closeWithin(session, INTERRUPT_GRACE_MS);
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal.aborted) onAbort();
    const result = await work();
    if (aborted) throw new XferError('interrupted', 'interrupted');
    return result;
  } catch (e) {
    if (aborted) {
      await session.closed;
      throw new XferError('interrupted', 'interrupted');
    }
    if (e instanceof PeerCancelled) {
      // Its CONNECTION_CLOSE is on the way; give it a moment before hanging up ourselves.
      await within(session.closed, CANCEL_GRACE_MS);
      await closeWithin(session, CANCEL_GRACE_MS);
      throw new XferError('peer_gone', `the ${peer} cancelled the transfer`);
    }
    const reason = session.closeReasonOrNull;
    if (reason) throw closeError(reason, o, peer);
    await closeWithin(session, CANCEL_GRACE_MS, AppError.CANCELLED, 'internal error');
    throw e instanceof XferError ? e : new XferError('internal', (e as Error).message ?? String(e));
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
}

async function closeWithin(session: Session, ms: number, code: number = AppError.CANCELLED, reason = 'cancelled'): Promise<void> {
  await within(session.close(code, reason), ms);
  await session.dispose();
}

/** Waits for `p` but at most `ms` (the timer keeps the process alive meanwhile, on purpose). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([p.then(() => undefined, () => undefined), late]);
  clearTimeout(timer);
}

/** The user-facing error for a connection that ended while work was still going on. */
export function closeError(reason: CloseReason, o: TransportOptions, peer: PeerRole): XferError {
  switch (reason.kind) {
    case 'idle_timeout':
      return new XferError('peer_gone', `the ${peer} went away (no answer for ${seconds(o.idleTimeoutMs)} s)`);
    case 'peer':
      if (reason.errorCode === AppError.CANCELLED) return new XferError('peer_gone', `the ${peer} cancelled the transfer`);
      return new XferError('peer_gone', `the ${peer} closed the connection (${describeClose(reason)})`);
    case 'protocol_error':
      return new XferError('peer_gone', `the connection failed: ${describeClose(reason)}`);
    default:
      return new XferError('internal', `the connection ended unexpectedly: ${describeClose(reason)}`);
  }
}

/** The summary of a file transfer, from its tally (counts exact, the item list maybe capped). */
export function summaryOf(t: Tally, elapsedMs: number, stats: ConnectionStats | null): TransferSummary {
  return { items: t.items, counts: t.counts(), bytes: t.bytes, elapsedMs, stats: stats ? formatStats(stats) : {} };
}

export function summary(items: ItemResult[], elapsedMs: number, stats: ConnectionStats | null): TransferSummary {
  const bytes = items.reduce((n, i) => n + (i.ok ? i.bytes : 0), 0);
  return { items, bytes, elapsedMs, stats: stats ? formatStats(stats) : {} };
}

function formatStats(s: ConnectionStats): Record<string, string | number> {
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    'rtt ms': r1(s.rttMs),
    'min rtt ms': r1(s.minRttMs),
    'cwnd bytes': Math.round(s.cwndBytes),
    'pacing rate bytes/s': Math.round(s.pacingRateBytesPerSec),
    'packets sent': s.packetsSent,
    'ACK-only packets sent': s.ackPacketsSent,
    'packets received': s.packetsReceived,
    'packets lost': s.packetsLost,
    'loss rate': `${(s.lossRate * 100).toFixed(2)}%`,
    'bytes sent': s.bytesSent,
    'bytes received': s.bytesReceived,
    'retransmitted bytes': s.retransmittedBytes,
    'spurious losses (bytes)': `${s.spuriousLosses} (${s.spuriousBytes})`,
    'reorder tolerance': `${s.reorderThreshold} packets, ${r1(s.reorderWindowMs)} ms`,
    'dropped malformed': s.droppedMalformed,
    'dropped unauthenticated': s.droppedUnauthenticated,
    'datagram size': s.datagramSize,
    'datagram cap': s.datagramCap,
    'mtu probes sent/lost': `${s.mtuProbesSent}/${s.mtuProbesLost}`,
    'mtu black holes': s.mtuBlackHoles,
  };
}

/**
 * The whole transfer is over: the connection closed, or our own cancel (runTransfer aborts every
 * stream with CANCELLED). Other aborts of ours (stall, source error) end one stream only.
 */
export function isTransferLost(e: unknown): boolean {
  return e instanceof ConnectionClosedError || (e instanceof StreamAbort && e.code === AppError.CANCELLED);
}

/** "no such file", "permission denied"... from a Node fs error. */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOSPC': return 'no space left on device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EROFS': return 'read-only file system';
    case 'ENOTDIR': return 'not a directory';
    default: return err?.code ?? err?.message ?? String(e);
  }
}

export function toEndpoint(a: PeerAddress): Endpoint {
  return { host: a.address, port: a.port };
}

/**
 * The transfer's time runs from the connection being up to the receiver's answer for the last
 * item, as iperf3 times its data: neither the handshake before nor the close after (a round
 * trip in which the peers only agree to hang up) moves a byte. A transfer that failed or was
 * interrupted never got that answer; its time runs to the end.
 */
export function transferTime(t0: number, done: number | null, end: number): number {
  return (done ?? end) - t0;
}
