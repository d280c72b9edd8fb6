// Server side: one bound socket that serves one connection at a time (a fresh one per accept).
import { VERSION, describeVersion } from '../core/wire/header.js';
import { XferError } from '../app/api.js';
import type { DatagramPort, PeerAddress } from './network.js';
import { Session } from './session.js';
import { WrongCodeLog, type WrongCodeReport } from './attempts.js';
import { SAME_RELEASE } from './errors.js';
import { connectionOptions, type ConnParams, type TransportDeps } from './transport.js';

export interface AcceptParams extends ConnParams {
  onWarning?(message: string): void;
  /** Wrong-code attempts, merged: the first at once, then one report per interval (attempts.ts). */
  onWrongCode?(report: WrongCodeReport): void;
}

export class Listener {
  private current: Session | null = null;
  private onWrongCode: AcceptParams['onWrongCode'];
  /** Kept across accepts: a flood that spans a --keep-open session is still one series. */
  private readonly wrongCodes: WrongCodeLog;

  private constructor(private readonly deps: TransportDeps, private readonly port: DatagramPort) {
    this.wrongCodes = new WrongCodeLog(deps.clock, (r) => this.onWrongCode?.(r));
  }

  /** Binds host:port; rejects with XferError('bind') when that is not possible. */
  static async open(deps: TransportDeps, host: string, port: number): Promise<Listener> {
    try {
      return new Listener(deps, await deps.network.bind(host, port));
    } catch (e) {
      throw bindError(e as NodeJS.ErrnoException, host, port);
    }
  }

  address(): PeerAddress {
    return this.port.address();
  }

  /**
   * Waits for one client with the right code. Wrong-code attempts are reported (merged, see
   * attempts.ts) and the wait goes on; a handshake that dies half-way is replaced by a fresh
   * connection. What was counted is reported before it returns.
   */
  async accept(p: AcceptParams): Promise<Session> {
    this.onWrongCode = p.onWrongCode;
    try {
      return await this.acceptOne(p);
    } finally {
      this.wrongCodes.flush();
    }
  }

  private async acceptOne(p: AcceptParams): Promise<Session> {
    for (;;) {
      if (p.signal?.aborted) throw new XferError('interrupted', 'interrupted');
      const session = new Session({
        conn: this.deps.makeConnection(connectionOptions(this.deps, 'server', p)),
        port: this.port,
        peer: null,
        follow: true,
        clock: this.deps.clock,
      });
      this.current = session;
      session.on('auth_failed', (from: PeerAddress | null) => this.wrongCodes.note(from));
      session.on('version_mismatch', (v: number) =>
        p.onWarning?.(`a peer speaking xfer protocol ${describeVersion(v)} was turned away: this xfer speaks ${describeVersion(VERSION)}; ${SAME_RELEASE}`),
      );
      session.start();
      if (await this.connectedOrAborted(session, p.signal)) return session;
      await session.dispose();
      if (p.signal?.aborted) throw new XferError('interrupted', 'interrupted');
    }
  }

  async close(): Promise<void> {
    await this.current?.dispose();
    await this.port.close();
  }

  private connectedOrAborted(session: Session, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      session.connected.then(
        () => resolve(true),
        () => resolve(false),
      ).finally(() => signal?.removeEventListener('abort', onAbort));
    });
  }
}

function bindError(e: NodeJS.ErrnoException, host: string, port: number): XferError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new XferError('bind', `port ${port} is already in use`);
    case 'EACCES':
    case 'EPERM':
      return new XferError('bind', `not allowed to listen on port ${port}`);
    case 'EADDRNOTAVAIL':
      return new XferError('bind', `cannot listen on ${host}: no such local address`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new XferError('bind', `cannot resolve ${host}`);
    default:
      return new XferError('bind', `cannot listen on ${host}:${port}: ${e.message}`);
  }
}
