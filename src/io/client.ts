// Client side: resolve, connect a socket, run the handshake, map its failures to user errors.
import { AppError } from '../core/api.js';
import { XferError } from '../app/api.js';
import type { CloseReason } from '../core/api.js';
import { SAME_RELEASE, describeClose, speaksOtherVersion } from './errors.js';
import { Session } from './session.js';
import { trace } from './trace.js';
import { connectionOptions, seconds, type ConnParams, type TransportDeps } from './transport.js';
import { REJECT_BUSY } from '../core/api.js';

export interface ClientParams extends ConnParams {
  host: string;
  port: number;
  onPhase?(phase: 'resolving' | 'handshake'): void;
}

/** Resolves with a connected session; rejects with an XferError (unreachable, wrong_code, interrupted). */
export async function connectClient(deps: TransportDeps, p: ClientParams): Promise<Session> {
  p.onPhase?.('resolving');
  trace(`resolve ${p.host}`);
  let address: string;
  try {
    address = await deps.network.resolve(p.host);
  } catch {
    throw new XferError('unreachable', `cannot resolve ${p.host}`);
  }
  if (p.signal?.aborted) throw new XferError('interrupted', 'interrupted');
  trace(`connect socket to ${address}:${p.port}`);
  let port;
  try {
    port = await deps.network.connect(address, p.port);
  } catch (e) {
    throw new XferError('unreachable', `cannot reach ${p.host}:${p.port}: ${(e as Error).message}`);
  }
  const session = new Session({
    conn: deps.makeConnection(connectionOptions(deps, 'client', p)),
    port,
    peer: { address, port: p.port },
    follow: false,
    clock: deps.clock,
    onClosed: () => port.close(),
  });
  p.onPhase?.('handshake');
  await handshake(session, p);
  return session;
}

async function handshake(session: Session, p: ClientParams): Promise<void> {
  const onAbort = (): void => void session.close(AppError.CANCELLED, 'cancelled');
  p.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    session.start();
    if (p.signal?.aborted) onAbort();
    await session.connected;
  } catch {
    throw handshakeError(session.closeReasonOrNull, p);
  } finally {
    p.signal?.removeEventListener('abort', onAbort);
  }
}

function handshakeError(reason: CloseReason | null, p: ClientParams): XferError {
  if (p.signal?.aborted) return new XferError('interrupted', 'interrupted');
  switch (reason?.kind) {
    case 'handshake_timeout':
      return new XferError('unreachable', timeoutMessage(reason.rejectedWith, p));
    case 'wrong_code':
      return new XferError('wrong_code', 'the code is wrong (the receiver answered under another code)');
    case 'version_mismatch':
      return new XferError(
        'unreachable',
        `${p.host}:${p.port} ${speaksOtherVersion(reason.peerVersion)}: ${SAME_RELEASE}`,
      );
    default:
      return new XferError('unreachable', `cannot connect to ${p.host}:${p.port}: ${reason ? describeClose(reason) : 'unknown error'}`);
  }
}

/**
 * A REJECT is unauthenticated (anyone who saw our hello can forge one), so it never ends the
 * handshake early; when nothing better came before the timeout, it is named as what it is.
 */
function timeoutMessage(rejectedWith: number | undefined, p: ClientParams): string {
  const after = `after ${seconds(p.handshakeTimeoutMs)} s`;
  if (rejectedWith === undefined) {
    return `no answer from ${p.host}:${p.port} ${after} (no receiver listening there, or one too old to name its protocol version)`;
  }
  const said = rejectedWith === REJECT_BUSY ? 'it is busy with another sender' : `refused (reason ${rejectedWith})`;
  return `no usable answer from ${p.host}:${p.port} ${after}: an unauthenticated reply said ${said}`;
}
