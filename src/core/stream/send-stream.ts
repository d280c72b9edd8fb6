import { RangeSet } from './range-set.js';
import { SendBuffer } from './send-buffer.js';
import { isSendReset, nextSendState, type SendEvent, type SendState } from './state.js';

/** One STREAM frame's worth of data chosen by nextChunk(). */
export interface SendChunk {
  offset: number;
  /** Often a view into the stream's buffer, valid only until the stream is called again: encode it at once. */
  data: Uint8Array;
  fin: boolean;
  isRetransmission: boolean;
}

/**
 * The sending part of a stream: buffers written bytes until the peer acknowledges them, hands
 * out chunks (lost ranges first, then new data within the flow-control limit) and tracks FIN.
 *
 * Offsets below `ackedBase` are acknowledged and released; `acked` holds acknowledged ranges
 * above it (acks arriving out of order), `lost` the ranges waiting for retransmission, which
 * never include acknowledged bytes.
 */
/** Room (bytes) that makes a blocked writer worth waking. */
const WAKE_ROOM = 64 * 1024;
/** See SendStream.repeatsOpenTail: about a dozen full packets. */
export const OPEN_TAIL_REPEAT_MAX = 16 * 1024;

export class SendStream {
  readonly id: number;
  private readonly bufferLimit: number;
  private readonly buf = new SendBuffer();
  private readonly acked = new RangeSet();
  private readonly lost = new RangeSet();
  private ackedBase = 0;
  /** Next never-sent offset; equals the largest offset+len ever sent. */
  private nextOffset = 0;
  private finished = false;
  private finSent = false;
  private finAcked = false;
  private finLost = false;
  /** Ranges sent a second time by redundantChunk() since they were last (re)transmitted. */
  private readonly redundant = new RangeSet();
  private finRedundant = false;
  private _state: SendState = 'ready';
  private _resetErrorCode: number | null = null;

  /** `unsentLimit`: at most this much written but not yet sent (default: bufferLimit). */
  constructor(id: number, bufferLimit: number, private readonly unsentLimit = bufferLimit) {
    this.id = id;
    this.bufferLimit = bufferLimit;
  }

  get state(): SendState {
    return this._state;
  }

  /** Bytes held: from the lowest unacknowledged offset to the end of written data. */
  get buffered(): number {
    return this.buf.end - this.ackedBase;
  }

  get writable(): boolean {
    return !this.finished && !isSendReset(this._state) && this.room() > 0;
  }

  /**
   * Writable with room worth waking the writer for: room appears a packet at a time as data is
   * sent or acknowledged, and a wake-up per packet would cost a write call per packet.
   */
  get writableWell(): boolean {
    return this.writable && this.room() >= Math.min(WAKE_ROOM, this.unsentLimit / 4, this.bufferLimit / 4);
  }

  /** Bytes write() would take now. */
  private room(): number {
    const unsent = this.buf.end - this.nextOffset;
    return Math.min(this.bufferLimit - this.buffered, this.unsentLimit - unsent);
  }

  /** Largest offset+len ever sent; the final size if the stream is reset. */
  get highestSent(): number {
    return this.nextOffset;
  }

  /** Total bytes accepted by write(). */
  get bytesWritten(): number {
    return this.buf.end;
  }

  /** All data and the FIN were acknowledged. */
  get isFinished(): boolean {
    return this._state === 'data_recvd';
  }

  /** The error code given to reset(), or null. */
  get resetErrorCode(): number | null {
    return this._resetErrorCode;
  }

  /** Accepts up to the free buffer space and copies it; returns how many bytes were taken. */
  write(data: Uint8Array): number {
    if (this.finished || isSendReset(this._state)) return 0;
    const n = Math.min(data.length, this.room());
    if (n <= 0) return 0;
    this.buf.append(n === data.length ? data : data.subarray(0, n));
    return n;
  }

  /** Marks the end of data: a FIN follows the last written byte. */
  finish(): void {
    if (isSendReset(this._state)) return;
    this.finished = true;
  }

  /** Something can go out now under the stream-level flow limit `flowLimit` (absolute offset). */
  hasSendable(flowLimit: number): boolean {
    if (isSendReset(this._state) || this._state === 'data_recvd') return false;
    if (!this.lost.isEmpty) return true;
    if (this.nextOffset < Math.min(this.buf.end, flowLimit)) return true;
    return this.finPending();
  }

  /** New data is waiting but the flow limit stops it (time for STREAM_DATA_BLOCKED). */
  isBlockedBy(flowLimit: number): boolean {
    return !isSendReset(this._state) && this.nextOffset < this.buf.end && this.nextOffset >= flowLimit;
  }

  /**
   * The next chunk to send with at most `maxBytes` of data: lost ranges first, then new data up
   * to `flowLimit`, then a bare FIN. Null when nothing can be sent.
   */
  nextChunk(maxBytes: number, flowLimit: number): SendChunk | null {
    if (isSendReset(this._state) || this._state === 'data_recvd') return null;
    if (maxBytes > 0) {
      const chunk = this.retransmitChunk(maxBytes) ?? this.newDataChunk(maxBytes, flowLimit);
      if (chunk !== null) return chunk;
    }
    if (!this.finPending()) return null;
    const isRetransmission = this.finSent;
    this.markFinSent();
    return { offset: this.buf.end, data: new Uint8Array(0), fin: true, isRetransmission };
  }

  /**
   * At its tail: every byte written so far (and the FIN, if finished) went out, nothing waits
   * for retransmission, and some of it is not yet acknowledged. Only here may redundantChunk()
   * repeat data.
   */
  get inTail(): boolean {
    if (isSendReset(this._state) || this._state === 'data_recvd') return false;
    if (!this.lost.isEmpty || this.nextOffset !== this.buf.end) return false;
    // An open stream whose writes are all out waits for the peer's answer (a request, a batch
    // header): its tail is as exposed as a finished stream's.
    if (!this.finished) return this.ackedBase < this.nextOffset;
    if (!this.finSent || this.finLost) return false;
    return !this.finAcked || this.ackedBase < this.buf.end;
  }

  /**
   * Idle repeats (not probes) of an open stream only while its unacknowledged tail is this small:
   * a message waiting for its answer, not a bulk stream's window in flight while its writer is
   * briefly slower than the link.
   */
  private get repeatsOpenTail(): boolean {
    return this.finished || this.nextOffset - this.ackedBase <= OPEN_TAIL_REPEAT_MAX;
  }

  /** redundantChunk() has something not yet repeated. */
  get hasRedundant(): boolean {
    if (!this.inTail || !this.repeatsOpenTail) return false;
    for (const g of this.acked.gaps(this.ackedBase, this.nextOffset)) {
      if (!this.redundant.covers(g.start, g.end)) return true;
    }
    return this.finished && !this.finAcked && !this.finRedundant;
  }

  /**
   * A tail chunk to send once more before any loss is known: the newest unacknowledged range not
   * yet repeated (the newest are the ones whose loss only a timeout would reveal). With `again`,
   * ranges already repeated qualify too (a PTO probe). Null when there is none.
   */
  redundantChunk(maxBytes: number, again = false): SendChunk | null {
    if (maxBytes <= 0 || !this.inTail || (!again && !this.repeatsOpenTail)) return null;
    const unacked = this.acked.gaps(this.ackedBase, this.nextOffset);
    for (let i = unacked.length - 1; i >= 0; i--) {
      const g = unacked[i]!;
      const free = again ? [g] : this.redundant.gaps(g.start, g.end);
      const r = free[free.length - 1];
      if (r === undefined) continue;
      const start = Math.max(r.start, r.end - maxBytes);
      this.redundant.add(start, r.end);
      const fin = this.finished && r.end === this.buf.end && !this.finAcked;
      if (fin) this.finRedundant = true;
      return { offset: start, data: this.buf.slice(start, r.end - start), fin, isRetransmission: true };
    }
    if (!this.finished || this.finAcked || (this.finRedundant && !again)) return null;
    this.finRedundant = true;
    return { offset: this.buf.end, data: new Uint8Array(0), fin: true, isRetransmission: true };
  }

  /** The peer acknowledged [offset, offset+length) (and the FIN if `fin`). */
  onAcked(offset: number, length: number, fin: boolean): void {
    if (isSendReset(this._state)) return;
    const end = offset + length;
    if (end > this.ackedBase) {
      this.acked.add(Math.max(offset, this.ackedBase), end);
      this.lost.remove(offset, end);
      const head = this.acked.first();
      if (head !== undefined && head.start <= this.ackedBase) {
        this.ackedBase = head.end;
        this.acked.remove(0, head.end);
        this.redundant.remove(0, head.end);
        this.buf.release(this.ackedBase);
      }
    }
    if (fin) {
      this.finAcked = true;
      this.finLost = false;
    }
    if (this.finAcked && this.ackedBase === this.buf.end) this.transition('all_acked');
  }

  /** A packet carrying [offset, offset+length) was lost: queue what is still unacknowledged. */
  onLost(offset: number, length: number, fin: boolean): void {
    if (isSendReset(this._state)) return;
    const start = Math.max(offset, this.ackedBase);
    const end = Math.min(offset + length, this.nextOffset);
    if (end > start) {
      for (const gap of this.acked.gaps(start, end)) this.lost.add(gap.start, gap.end);
    }
    if (fin && !this.finAcked) this.finLost = true;
  }

  /**
   * Abandons the stream (RESET_STREAM) and frees all buffered data. `applied` is false when the
   * stream was already fully acknowledged or already reset, i.e. no RESET_STREAM is needed.
   */
  reset(errorCode: number): { finalSize: number; applied: boolean } {
    if (this._state === 'data_recvd' || isSendReset(this._state)) {
      return { finalSize: this.nextOffset, applied: false };
    }
    this._resetErrorCode = errorCode;
    this.transition('reset');
    this.buf.clear();
    this.ackedBase = this.buf.end;
    this.acked.clear();
    this.lost.clear();
    return { finalSize: this.nextOffset, applied: true };
  }

  /** The RESET_STREAM frame was acknowledged. */
  onResetAcked(): void {
    this.transition('reset_acked');
  }

  private retransmitChunk(maxBytes: number): SendChunk | null {
    const range = this.lost.first();
    if (range === undefined) return null;
    const len = Math.min(maxBytes, range.end - range.start);
    const offset = range.start;
    this.lost.remove(offset, offset + len);
    // A retransmission at the tail is as exposed as the original was: it may be repeated too.
    this.redundant.remove(offset, offset + len);
    const fin = this.finished && !this.finAcked && offset + len === this.buf.end;
    if (fin) this.markFinSent();
    return { offset, data: this.buf.slice(offset, len), fin, isRetransmission: true };
  }

  private newDataChunk(maxBytes: number, flowLimit: number): SendChunk | null {
    const offset = this.nextOffset;
    const len = Math.min(maxBytes, Math.min(this.buf.end, flowLimit) - offset);
    if (len <= 0) return null;
    this.nextOffset += len;
    this.transition('send_data');
    const fin = this.finished && this.nextOffset === this.buf.end;
    if (fin) this.markFinSent();
    return { offset, data: this.buf.slice(offset, len), fin, isRetransmission: false };
  }

  /** A bare FIN is due: all data went out once and the FIN was never sent or was lost. */
  private finPending(): boolean {
    return (
      this.finished && !this.finAcked && this.nextOffset === this.buf.end && (!this.finSent || this.finLost)
    );
  }

  private markFinSent(): void {
    this.finSent = true;
    this.finLost = false;
    this.finRedundant = false;
    this.transition('send_fin');
  }

  private transition(event: SendEvent): void {
    this._state = nextSendState(this._state, event);
  }
}
