// Stream-level work of a connection: the app's stream calls, incoming stream frames, flow-control
// updates, filling packets with stream data, and what acks and losses mean for streams.
import type { Millis, Role, StreamReadResult } from '../api.js';
import type { Frame } from '../wire/frame.js';
import { encodeStreamFrame } from '../wire/frames/stream.js';
import { lastStreamFrameHeaderSize } from '../wire/frame.js';
import type { ByteWriter } from '../wire/varint.js';
import { ControlQueue, type ControlFrame } from './control-queue.js';
import type { EventQueue } from './event-queue.js';
import type { Recovery } from './recovery-glue.js';
import type { SentFrame } from './sent-frame.js';
import type { SendChunk } from '../stream/send-stream.js';

import type { RecvWindow } from '../flow/recv-window.js';
import { ERR_FINAL_SIZE, ERR_FLOW_CONTROL, StreamError, StreamTable, type StreamEntry } from './streams.js';

/** Share of a receive window that data stuck behind a hole may fill before the window doubles. */
const HOLE_PRESSURE = 0.5;
/** The connection window per stream window: one stream's whole window and a second's start. */
const CONN_WINDOW_SHARE = 1.25;
/** Share of a window the application may leave unread while windows still follow the BDP. */
const READER_BACKLOG = 1 / 4;

export class StreamOps {
  readonly control = new ControlQueue();
  private readonly table: StreamTable;
  /** We hit the peer's MAX_STREAMS; 'streams_available' is owed when it rises. */
  private openBlocked = false;

  constructor(role: Role, private readonly events: EventQueue, private readonly recovery: Recovery) {
    this.table = new StreamTable(role);
  }

  // ------------------------------------------------------------ app calls

  open(): number | null {
    const e = this.table.openLocal();
    if (!e) {
      this.openBlocked = true;
      return null;
    }
    return e.id;
  }

  private entry(id: number): StreamEntry {
    const e = this.table.get(id);
    if (!e) throw new Error(`unknown or closed stream ${id}`);
    return e;
  }

  write(id: number, data: Uint8Array): number {
    const e = this.entry(id);
    const n = e.send.write(data);
    if (n < data.length) e.writeBlocked = true;
    if (n > 0) this.table.scheduler.add(id);
    return n;
  }

  finish(id: number): void {
    const e = this.entry(id);
    e.send.finish();
    this.table.scheduler.add(id);
  }

  read(id: number, maxBytes: number, now: Millis): StreamReadResult | null {
    const e = this.table.get(id);
    if (!e || e.recvDone) return null;
    const r = e.recv.read(maxBytes);
    if (!r) {
      e.readableSignalled = false;
      return null;
    }
    this.consume(e, e.recv.bytesRead, now);
    if (r.fin) {
      e.recvDone = true;
      this.maybeRemove(e);
    }
    return r;
  }

  /** Abandons our sending side; its in-flight packets leave the congestion window in this same step. */
  reset(id: number, errorCode: number): void {
    const e = this.table.get(id);
    if (!e) return;
    const st = e.send.state;
    if (st === 'data_recvd' || st === 'reset_sent' || st === 'reset_recvd') return;
    const { finalSize } = e.send.reset(errorCode);
    const dropped = this.recovery.tracker.dropStream(id);
    // Control frames that rode along with the dropped data still matter; queue them again.
    for (const p of dropped.packets) for (const f of p.frames) if (f.k === 'ctl') this.requeue(f.f);
    this.table.scheduler.remove(id);
    e.writeBlocked = false;
    this.control.push({ type: 'reset_stream', id, errorCode, finalSize });
  }

  stopSending(id: number, errorCode: number, now: Millis): void {
    const e = this.table.get(id);
    if (!e || e.recvDone) return;
    e.recv.stopSending();
    e.recvDone = true;
    this.control.dropStream(id);
    if (e.recv.finalSize === null) this.control.push({ type: 'stop_sending', id, errorCode });
    this.consume(e, e.recv.highestReceived, now);
    this.maybeRemove(e);
  }

  // ------------------------------------------------------------ incoming frames

  onFrame(f: Frame, now: Millis): void {
    switch (f.type) {
      case 'stream':
        return this.onStream(f.id, f.offset, f.data, f.fin, now);
      case 'reset_stream':
        return this.onReset(f.id, f.errorCode, f.finalSize, now);
      case 'stop_sending': {
        const e = this.peerEntry(f.id);
        if (!e) return;
        const st = e.send.state;
        if (st === 'data_recvd' || st === 'reset_sent' || st === 'reset_recvd') return;
        this.reset(f.id, f.errorCode);
        this.events.push({ type: 'stream_stop_sending', id: f.id, errorCode: f.errorCode });
        return;
      }
      case 'max_data':
        if (this.table.connCredit.update(f.max)) this.rescheduleAll();
        return;
      case 'max_stream_data': {
        const e = this.peerEntry(f.id);
        if (e && e.sendCredit.update(f.max) && e.send.hasSendable(Infinity)) this.table.scheduler.add(e.id);
        return;
      }
      case 'max_streams':
        if (f.max > this.table.peerMaxStreams) {
          this.table.peerMaxStreams = f.max;
          if (this.openBlocked) {
            this.openBlocked = false;
            this.events.push({ type: 'streams_available' });
          }
        }
        return;
      case 'stream_data_blocked': {
        const e = this.peerEntry(f.id);
        if (e && !e.recvDone && e.recv.finalSize === null) {
          const lim = this.growWindow(e.recvWindow, e.recv.bytesRead, f.limit);
          if (lim !== null) this.control.push({ type: 'max_stream_data', id: e.id, max: lim });
        }
        return;
      }
      case 'data_blocked': {
        const t = this.table;
        const lim = this.growWindow(t.connWindow, t.connConsumed, f.limit);
        if (lim !== null) this.control.push({ type: 'max_data', max: lim });
        return;
      }
      default:
        return;
    }
  }

  private peerEntry(id: number): StreamEntry | null {
    // Nearly every frame is for a stream that exists: one lookup, no result object.
    const known = this.table.get(id);
    if (known) return known;
    const { entry, opened } = this.table.forPeerFrame(id);
    for (const sid of opened) this.events.push({ type: 'stream_opened', id: sid });
    return entry;
  }

  private onStream(id: number, offset: number, data: Uint8Array, fin: boolean, now: Millis): void {
    const e = this.peerEntry(id);
    if (!e) return;
    if (!e.recvWindow.checkReceived(offset + data.length)) {
      throw new StreamError(ERR_FLOW_CONTROL, `stream ${id} exceeded its flow-control limit`);
    }
    const r = e.recv.onData(offset, data, fin);
    if (r.error) throw new StreamError(ERR_FINAL_SIZE, `stream ${id} broke its final size`);
    this.addReceived(r.newBytes);
    if (e.recvDone) {
      // Stopped by us: whatever still arrives is written off at once so the connection window holds.
      this.consume(e, e.recv.highestReceived, now);
      return;
    }
    this.followBdp(e, now);
    this.growOnHoles(e);
    if (!e.readableSignalled && e.recv.readable) {
      e.readableSignalled = true;
      this.events.push({ type: 'stream_readable', id });
    }
  }

  private onReset(id: number, errorCode: number, finalSize: number, now: Millis): void {
    const e = this.peerEntry(id);
    if (!e) return;
    if (!e.recvWindow.checkReceived(finalSize)) {
      throw new StreamError(ERR_FLOW_CONTROL, `stream ${id} reset beyond its flow-control limit`);
    }
    const r = e.recv.onReset(finalSize, errorCode);
    if (r.error) throw new StreamError(ERR_FINAL_SIZE, `stream ${id} reset with a wrong final size`);
    this.addReceived(r.newBytes);
    this.control.dropStream(id);
    if (!e.recvDone) {
      e.recvDone = true;
      this.events.push({ type: 'stream_reset', id, errorCode });
    }
    const writtenOff = finalSize - e.consumedCounted;
    this.consume(e, finalSize, now);
    if (writtenOff > 0) {
      // What the application will never read goes back to the peer now, whatever the size of the
      // window: the other streams get that credit at once, not when a quarter of the window is used up.
      const t = this.table;
      this.control.push({ type: 'max_data', max: t.connWindow.forceUpdate(t.connConsumed) });
    }
    this.maybeRemove(e);
  }

  /**
   * The peer ran out of credit at `blockedAt`. When that is still our current limit, the window
   * is too small for the path: auto-tuning by read timing alone misses this when loss leaves holes
   * that stall in-order reading, so the blocked signal doubles the window (up to its maximum).
   */
  private growWindow(w: RecvWindow, consumed: number, blockedAt: number): number | null {
    // Blocked below what we already granted: our update was lost or is still on its way. Say it
    // again now rather than leave both sides waiting for a probe timeout to find the loss.
    if (blockedAt < w.limit) return w.limit;
    const before = w.limit;
    w.ensureWindow(w.window * 2);
    const lim = w.forceUpdate(consumed);
    return lim > before ? lim : null;
  }

  /**
   * Loss leaves holes that stall in-order reading for a round trip or more (several when a
   * retransmission is lost too) while the sender keeps filling the window behind them. When
   * the data waiting behind the first hole takes most of the window, the window, not the path or
   * the reader, is the limit: double it and tell the peer at once. A slow reader does not count
   * (its backlog is in order), so this never buys memory for an application that cannot keep up.
   */
  private growOnHoles(e: StreamEntry): void {
    const w = e.recvWindow;
    if (e.recv.finalSize !== null) return;
    const behindHole = e.recv.highestReceived - e.recv.contiguousEnd;
    if (behindHole <= HOLE_PRESSURE * w.window || w.window >= w.maxWindow) return;
    w.ensureWindow(w.window * 2);
    const lim = w.forceUpdate(e.recv.bytesRead);
    this.control.push({ type: 'max_stream_data', id: e.id, max: lim });
    const t = this.table;
    t.connWindow.ensureWindow(2 * w.window);
    const connLim = t.connWindow.forceUpdate(t.connConsumed);
    this.control.push({ type: 'max_data', max: connLim });
  }

  /**
   * Windows follow the path's BDP as measured here (arrival rate x min RTT): a window the path
   * needs is granted as the rate shows, not a stall later. The connection's keeps ahead of the
   * stream's by CONN_WINDOW_SHARE. Not while the application leaves in-order data unread: then
   * the reader, not the path, sets the rate, and a larger window would only hold more of it.
   */
  private followBdp(e: StreamEntry, now: Millis): void {
    const t = this.table;
    t.receiveRate.onReceived(t.connReceived, now, this.recovery.rtt.min);
    if (e.recv.contiguousEnd - e.recv.bytesRead > READER_BACKLOG * e.recvWindow.window) return;
    const bdp = t.receiveRate.bdp;
    if (e.recv.finalSize === null && e.recvWindow.followBdp(bdp)) {
      this.control.push({ type: 'max_stream_data', id: e.id, max: e.recvWindow.forceUpdate(e.recv.bytesRead) });
    }
    if (t.connWindow.followBdp(Math.ceil(CONN_WINDOW_SHARE * bdp))) this.control.push({ type: 'max_data', max: t.connWindow.forceUpdate(t.connConsumed) });
  }

  private addReceived(newBytes: number): void {
    const t = this.table;
    t.connReceived += newBytes;
    if (!t.connWindow.checkReceived(t.connReceived)) {
      throw new StreamError(ERR_FLOW_CONTROL, 'connection flow-control limit exceeded');
    }
  }

  /** Counts a stream's bytes up to `upTo` as consumed and re-grants credit where due. */
  private consume(e: StreamEntry, upTo: number, now: Millis): void {
    const delta = upTo - e.consumedCounted;
    if (delta <= 0) return;
    e.consumedCounted = upTo;
    const t = this.table;
    t.connConsumed += delta;
    const rtt = this.recovery.rtt.smoothed;
    if (!e.recvDone && e.recv.finalSize === null) {
      const lim = e.recvWindow.onConsumed(upTo, now, rtt, e.recv.highestReceived);
      if (lim !== null) this.control.push({ type: 'max_stream_data', id: e.id, max: lim });
    }
    const connLim = t.connWindow.onConsumed(t.connConsumed, now, rtt, t.connReceived);
    if (connLim !== null) this.control.push({ type: 'max_data', max: connLim });
  }

  // ------------------------------------------------------------ sending

  hasWork(): boolean {
    return this.table.scheduler.size > 0;
  }

  /**
   * Writes one STREAM frame of the next stream in turn into `w` (a packet carries data of at most
   * one stream, so that dropping a stream can release whole packets). Returns the stream id used.
   */
  fillStreamData(w: ByteWriter, sent: SentFrame[]): number | null {
    const t = this.table;
    const sched = t.scheduler;
    for (let tries = sched.size; tries > 0; tries--) {
      const id = sched.next();
      if (id === undefined) return null;
      const e = t.get(id);
      if (!e) {
        sched.remove(id);
        continue;
      }
      const limit = Math.min(e.sendCredit.limit, e.send.highestSent + t.connAvailable());
      if (!e.send.hasSendable(limit)) {
        sched.remove(id);
        this.noteBlocked(e, limit);
        continue;
      }
      const space = w.remaining - lastStreamFrameHeaderSize(id, e.send.highestSent + w.remaining);
      if (space <= 0) return null;
      const before = e.send.highestSent;
      const chunk = e.send.nextChunk(space, limit);
      if (!chunk) continue;
      this.writeChunk(w, sent, id, chunk);
      t.connSent += Math.max(0, e.send.highestSent - before);
      // Sending makes room too: the unsent part of the buffer is bounded on its own.
      if (e.writeBlocked && e.send.writableWell) {
        e.writeBlocked = false;
        this.events.push({ type: 'stream_writable', id });
      }
      if (!e.send.hasSendable(Infinity)) sched.remove(id);
      return id;
    }
    return null;
  }

  /** Some stream is at its tail with data not yet repeated (see SendStream.redundantChunk). */
  hasRedundant(): boolean {
    for (const e of this.table.entries()) if (e.send.hasRedundant) return true;
    return false;
  }

  /**
   * Repeats one chunk of a stream's unacknowledged tail, for a connection with nothing new to
   * send (or for a PTO probe, `again`). Returns the stream id used, or null.
   */
  fillRedundant(w: ByteWriter, sent: SentFrame[], again: boolean): number | null {
    for (const e of this.table.entries()) {
      if (!e.send.inTail) continue;
      const space = w.remaining - lastStreamFrameHeaderSize(e.id, e.send.highestSent + w.remaining);
      const chunk = e.send.redundantChunk(space, false) ?? (again ? e.send.redundantChunk(space, true) : null);
      if (!chunk) continue;
      this.writeChunk(w, sent, e.id, chunk);
      return e.id;
    }
    return null;
  }

  /**
   * One STREAM frame into the packet, recorded for loss recovery and the retransmission count.
   * It is always the packet's last frame (buildPacket adds nothing after data), so it goes without
   * LEN and runs to the end of the packet: 2 bytes more data per full packet.
   */
  private writeChunk(w: ByteWriter, sent: SentFrame[], id: number, chunk: SendChunk): void {
    encodeStreamFrame(w, { type: 'stream', id, offset: chunk.offset, fin: chunk.fin, data: chunk.data }, false);
    sent.push({ k: 'stream', id, offset: chunk.offset, length: chunk.data.length, fin: chunk.fin });
    if (chunk.isRetransmission) this.recovery.retransmittedBytes += chunk.data.length;
  }

  private noteBlocked(e: StreamEntry, limit: number): void {
    if (!e.send.hasSendable(Infinity)) return;
    const t = this.table;
    if (limit >= e.sendCredit.limit) {
      const at = e.sendCredit.blockedAt(e.send.highestSent);
      if (at !== null) this.control.push({ type: 'stream_data_blocked', id: e.id, limit: at });
    } else {
      const at = t.connCredit.blockedAt(t.connSent);
      if (at !== null) this.control.push({ type: 'data_blocked', limit: at });
    }
  }

  private rescheduleAll(): void {
    for (const e of this.table.entries()) if (e.send.hasSendable(Infinity)) this.table.scheduler.add(e.id);
  }

  // ------------------------------------------------------------ acks and losses

  onFrameAcked(f: SentFrame): void {
    if (f.k === 'stream') {
      const e = this.table.get(f.id);
      if (!e) return;
      e.send.onAcked(f.offset, f.length, f.fin);
      this.touched.add(e);
    } else if (f.k === 'ctl' && f.f.type === 'reset_stream') {
      const e = this.table.get(f.f.id);
      if (!e) return;
      e.send.onResetAcked();
      this.maybeRemove(e);
    }
  }

  onFrameLost(f: SentFrame): void {
    if (f.k === 'stream') {
      const e = this.table.get(f.id);
      if (!e) return;
      e.send.onLost(f.offset, f.length, f.fin);
      this.table.scheduler.add(f.id);
    } else if (f.k === 'ctl') {
      this.requeue(f.f);
    }
  }

  private readonly touched = new Set<StreamEntry>();

  /** Emits the writable/finished events owed after a batch of acks. */
  afterAcks(): void {
    for (const e of this.touched) {
      if (e.writeBlocked && e.send.writableWell) {
        e.writeBlocked = false;
        this.events.push({ type: 'stream_writable', id: e.id });
      }
      if (!e.finishedSignalled && e.send.isFinished) {
        e.finishedSignalled = true;
        this.events.push({ type: 'stream_finished', id: e.id });
      }
      this.maybeRemove(e);
    }
    this.touched.clear();
  }

  /** A lost control frame is sent again only if it still says something true and useful. */
  private requeue(f: ControlFrame): void {
    const t = this.table;
    switch (f.type) {
      case 'reset_stream': {
        const e = t.get(f.id);
        if (e && e.send.state === 'reset_sent') this.control.push(f);
        return;
      }
      case 'stop_sending': {
        const e = t.get(f.id);
        if (e && e.recv.finalSize === null) this.control.push(f);
        return;
      }
      case 'max_data':
        this.control.push({ type: 'max_data', max: t.connWindow.limit });
        return;
      case 'max_stream_data': {
        const e = t.get(f.id);
        if (e && !e.recvDone && e.recv.finalSize === null) this.control.push({ type: 'max_stream_data', id: f.id, max: e.recvWindow.limit });
        return;
      }
      case 'max_streams':
        this.control.push({ type: 'max_streams', max: t.localMaxStreams });
        return;
      default:
        return; // PING, *_BLOCKED: no point repeating stale ones.
    }
  }

  private maybeRemove(e: StreamEntry): void {
    if (this.table.removeIfDone(e)) this.control.push({ type: 'max_streams', max: this.table.localMaxStreams });
  }
}
