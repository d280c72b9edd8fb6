// One transport stream as a Node Duplex with real backpressure in both directions:
// - writes complete only once the core accepted every byte, so pipe()/write() producers pause
//   while the send buffer and flow-control window are full;
// - reads pull from the core only while the readable buffer has room; what is not pulled stays
//   in the core, whose flow control then holds the peer back. Nothing buffers without bound here.
// destroy() before both sides are done aborts (RESET_STREAM + STOP_SENDING). Beware: `for await`
// destroys the stream when the loop ends, so it aborts a sending side still in use; read with
// `stream.iterator({ destroyOnReturn: false })` instead.
import { Duplex } from 'node:stream';
import type { ConnectionHandle } from '../core/api.js';
import { abortCode, StreamResetError } from './errors.js';

const READ_CHUNK = 256 * 1024;
const HIGH_WATER = 256 * 1024;

/** What a stream needs from its session. */
export interface StreamHost {
  readonly conn: ConnectionHandle;
  /** Set once the connection is closed: nothing may be called on it any more. */
  readonly closedError: Error | null;
  kick(): void;
  release(id: number): void;
}

type Callback = (err?: Error | null) => void;

export class XferStream extends Duplex {
  /** Set when the peer sent STOP_SENDING; later writes are discarded (listen to 'stopSending'). */
  sendStopped: number | null = null;
  /** Bytes the core has taken from write() so far; with bytesPulled, what --stall-timeout watches. */
  bytesAccepted = 0;
  /** Bytes taken from the core for the readable side so far. */
  bytesPulled = 0;
  private pending: { data: Uint8Array; cb: Callback } | null = null;
  private finalCb: Callback | null = null;
  /** Our sending side is over: FIN acknowledged, reset, or stopped by the peer. */
  private sendDone = false;
  /** Their sending side is over for us: FIN read, reset by the peer, or we stopped it. */
  private recvDone = false;
  private wantData = false;

  constructor(private readonly host: StreamHost, readonly id: number) {
    super({ allowHalfOpen: true, readableHighWaterMark: HIGH_WATER, writableHighWaterMark: HIGH_WATER });
  }

  /** Asks the peer to stop sending (STOP_SENDING); the readable side ends after what is buffered. */
  stopReading(code: number): void {
    if (this.recvDone) return;
    this.recvDone = true;
    this.wantData = false;
    if (!this.host.closedError) {
      try { this.host.conn.streamStopSending(this.id, code); } catch { /* already gone in the core */ }
      this.host.kick();
    }
    this.push(null);
  }

  // ------------------------------------------------------------ writable side

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
    if (this.sendStopped !== null) {
      cb();
      return;
    }
    this.pending = { data: chunk, cb };
    this.pushPending();
  }

  private pushPending(): void {
    const p = this.pending;
    if (!p || this.host.closedError) return;
    let n: number;
    try {
      n = this.host.conn.streamWrite(this.id, p.data);
      this.bytesAccepted += n;
    } catch {
      // The core already reset this side (a STOP_SENDING event is on its way): treat as stopped.
      n = p.data.length;
    }
    // State first: kick() may deliver events that re-enter this stream.
    const done = n >= p.data.length;
    if (done) this.pending = null;
    else p.data = p.data.subarray(n);
    this.host.kick();
    if (done) p.cb();
  }

  override _final(cb: Callback): void {
    if (this.sendDone || this.host.closedError) {
      cb(this.sendDone ? null : this.host.closedError);
      return;
    }
    this.finalCb = cb;
    try { this.host.conn.streamFinish(this.id); } catch { /* reset meanwhile; the event settles it */ }
    this.host.kick();
  }

  /** 'stream_writable': the core has room again. */
  onWritable(): void {
    this.pushPending();
  }

  /** 'stream_finished': everything including FIN was acknowledged, so 'finish' means delivered. */
  onFinished(): void {
    this.sendDone = true;
    this.settleFinal();
  }

  /** 'stream_stop_sending': the core already reset our side; unblock the writer and tell the app. */
  onStopSending(code: number): void {
    if (this.sendDone) return;
    this.sendDone = true;
    this.sendStopped = code;
    const p = this.pending;
    this.pending = null;
    p?.cb();
    this.settleFinal();
    this.emit('stopSending', code);
  }

  private settleFinal(): void {
    const cb = this.finalCb;
    this.finalCb = null;
    cb?.();
  }

  // ------------------------------------------------------------ readable side

  override _read(): void {
    this.wantData = true;
    this.pull();
  }

  /** 'stream_readable': pull only if the consumer wants more; otherwise the core keeps it. */
  onReadable(): void {
    // Deferred to the end of this event-loop turn: the datagrams that arrive together are then
    // read as one chunk, instead of one tiny chunk (and one file write) per packet.
    if (!this.wantData || this.pullScheduled) return;
    this.pullScheduled = true;
    setImmediate(() => {
      this.pullScheduled = false;
      if (this.wantData) this.pull();
    });
  }

  private pullScheduled = false;

  private pull(): void {
    if (this.host.closedError || this.recvDone) return;
    let took = false;
    while (this.wantData && !this.recvDone) {
      let r;
      try { r = this.host.conn.streamRead(this.id, READ_CHUNK); } catch { r = null; }
      if (!r) break;
      took = true;
      this.bytesPulled += r.data.length;
      if (r.fin) {
        this.recvDone = true;
        this.wantData = false;
        if (r.data.length > 0) this.push(r.data);
        this.push(null);
        break;
      }
      if (r.data.length === 0) break;
      this.wantData = this.push(r.data);
    }
    // Reading frees flow-control credit the peer is waiting for.
    if (took) this.host.kick();
  }

  /** 'stream_reset': the peer abandoned its data; the stream is unusable. */
  onReset(code: number): void {
    if (this.recvDone) return;
    this.recvDone = true;
    this.destroy(new StreamResetError(code));
  }

  /**
   * The connection closed: whatever was not complete fails with `err`, or, after our own graceful
   * close (err null), is discarded quietly, since we declared everything done.
   */
  onConnectionClosed(err: Error | null): void {
    if (this.sendDone && this.recvDone) return;
    this.destroy(err ?? undefined);
  }

  // ------------------------------------------------------------ abort

  override _destroy(err: Error | null, cb: Callback): void {
    if (!this.host.closedError && !(this.sendDone && this.recvDone)) {
      const code = abortCode(err);
      try {
        if (!this.sendDone) this.host.conn.streamReset(this.id, code);
        if (!this.recvDone) this.host.conn.streamStopSending(this.id, code);
      } catch { /* the core forgot the stream already */ }
      this.host.kick();
    }
    this.sendDone = true;
    this.recvDone = true;
    const p = this.pending;
    this.pending = null;
    this.finalCb = null;
    this.host.release(this.id);
    p?.cb(err ?? new Error('stream destroyed'));
    cb(err);
  }
}
