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
  /** Failed handshakes this listener accepts in its whole life before it stops (default 3). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

export class Listener {
  private current: Session | null = null;
  /**
   * Handshakes that ended without the client's confirmation, over the listener's life (the code
   * stays the same across --keep-open sessions): each may have tested one guess of the code.
   */
  private failures = 0;
  /** Client shares already answered: an old hello replayed later is not answered again. */
  private readonly answered = new Set<string>();
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
   * Waits for one client with the right code. A failed attempt (wrong code, or a client that
   * never confirmed) is reported (merged, see attempts.ts) and the wait goes on with a fresh
   * connection, until `maxAttempts` have failed: then it rejects with XferError('attempts'), so
   * an online guesser gets at most that many guesses at the code. What was counted is reported
   * before it returns.
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
    const max = p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    for (;;) {
      if (p.signal?.aborted) throw new XferError('interrupted', 'interrupted');
      if (this.failures >= max) throw attemptsError(this.failures);
      const session = new Session({
        conn: this.deps.makeConnection({ ...connectionOptions(this.deps, 'server', p), isFreshHello: (share) => this.fresh(share) }),
        port: this.port,
        peer: null,
        follow: true,
        clock: this.deps.clock,
      });
      this.current = session;
      session.on('auth_failed', (from: PeerAddress | null) => {
        this.failures++;
        this.wrongCodes.note(from);
      });
      session.on('version_mismatch', (v: number) =>
        p.onWarning?.(`a peer speaking xfer protocol ${describeVersion(v)} was turned away: this xfer speaks ${describeVersion(VERSION)}; ${SAME_RELEASE}`),
      );
      session.start();
      if (await this.connectedOrAborted(session, p.signal)) return session;
      await session.dispose();
      if (p.signal?.aborted) throw new XferError('interrupted', 'interrupted');
    }
  }

  private fresh(share: Uint8Array): boolean {
    const key = Buffer.from(share).toString('hex');
    if (this.answered.has(key)) return false;
    this.answered.add(key);
    return true;
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

function attemptsError(failures: number): XferError {
  return new XferError(
    'attempts',
    `stopped listening after ${failures} failed attempts to connect (a wrong code, or someone guessing it); run xfer again for a new code`,
  );
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
