// All streams of one connection plus connection-level flow control and stream-count limits.
// Stream ids: bit 0 = initiator (0 client, 1 server); all streams are bidirectional.
import { SendStream } from '../stream/send-stream.js';
import { RecvStream } from '../stream/recv-stream.js';
import { BlockPool } from '../stream/block-pool.js';
import { RoundRobinScheduler } from '../stream/scheduler.js';
import { SendCredit } from '../flow/send-credit.js';
import { RecvWindow } from '../flow/recv-window.js';
import { ReceiveRate } from '../flow/receive-rate.js';
import type { Role } from '../api.js';

/**
 * Initial credit. STARTUP overshoots to ~2.9 x BDP and loss leaves holes behind which data waits,
 * so a window must cover several BDPs before auto-tuning has had a chance to grow it: 2 MiB held
 * STARTUP back on a 100 Mbit/s x 200 ms path. Memory stays bounded by the window budgets.
 */
export const INITIAL_MAX_DATA = 16 << 20;
export const INITIAL_MAX_STREAM_DATA = 8 << 20;
export const INITIAL_MAX_STREAMS = 100;
/**
 * How far auto-tuning may double a window whatever the path: enough for 100 Mbit/s x 200 ms at
 * 20 % loss, and what a loopback or LAN transfer keeps (its BDP is tiny).
 */
export const BASE_CONN_WINDOW = 48 << 20;
export const BASE_STREAM_WINDOW = 32 << 20;
/**
 * The memory budget (src/core/flow/README.md): beyond the base a window grows only with the
 * measured BDP (RecvWindow.followBdp), up to these. 128 MiB is about five BDPs of 1 Gbit/s x
 * 200 ms, what that path needs at 5 % loss; the connection's leaves a single stream its whole
 * window plus room for a second file's start.
 */
export const MAX_CONN_WINDOW = 160 << 20;
export const MAX_STREAM_WINDOW = 128 << 20;
/**
 * Bytes one stream may hold, sent-but-unacknowledged included: under loss, everything behind an
 * unrepaired hole stays, so this matches the largest window the peer may grant.
 */
export const SEND_BUFFER_LIMIT = MAX_STREAM_WINDOW;
/**
 * Of those, bytes not yet sent. Keeps the packet builder fed between application writes (about
 * 300 ms at 100 Mbit/s) without holding a large copy of the source when the path is slow.
 */
export const SEND_UNSENT_LIMIT = 4 << 20;

export class StreamError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
export const ERR_FLOW_CONTROL = 0x3;
export const ERR_STREAM_LIMIT = 0x4;
export const ERR_STREAM_STATE = 0x5;
export const ERR_FINAL_SIZE = 0x6;

export interface StreamEntry {
  readonly id: number;
  readonly send: SendStream;
  readonly recv: RecvStream;
  readonly sendCredit: SendCredit;
  readonly recvWindow: RecvWindow;
  /** We told the app it may read; cleared when a read comes back empty. */
  readableSignalled: boolean;
  /** A write was refused in part; 'stream_writable' is owed once room appears. */
  writeBlocked: boolean;
  finishedSignalled: boolean;
  /** Recv side is over for the app: fin read, reset reported, or stop-sending requested. */
  recvDone: boolean;
  /** Bytes of this stream counted as consumed for connection flow control. */
  consumedCounted: number;
}

const NONE: number[] = [];

export class StreamTable {
  private readonly map = new Map<number, StreamEntry>();
  readonly scheduler = new RoundRobinScheduler();
  readonly connCredit = new SendCredit(INITIAL_MAX_DATA);
  readonly connWindow = new RecvWindow(INITIAL_MAX_DATA, BASE_CONN_WINDOW, null, MAX_CONN_WINDOW);
  /** The path's BDP as this receiver measures it; windows follow it (RecvWindow.followBdp). */
  readonly receiveRate = new ReceiveRate();
  /** Received bytes of every stream live in these blocks, reused across streams. */
  readonly recvBlocks = new BlockPool();
  /** New (non-retransmitted) stream bytes we have sent, for connection flow control. */
  connSent = 0;
  /** Sum over streams of the highest offset received, for connection flow control. */
  connReceived = 0;
  /** Bytes consumed by the app (or written off by resets), for MAX_DATA. */
  connConsumed = 0;
  private nextLocalIndex = 0;
  /** Peer may open stream indexes below this (our MAX_STREAMS). */
  localMaxStreams = INITIAL_MAX_STREAMS;
  /** We may open stream indexes below this (the peer's MAX_STREAMS). */
  peerMaxStreams = INITIAL_MAX_STREAMS;
  /** Highest peer stream index opened so far + 1. */
  private peerOpened = 0;
  private readonly localBit: number;

  constructor(role: Role) {
    this.localBit = role === 'client' ? 0 : 1;
  }

  get(id: number): StreamEntry | undefined {
    return this.map.get(id);
  }

  entries(): IterableIterator<StreamEntry> {
    return this.map.values();
  }

  get count(): number {
    return this.map.size;
  }

  isLocal(id: number): boolean {
    return (id & 1) === this.localBit;
  }

  openLocal(): StreamEntry | null {
    if (this.nextLocalIndex >= this.peerMaxStreams) return null;
    const id = this.nextLocalIndex * 2 + this.localBit;
    this.nextLocalIndex++;
    return this.create(id);
  }

  /**
   * The entry a received frame refers to, plus every peer stream this frame opened (a frame for
   * peer stream n opens all lower ones too, RFC 9000 §3.2: their own frames may arrive later, and
   * must then find them). Returns a null entry for a stream that existed and is gone (late
   * duplicates are ignored); throws StreamError for ids the peer may not use.
   */
  forPeerFrame(id: number): { entry: StreamEntry | null; opened: number[] } {
    const existing = this.map.get(id);
    if (existing) return { entry: existing, opened: NONE };
    const index = Math.floor(id / 2);
    if (this.isLocal(id)) {
      if (index >= this.nextLocalIndex) throw new StreamError(ERR_STREAM_STATE, `frame for unopened local stream ${id}`);
      return { entry: null, opened: NONE };
    }
    if (index < this.peerOpened) return { entry: null, opened: NONE };
    if (index >= this.localMaxStreams) throw new StreamError(ERR_STREAM_LIMIT, `stream ${id} exceeds the stream limit`);
    const opened: number[] = [];
    for (let i = this.peerOpened; i <= index; i++) {
      const sid = i * 2 + (1 - this.localBit);
      this.create(sid);
      opened.push(sid);
    }
    this.peerOpened = index + 1;
    return { entry: this.map.get(id)!, opened };
  }

  private create(id: number): StreamEntry {
    const entry: StreamEntry = {
      id,
      send: new SendStream(id, SEND_BUFFER_LIMIT, SEND_UNSENT_LIMIT),
      recv: new RecvStream(id, this.recvBlocks),
      sendCredit: new SendCredit(INITIAL_MAX_STREAM_DATA),
      recvWindow: new RecvWindow(INITIAL_MAX_STREAM_DATA, BASE_STREAM_WINDOW, null, MAX_STREAM_WINDOW),
      readableSignalled: false,
      writeBlocked: false,
      finishedSignalled: false,
      recvDone: false,
      consumedCounted: 0,
    };
    this.map.set(id, entry);
    return entry;
  }

  /** Drops a stream whose both directions are over; returns true if a peer stream slot was freed. */
  removeIfDone(e: StreamEntry): boolean {
    const s = e.send.state;
    const sendDone = s === 'data_recvd' || s === 'reset_recvd';
    if (!sendDone || !e.recvDone) return false;
    this.map.delete(e.id);
    this.scheduler.remove(e.id);
    if (this.isLocal(e.id)) return false;
    this.localMaxStreams++;
    return true;
  }

  /** Connection-level credit available for new stream bytes. */
  connAvailable(): number {
    return this.connCredit.available(this.connSent);
  }
}
