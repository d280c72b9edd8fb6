import type { BlockPool } from './block-pool.js';
import { ReassemblyBuffer } from './reassembly.js';
import { isRecvReset, isRecvTerminal, nextRecvState, type RecvEvent, type RecvState } from './state.js';

/** Outcome of a STREAM or RESET_STREAM frame. */
export interface RecvUpdate {
  /** 'final_size': the frame contradicts the final size; close the connection with FINAL_SIZE_ERROR. */
  error: 'final_size' | null;
  /** Growth of the highest received offset: what connection-level flow control must count. */
  newBytes: number;
}

const FINAL_SIZE_ERROR: RecvUpdate = { error: 'final_size', newBytes: 0 };

/**
 * The receiving part of a stream: reassembles STREAM frames in offset order, enforces the final
 * size rules of RFC 9000 §4.5 and reports the FIN once all data was read.
 */
export class RecvStream {
  readonly id: number;
  private readonly reasm: ReassemblyBuffer;
  private _state: RecvState = 'recv';
  private _highest = 0;
  private _finalSize: number | null = null;
  private _bytesRead = 0;
  private stopped = false;
  private _resetErrorCode: number | null = null;

  /** `pool`: the connection's receive blocks (a pool of its own when not given). */
  constructor(id: number, pool?: BlockPool) {
    this.id = id;
    this.reasm = new ReassemblyBuffer(pool);
  }

  get state(): RecvState {
    return this._state;
  }

  /** Largest offset+len seen in any frame (or the final size from a reset). */
  get highestReceived(): number {
    return this._highest;
  }

  /** Bytes handed to the application by read(). */
  get bytesRead(): number {
    return this._bytesRead;
  }

  get finalSize(): number | null {
    return this._finalSize;
  }

  /** Every byte below this offset has arrived (read or not). */
  get contiguousEnd(): number {
    return this.reasm.contiguousEnd;
  }

  /** Payload bytes held in memory (out-of-order plus unread). */
  get bufferedBytes(): number {
    return this.reasm.bufferedBytes;
  }

  /** stopSending() was called: arriving data is dropped. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Nothing more will be delivered to the application (FIN or reset reported, or stopped and done). */
  get isTerminal(): boolean {
    return isRecvTerminal(this._state);
  }

  /** The error code of the peer's RESET_STREAM, or null. */
  get resetErrorCode(): number | null {
    return this._resetErrorCode;
  }

  /** In-order data is waiting, or the FIN is still to be reported. */
  get readable(): boolean {
    if (this.stopped || isRecvReset(this._state) || this._state === 'data_read') return false;
    return this.reasm.readableBytes > 0 || this.finReached();
  }

  /** A STREAM frame; its data is copied, so the packet's buffer may go once this returns. */
  onData(offset: number, data: Uint8Array, fin: boolean): RecvUpdate {
    const end = offset + data.length;
    if (this.violatesFinalSize(end, fin)) return FINAL_SIZE_ERROR;
    const newBytes = Math.max(0, end - this._highest);
    this._highest += newBytes;
    if (isRecvReset(this._state)) return { error: null, newBytes };
    if (fin && this._finalSize === null) {
      this._finalSize = end;
      this.transition('recv_fin');
    }
    if (this._state === 'recv' || this._state === 'size_known') {
      this.reasm.insert(offset, data);
      this.checkAllReceived();
    }
    return { error: null, newBytes };
  }

  /**
   * Up to maxBytes in-order bytes. `fin` is true when they reach the final size (data may then be
   * empty). Null when nothing new is available, after the FIN was reported, or after a reset.
   */
  read(maxBytes: number): { data: Uint8Array; fin: boolean } | null {
    if (this.stopped || isRecvReset(this._state) || this._state === 'data_read') return null;
    const data = this.reasm.read(maxBytes);
    this._bytesRead += data.length;
    const fin = this.finReached();
    if (data.length === 0 && !fin) return null;
    if (fin) this.transition('app_read_all');
    return { data, fin };
  }

  /** RESET_STREAM from the peer: drops all buffered data. `applied` is false when it changed nothing. */
  onReset(finalSize: number, errorCode: number): RecvUpdate & { applied: boolean } {
    if (this._finalSize !== null ? finalSize !== this._finalSize : finalSize < this._highest) {
      return { ...FINAL_SIZE_ERROR, applied: false };
    }
    const newBytes = finalSize - this._highest;
    this._highest = finalSize;
    this._finalSize = finalSize;
    if (isRecvTerminal(this._state) || isRecvReset(this._state)) return { error: null, newBytes, applied: false };
    this._resetErrorCode = errorCode;
    this.transition('recv_reset');
    this.reasm.discardAll();
    // Nobody is reading a stopped stream, so there is no one left to tell about the reset.
    if (this.stopped) this.transition('app_read_reset');
    return { error: null, newBytes, applied: true };
  }

  /** The application has been told about the reset ('reset_recvd' -> 'reset_read'). */
  onResetDelivered(): void {
    this.transition('app_read_reset');
  }

  /** Local STOP_SENDING: drop what is buffered and whatever arrives later (offsets still count). */
  stopSending(): void {
    if (this.stopped || isRecvTerminal(this._state) || isRecvReset(this._state)) return;
    this.stopped = true;
    this.reasm.discardAll();
    if (this._state === 'data_recvd') this.transition('app_read_all');
  }

  /** Final-size rules: nothing beyond a known final size, and a FIN may neither move it nor cut off received data. */
  private violatesFinalSize(end: number, fin: boolean): boolean {
    if (this._finalSize !== null) return end > this._finalSize || (fin && end !== this._finalSize);
    return fin && end < this._highest;
  }

  private finReached(): boolean {
    return this._finalSize !== null && this.reasm.readOffset === this._finalSize && !this.stopped;
  }

  private checkAllReceived(): void {
    if (this._finalSize === null || this.reasm.contiguousEnd < this._finalSize) return;
    this.transition('all_received');
    if (this.stopped) this.transition('app_read_all');
  }

  private transition(event: RecvEvent): void {
    this._state = nextRecvState(this._state, event);
  }
}
