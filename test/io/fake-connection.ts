// An in-memory stand-in for core/connection.ts that speaks a trivial message format over
// datagrams. It assumes no loss and no reordering (memory network, or loopback UDP in small
// tests). Per-stream credit is tiny (bufferLimit) so backpressure is exercised constantly:
// a sender may only have `bufferLimit` bytes that the peer's app has not read yet.
import type {
  CloseReason,
  ConnectionEvent,
  ConnectionHandle,
  ConnectionOptions,
  ConnectionStats,
  StreamReadResult,
} from '../../src/core/api.js';
import type { ConnectionFactory } from '../../src/io/transport.js';

export interface FakeOptions {
  /** Unread bytes a stream may have outstanding at the peer (default 4096). */
  bufferLimit?: number;
  /** Concurrent streams each side lets the other open (default 100). */
  maxStreams?: number;
  /** Bytes per DATA message (default 1000). */
  chunk?: number;
  /** May rewrite stream payloads on arrival (to fake corruption). */
  tamper?: (data: Uint8Array) => Uint8Array;
  /** Every connection made by the factory, for inspection. */
  made?: FakeConnection[];
}

const enum T { Hello, Welcome, Reject, Data, Fin, FinAck, Credit, Reset, Stop, Streams, Close, Ping }

interface Msg { t: T; id: number; n: number; payload: Uint8Array }

function encode(m: Msg): Uint8Array {
  const out = new Uint8Array(9 + m.payload.length);
  const v = new DataView(out.buffer);
  out[0] = m.t;
  v.setUint32(1, m.id);
  v.setUint32(5, m.n);
  out.set(m.payload, 9);
  return out;
}

function decode(b: Uint8Array): Msg {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { t: b[0]!, id: v.getUint32(1), n: v.getUint32(5), payload: b.slice(9) };
}

interface FStream {
  peerInitiated: boolean;
  sent: number;
  peerConsumed: number;
  blocked: boolean;
  finSent: boolean;
  finAcked: boolean;
  resetSent: boolean;
  recv: Uint8Array[];
  recvFin: boolean;
  finDelivered: boolean;
  resetRecv: boolean;
  stopped: boolean;
  released: boolean;
}

const EMPTY = new Uint8Array(0);
const text = new TextEncoder();
const untext = new TextDecoder();

export class FakeConnection implements ConnectionHandle {
  readonly role: 'client' | 'server';
  private readonly limit: number;
  private readonly chunk: number;
  private readonly out: Msg[] = [];
  private readonly events: ConnectionEvent[] = [];
  private readonly streams = new Map<number, FStream>();
  private nextLocal: number;
  private localOpened = 0;
  private peerMaxStreams: number;
  private allowedPeer: number;
  private helloSent = false;
  private connected = false;
  private closing: CloseReason | null = null;
  private closed = false;
  private lastRecv: number;
  private lastSend: number;
  private readonly hsDeadline: number;
  readonly writes: number[] = [];
  packetsSent = 0;
  packetsReceived = 0;

  constructor(private readonly opts: ConnectionOptions, private readonly f: FakeOptions = {}) {
    this.role = opts.role;
    this.limit = f.bufferLimit ?? 4096;
    this.chunk = f.chunk ?? 1000;
    this.nextLocal = opts.role === 'client' ? 0 : 1;
    this.peerMaxStreams = f.maxStreams ?? 100;
    this.allowedPeer = f.maxStreams ?? 100;
    this.lastRecv = opts.now;
    this.lastSend = opts.now;
    this.hsDeadline = opts.now + (opts.handshakeTimeoutMs ?? 10_000);
  }

  get isConnected(): boolean { return this.connected && !this.closed; }
  get isClosed(): boolean { return this.closed; }

  /** What the io layer last said the path allows (setPathMtu). */
  pathMtu = 0;

  setPathMtu(maxPayload: number): void {
    this.pathMtu = maxPayload;
  }

  handleDatagram(buf: Uint8Array, now: number): void {
    if (this.closed) return;
    this.packetsReceived++;
    this.lastRecv = now;
    const m = decode(buf);
    switch (m.t) {
      case T.Hello: return this.onHello(m);
      case T.Welcome: if (!this.connected) { this.connected = true; this.ev({ type: 'connected' }); } return;
      case T.Reject: return this.finish({ kind: 'wrong_code' });
      case T.Close: return this.finish({ kind: 'peer', errorCode: m.n, reason: untext.decode(m.payload) });
      case T.Streams: this.peerMaxStreams = m.n; this.ev({ type: 'streams_available' }); return;
      case T.Ping: return;
      default: return this.onStreamMsg(m);
    }
  }

  private onHello(m: Msg): void {
    if (this.role !== 'server' || this.connected) return;
    if (untext.decode(m.payload) === this.opts.code) {
      this.connected = true;
      this.send(T.Welcome);
      this.ev({ type: 'connected' });
    } else {
      // As the real core: the attempt ends the server's connection (the listener makes a new
      // one), and the client hears of it (the real one from the server hello's confirmation).
      this.ev({ type: 'auth_failed' });
      this.finish({ kind: 'wrong_code' });
      this.lastWords.push({ t: T.Reject, id: 0, n: 0, payload: EMPTY });
    }
  }

  private onStreamMsg(m: Msg): void {
    const s = this.streams.get(m.id) ?? this.peerStream(m.id);
    if (!s) return;
    switch (m.t) {
      case T.Data:
        if (s.stopped || s.resetRecv) return;
        s.recv.push(this.f.tamper ? this.f.tamper(m.payload) : m.payload);
        this.ev({ type: 'stream_readable', id: m.id });
        return;
      case T.Fin:
        s.recvFin = true;
        this.send(T.FinAck, m.id);
        if (!s.stopped) this.ev({ type: 'stream_readable', id: m.id });
        return;
      case T.FinAck:
        s.finAcked = true;
        this.ev({ type: 'stream_finished', id: m.id });
        return this.maybeRelease(m.id, s);
      case T.Credit:
        s.peerConsumed += m.n;
        if (s.blocked) {
          s.blocked = false;
          this.ev({ type: 'stream_writable', id: m.id });
        }
        return;
      case T.Reset:
        if (s.resetRecv) return;
        s.resetRecv = true;
        s.recv = [];
        this.ev({ type: 'stream_reset', id: m.id, errorCode: m.n });
        return this.maybeRelease(m.id, s);
      case T.Stop:
        this.ev({ type: 'stream_stop_sending', id: m.id, errorCode: m.n });
        if (!s.finAcked && !s.resetSent) {
          s.resetSent = true;
          this.send(T.Reset, m.id, m.n);
        }
        return this.maybeRelease(m.id, s);
    }
  }

  private peerStream(id: number): FStream | null {
    const mine = (id & 1) === (this.role === 'client' ? 0 : 1);
    if (mine) return null;
    const s = newStream(true);
    this.streams.set(id, s);
    this.ev({ type: 'stream_opened', id });
    return s;
  }

  pollTransmit(now: number): Uint8Array | null {
    if (this.closed) return this.lastWords.length > 0 ? encode(this.lastWords.shift()!) : null;
    if (this.role === 'client' && !this.helloSent) {
      this.helloSent = true;
      this.lastSend = now;
      this.packetsSent++;
      return encode({ t: T.Hello, id: 0, n: 0, payload: text.encode(this.opts.code) });
    }
    const m = this.out.shift();
    if (!m) return null;
    this.lastSend = now;
    this.packetsSent++;
    if (m.t === T.Close && this.closing) this.finish(this.closing);
    return encode(m);
  }

  pollTimeout(): number | null {
    if (this.closed) return null;
    if (!this.connected) return this.role === 'client' ? this.hsDeadline : null;
    const idle = this.lastRecv + (this.opts.idleTimeoutMs ?? 30_000);
    const keepAlive = this.lastSend + (this.opts.keepAliveMs ?? 5_000);
    return Math.min(idle, keepAlive);
  }

  handleTimeout(now: number): void {
    if (this.closed) return;
    if (!this.connected) {
      if (this.role === 'client' && now >= this.hsDeadline) this.finish({ kind: 'handshake_timeout' });
      return;
    }
    if (now >= this.lastRecv + (this.opts.idleTimeoutMs ?? 30_000)) return this.finish({ kind: 'idle_timeout' });
    if (now >= this.lastSend + (this.opts.keepAliveMs ?? 5_000)) this.send(T.Ping);
  }

  pollEvent(): ConnectionEvent | null {
    return this.events.shift() ?? null;
  }

  openStream(): number | null {
    if (!this.isConnected || this.closing || this.localOpened >= this.peerMaxStreams) return null;
    const id = this.nextLocal;
    this.nextLocal += 2;
    this.localOpened++;
    this.streams.set(id, newStream(false));
    return id;
  }

  streamWrite(id: number, data: Uint8Array): number {
    const s = this.streams.get(id);
    if (!s || s.finSent || s.resetSent || this.closed) return 0;
    const room = this.limit - (s.sent - s.peerConsumed);
    const n = Math.max(0, Math.min(room, data.length));
    if (n < data.length) s.blocked = true;
    for (let off = 0; off < n; off += this.chunk) {
      this.send(T.Data, id, 0, data.slice(off, Math.min(n, off + this.chunk)));
    }
    s.sent += n;
    this.writes.push(n);
    return n;
  }

  streamFinish(id: number): void {
    const s = this.streams.get(id);
    if (!s || s.finSent || s.resetSent) return;
    s.finSent = true;
    this.send(T.Fin, id);
    this.maybeRelease(id, s);
  }

  streamRead(id: number, maxBytes = 65536): StreamReadResult | null {
    const s = this.streams.get(id);
    if (!s || s.stopped || s.resetRecv || s.finDelivered) return null;
    if (s.recv.length === 0) {
      if (!s.recvFin) return null;
      s.finDelivered = true;
      this.maybeRelease(id, s);
      return { data: EMPTY, fin: true };
    }
    const data = take(s.recv, maxBytes);
    this.send(T.Credit, id, data.length);
    const fin = s.recv.length === 0 && s.recvFin;
    if (fin) {
      s.finDelivered = true;
      this.maybeRelease(id, s);
    }
    return { data, fin };
  }

  streamReset(id: number, errorCode: number): void {
    const s = this.streams.get(id);
    if (!s || s.finAcked || s.resetSent) return;
    s.resetSent = true;
    this.send(T.Reset, id, errorCode);
    this.maybeRelease(id, s);
  }

  streamStopSending(id: number, errorCode: number): void {
    const s = this.streams.get(id);
    if (!s || s.stopped || s.finDelivered || s.resetRecv) return;
    s.stopped = true;
    s.recv = [];
    this.send(T.Stop, id, errorCode);
    this.maybeRelease(id, s);
  }

  close(errorCode: number, reason: string): void {
    if (this.closed || this.closing) return;
    if (!this.connected) return this.finish({ kind: 'local', errorCode, reason });
    this.closing = { kind: 'local', errorCode, reason };
    this.out.length = 0;
    this.send(T.Close, 0, errorCode, text.encode(reason));
  }

  stats(): ConnectionStats {
    return {
      rttMs: 1, minRttMs: 1, cwndBytes: this.limit, bytesInFlight: 0, pacingRateBytesPerSec: 0,
      packetsSent: this.packetsSent, ackPacketsSent: 0, packetsReceived: this.packetsReceived, packetsLost: 0,
      bytesSent: 0, bytesReceived: 0, retransmittedBytes: 0, droppedMalformed: 0,
      droppedUnauthenticated: 0, lossRate: 0, datagramSize: 1200, datagramCap: this.pathMtu,
      mtuProbesSent: 0, mtuProbesLost: 0, mtuBlackHoles: 0, spuriousLosses: 0, spuriousBytes: 0,
      reorderThreshold: 3, reorderWindowMs: 1,
    };
  }

  /** Streams this side still tracks as open (not yet released). */
  openStreamCount(): number {
    return [...this.streams.values()].filter((s) => !s.released).length;
  }

  private maybeRelease(id: number, s: FStream): void {
    const recvOver = s.finDelivered || s.resetRecv || s.stopped;
    const sendOver = s.finSent || s.resetSent;
    if (s.released || !recvOver || !sendOver) return;
    s.released = true;
    if (!s.peerInitiated || this.closing || this.closed) return;
    this.allowedPeer++;
    this.send(T.Streams, id, this.allowedPeer);
  }

  /** Sent after the close (the real core's ABORT works so). */
  private readonly lastWords: Msg[] = [];

  private send(t: T, id = 0, n = 0, payload: Uint8Array = EMPTY): void {
    this.out.push({ t, id, n, payload });
  }

  private ev(e: ConnectionEvent): void {
    this.events.push(e);
  }

  private finish(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.out.length = 0;
    this.ev({ type: 'closed', reason });
  }
}

function newStream(peerInitiated: boolean): FStream {
  return {
    peerInitiated, sent: 0, peerConsumed: 0, blocked: false, finSent: false, finAcked: false,
    resetSent: false, recv: [], recvFin: false, finDelivered: false, resetRecv: false,
    stopped: false, released: false,
  };
}

function take(queue: Uint8Array[], max: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  while (queue.length > 0 && n < max) {
    const head = queue[0]!;
    const want = max - n;
    if (head.length <= want) {
      parts.push(queue.shift()!);
      n += head.length;
    } else {
      parts.push(head.subarray(0, want));
      queue[0] = head.subarray(want);
      n += want;
    }
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function fakeFactory(f: FakeOptions = {}): ConnectionFactory {
  return (opts) => {
    const c = new FakeConnection(opts, f);
    f.made?.push(c);
    return c;
  };
}
