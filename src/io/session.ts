// A connection as the app sees it: streams as Duplexes, peer-opened streams as 'stream'
// events, and promises for 'connected' and 'closed'.
import { EventEmitter } from 'node:events';
import { AppError, type CloseReason, type ConnectionEvent, type ConnectionHandle, type ConnectionStats } from '../core/api.js';
import { Driver } from './driver.js';
import { ConnectionClosedError } from './errors.js';
import type { DatagramPort, PeerAddress } from './network.js';
import { XferStream, type StreamHost } from './stream.js';
import { trace } from './trace.js';

export interface SessionOptions {
  conn: ConnectionHandle;
  port: DatagramPort;
  peer: PeerAddress | null;
  /** Server: follow the peer's address until connected (see Driver). */
  follow: boolean;
  clock: () => number;
  /** Runs once after 'closed' (e.g. closes a client's socket). */
  onClosed?: () => Promise<void>;
}

/** How often the outgoing interface's MTU is read again during a connection. */
const PATH_MTU_RECHECK_MS = 10_000;
/**
 * A server reads it this long after the handshake, not at once: starting `ip` costs this thread
 * milliseconds, and the client's first request comes right behind the handshake. Until then
 * datagrams stay at the size every path carries, which a server's answers and ACKs fit anyway.
 */
const PATH_MTU_SERVER_DELAY_MS = 500;

interface Waiter {
  resolve(s: XferStream): void;
  reject(err: Error): void;
}

/**
 * Events: 'stream' (XferStream) for every peer-opened stream; 'auth_failed' (its PeerAddress)
 * when a client with a wrong code was turned away (server); 'version_mismatch' (its version) when a client of another
 * protocol version was (server); 'connected'; 'closed' (CloseReason).
 */
export class Session extends EventEmitter implements StreamHost {
  readonly conn: ConnectionHandle;
  closedError: Error | null = null;
  /** Resolves with why the connection ended; never rejects. */
  readonly closed: Promise<CloseReason>;
  /** Resolves once the handshake is done; rejects with ConnectionClosedError if it never is. */
  readonly connected: Promise<void>;
  private readonly driver: Driver;
  private readonly streams = new Map<number, XferStream>();
  private readonly waiters: Waiter[] = [];
  /** Peer-opened streams that arrived before anyone listened for 'stream'. */
  private readonly unclaimed: XferStream[] = [];
  private closeReason: CloseReason | null = null;
  private settleClosed!: (r: CloseReason) => void;
  private settleConnected!: (err: Error | null) => void;
  private disposed: Promise<void> | null = null;
  private pathMtuTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: SessionOptions) {
    super();
    this.conn = o.conn;
    this.closed = new Promise((resolve) => (this.settleClosed = resolve));
    this.connected = new Promise((resolve, reject) => {
      this.settleConnected = (err) => (err ? reject(err) : resolve());
    });
    this.connected.catch(() => undefined);
    // The peer may open a stream in the very datagram that completes the handshake, so the
    // 'stream' event can come before the app, resumed by `connected`, had a chance to listen.
    // Such streams wait here and go to the first listener ('newListener' fires before the
    // listener is added, hence the microtask).
    this.on('newListener', (name: string) => {
      if (name === 'stream' && this.unclaimed.length > 0) queueMicrotask(() => this.handOutUnclaimed());
    });
    this.driver = new Driver({
      conn: o.conn,
      port: o.port,
      peer: o.peer,
      follow: o.follow,
      clock: o.clock,
      onEvent: (ev) => this.onEvent(ev),
    });
  }

  /** Starts the connection (a client sends its hello). */
  start(): void {
    this.driver.kick();
    // A client knows its peer: it reads the path MTU while its hello is on the way, when it has
    // nothing else to do, instead of between the handshake and its first request.
    if (this.driver.peerAddress) this.watchPathMtu();
  }

  get closeReasonOrNull(): CloseReason | null {
    return this.closeReason;
  }

  kick(): void {
    this.driver.kick();
  }

  release(id: number): void {
    this.streams.delete(id);
  }

  /** A new stream of ours; waits while the peer's stream limit is reached. */
  openStream(): Promise<XferStream> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.waiters.length === 0) {
      const s = this.tryOpen();
      if (s) return Promise.resolve(s);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Closes the connection (CONNECTION_CLOSE) and resolves once the core reports it closed. */
  async close(errorCode: number, reason: string): Promise<void> {
    if (!this.closeReason) {
      trace(`close ${errorCode} ${reason}`);
      this.conn.close(errorCode, reason, this.o.clock());
      this.driver.kick();
    }
    await this.closed;
    await this.disposed;
  }

  /**
   * Closes without waiting for the peer to answer the close (a round trip) or for the closing
   * period: CONNECTION_CLOSE goes out at once (twice) and the session ends. Only for a side
   * that needs nothing more from the peer and whose peer does not depend on the close arriving.
   */
  async hangUp(errorCode: number, reason: string): Promise<void> {
    if (!this.closeReason) {
      trace(`hang up ${errorCode} ${reason}`);
      this.conn.close(errorCode, reason, this.o.clock());
      this.driver.sendFinal();
      this.finishClose({ kind: 'local', errorCode, reason });
    }
    await this.closed;
    await this.disposed;
  }

  /** Aborts every open stream with `code` (RESET_STREAM + STOP_SENDING). */
  abortStreams(err: Error): void {
    for (const s of [...this.streams.values()]) s.destroy(err);
  }

  /** Stops driving the connection right now, without waiting for the peer (last resort). */
  async dispose(): Promise<void> {
    this.driver.stop();
    if (!this.closeReason) this.finishClose({ kind: 'local', errorCode: 0, reason: 'disposed' });
    await this.disposed;
  }

  stats(): ConnectionStats {
    return this.conn.stats();
  }

  private tryOpen(): XferStream | null {
    const id = this.conn.openStream();
    return id === null ? null : this.adopt(id);
  }

  private adopt(id: number): XferStream {
    const s = new XferStream(this, id);
    this.streams.set(id, s);
    return s;
  }

  private onEvent(ev: ConnectionEvent): void {
    switch (ev.type) {
      case 'connected':
        trace('connected');
        this.settleConnected(null);
        if (!this.pathMtuTimer) {
          this.pathMtuTimer = setTimeout(() => this.watchPathMtu(), PATH_MTU_SERVER_DELAY_MS);
          this.pathMtuTimer.unref();
        }
        this.emit('connected');
        return;
      case 'auth_failed':
        // Events are drained right after the datagram that caused them: the peer is its sender.
        this.emit('auth_failed', this.driver.peerAddress);
        return;
      case 'version_mismatch':
        this.emit('version_mismatch', ev.peerVersion);
        return;
      case 'stream_opened':
        if (!this.streams.has(ev.id)) {
          const stream = this.adopt(ev.id);
          if (this.listenerCount('stream') > 0) this.emit('stream', stream);
          else this.unclaimed.push(stream);
        }
        return;
      case 'stream_readable':
        this.streams.get(ev.id)?.onReadable();
        return;
      case 'stream_writable':
        this.streams.get(ev.id)?.onWritable();
        return;
      case 'stream_finished':
        this.streams.get(ev.id)?.onFinished();
        return;
      case 'stream_reset':
        this.streams.get(ev.id)?.onReset(ev.errorCode);
        return;
      case 'stream_stop_sending':
        this.streams.get(ev.id)?.onStopSending(ev.errorCode);
        return;
      case 'streams_available':
        this.serveWaiters();
        return;
      case 'closed':
        this.finishClose(ev.reason);
        return;
    }
  }

  /**
   * Keeps the core's path MTU cap at what the outgoing interface (and any path MTU the kernel
   * learned from ICMP) allows, now and every PATH_MTU_RECHECK_MS: routes and tunnels change.
   */
  private watchPathMtu(): void {
    const peer = this.driver.peerAddress;
    const query = this.o.port.pathMtu?.bind(this.o.port);
    if (!peer || !query) return;
    const check = (): void => {
      void query(peer).then((cap) => {
        if (cap === null || this.closeReason) return;
        this.conn.setPathMtu(cap, this.o.clock());
        this.driver.kick();
      });
    };
    check();
    this.pathMtuTimer = setInterval(check, PATH_MTU_RECHECK_MS);
    this.pathMtuTimer.unref();
  }

  private handOutUnclaimed(): void {
    while (this.unclaimed.length > 0 && this.listenerCount('stream') > 0) this.emit('stream', this.unclaimed.shift()!);
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && !this.closedError) {
      const s = this.tryOpen();
      if (!s) return;
      this.waiters.shift()!.resolve(s);
    }
  }

  private finishClose(reason: CloseReason): void {
    trace(`closed ${reason.kind}`);
    this.closeReason = reason;
    if (this.pathMtuTimer) clearTimeout(this.pathMtuTimer);
    const err = new ConnectionClosedError(reason);
    this.closedError = err;
    this.driver.stop();
    const graceful = reason.kind === 'local' && reason.errorCode === AppError.NONE;
    for (const s of [...this.streams.values()]) s.onConnectionClosed(graceful ? null : err);
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.settleConnected(err);
    this.disposed = (this.o.onClosed?.() ?? Promise.resolve()).catch(() => undefined);
    this.settleClosed(reason);
    this.emit('closed', reason);
  }
}
