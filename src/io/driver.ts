// Runs one sans-IO connection on one datagram port: feeds it datagrams and the clock, sends
// what it hands out, keeps exactly one timer armed at pollTimeout(), and drains its events.
import type { ConnectionEvent, ConnectionHandle } from '../core/api.js';
import { sameAddress, type DatagramPort, type PeerAddress } from './network.js';
import { datagramKind, trace, tracing } from './trace.js';

/** Datagrams sent per turn before yielding, so incoming ACKs are not starved by a long burst. */
const SEND_BATCH = 64;

export interface DriverOptions {
  conn: ConnectionHandle;
  port: DatagramPort;
  /** Where to send. A client knows it; a server learns it from the first datagram. */
  peer: PeerAddress | null;
  /** Server: reply to whoever sent the last datagram until connected, then only that peer. */
  follow: boolean;
  clock: () => number;
  onEvent(ev: ConnectionEvent): void;
}

export class Driver {
  private readonly conn: ConnectionHandle;
  private peer: PeerAddress | null;
  private locked: boolean;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private timerAt: number | null = null;
  private busy = false;
  private again = false;
  private flushScheduled = false;
  private ackFlushScheduled = false;
  /** Set while handling a datagram: bare ACKs wait for flushAcksSoon(). */
  private holdAcks = false;
  private stopped = false;

  constructor(private readonly o: DriverOptions) {
    this.conn = o.conn;
    this.peer = o.peer;
    this.locked = !o.follow;
    o.port.setHandler((buf, from) => this.onDatagram(buf, from));
  }

  /** Who we talk to: known from the start for a client, from the first datagram for a server. */
  get peerAddress(): PeerAddress | null {
    return this.peer;
  }

  /** Call after every call into the connection: drains events, sends, re-arms the timer. */
  kick(): void {
    this.service();
  }

  /**
   * Sends what the connection has due now (after close(): its CONNECTION_CLOSE), each datagram
   * twice, then stops: the last words of a side that will not wait for an answer. The copy
   * leaves with the original, so one lost datagram does not leave the peer waiting for its
   * idle timeout.
   */
  sendFinal(): void {
    if (this.stopped || !this.peer) return this.stop();
    const now = this.o.clock();
    for (let d = this.conn.pollTransmit(now); d; d = this.conn.pollTransmit(now)) {
      const copy = d.slice();
      this.send(d, this.peer);
      this.send(copy, this.peer);
    }
    this.stop();
  }

  /** Detaches from the port and drops the timer; the connection is not touched again. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    this.o.port.setHandler(null);
  }

  private onDatagram(buf: Uint8Array, from: PeerAddress): void {
    if (this.stopped) return;
    if (this.locked) {
      // The same object is the same address: the UDP port hands out one per sender, so this is
      // usually a pointer compare instead of two address normalisations per datagram.
      if (this.peer && from !== this.peer && !sameAddress(from, this.peer)) return;
    } else {
      this.peer = from;
    }
    if (tracing()) trace(`in ${buf.length} ${datagramKind(buf)}`);
    this.conn.handleDatagram(buf, this.o.clock());
    // libuv hands over every datagram that waits (up to 32) in one go. What the datagram allows
    // (data freed by an ACK) goes out at once, as ACK-clocked sending needs; a bare ACK waits
    // for the end of the burst, so one ACK covers all of it instead of one per two packets.
    // Both ends spend most of their CPU per datagram sent: on a busy host this keeps the
    // receiver ahead of the link.
    this.holdAcks = true;
    try {
      this.service();
    } finally {
      this.holdAcks = false;
    }
    this.flushAcksSoon();
  }

  private flushAcksSoon(): void {
    if (this.ackFlushScheduled || this.stopped) return;
    this.ackFlushScheduled = true;
    setImmediate(() => {
      this.ackFlushScheduled = false;
      this.service();
    });
  }

  private service(): void {
    if (this.stopped) return;
    if (this.busy) {
      // An event handler called back into us; finish that work in the running loop.
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        this.drain();
        if (!this.flushScheduled && !this.stopped) this.flush();
        this.drain();
      } while (this.again && !this.stopped);
    } finally {
      this.busy = false;
    }
    if (!this.stopped) this.rearm();
  }

  private drain(): void {
    for (let ev = this.conn.pollEvent(); ev; ev = this.stopped ? null : this.conn.pollEvent()) {
      if (ev.type === 'connected' && this.o.follow) this.locked = true;
      if (ev.type === 'closed') {
        // A connection closed by the peer still answers its close (one datagram).
        this.sendLast();
        this.stop();
      }
      this.o.onEvent(ev);
    }
  }

  private flush(): void {
    const now = this.o.clock();
    for (let sent = 0; sent < SEND_BATCH; sent++) {
      const d = this.conn.pollTransmit(now, this.holdAcks);
      if (!d) return;
      // A server has nobody to answer before the first datagram; the core never sends first then.
      if (this.peer) this.send(d, this.peer);
    }
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.service();
    });
  }

  private sendLast(): void {
    if (this.stopped || !this.peer) return;
    const now = this.o.clock();
    for (let d = this.conn.pollTransmit(now); d; d = this.conn.pollTransmit(now)) this.send(d, this.peer);
  }

  private send(d: Uint8Array, to: PeerAddress): void {
    if (tracing()) trace(`out ${d.length} ${datagramKind(d)}`);
    this.o.port.send(d, to);
  }

  private rearm(): void {
    const at = this.conn.pollTimeout();
    if (at === null) {
      this.clearTimer();
      return;
    }
    if ((this.timer || this.immediate) && this.timerAt === at) return;
    this.clearTimer();
    this.timerAt = at;
    const wait = at - this.o.clock();
    const fire = (): void => {
      this.timer = null;
      this.immediate = null;
      this.timerAt = null;
      if (this.stopped) return;
      this.conn.handleTimeout(this.o.clock());
      this.service();
    };
    if (wait <= 0) {
      this.immediate = setImmediate(fire);
      return;
    }
    // Node timers have 1 ms resolution, so a pacer wait of tens of microseconds sleeps up to a
    // millisecond. That is the ~1 ms pacing granularity the pacer's 10-packet bucket is sized
    // for, and at speed the ACKs arriving every second packet wake the loop (and send) sooner.
    // Spinning on setImmediate instead kept a core at 100 % even for a rate-limited transfer
    // and starved the receiver and everything else on small hosts.
    // Rounded up: a timer that fires before the deadline would only re-arm itself.
    this.timer = setTimeout(fire, Math.ceil(wait));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.timerAt = null;
  }
}
