// Simulation pieces for the stream-abort tests: two endless streams A and B from client to
// server, per-stream goodput measured where the server's app reads, and a way to look at what
// the client's loss recovery still counts in flight per stream.
import type { Connection } from '../../src/core/connection.js';
import type { Recovery } from '../../src/core/conn/recovery-glue.js';
import type { SentPacketTracker } from '../../src/core/recovery/sent-packets.js';
import type { SentFrame } from '../../src/core/conn/sent-frame.js';
import { Sim, type SimOptions, type Side } from './harness.js';

const CHUNK = new Uint8Array(64 * 1024);

/** The client's sent-packet tracker (read-only use, except by the variants below). */
export function trackerOf(c: Connection): SentPacketTracker<SentFrame> {
  return (c as unknown as { recovery: Recovery }).recovery.tracker;
}

/** Bytes of tracked packets per stream id; control-only packets under null. */
export function inFlightByStream(c: Connection): Map<number | null, number> {
  const out = new Map<number | null, number>();
  for (const p of trackerOf(c).packets()) out.set(p.streamId, (out.get(p.streamId) ?? 0) + p.size);
  return out;
}

export function inFlightOf(c: Connection, id: number | null): number {
  return inFlightByStream(c).get(id) ?? 0;
}

/**
 * How a reset treats the stream's packets already in flight:
 * - 'release': the real code (they leave flight in the same step);
 * - 'pinned':  the shipped bug the issue cites: loss recovery forgets the packets but their bytes
 *              stay counted, so the window never gets them back;
 * - 'deferred': the naive design: the packets stay tracked and each leaves flight only when it
 *              is acknowledged or declared lost.
 * The two variants patch this one connection's tracker instance; no production code has a switch.
 */
export type ReleaseMode = 'release' | 'pinned' | 'deferred';

export function applyReleaseMode(c: Connection, mode: ReleaseMode): void {
  if (mode === 'release') return;
  const t = trackerOf(c);
  if (mode === 'deferred') {
    t.dropStream = () => ({ releasedBytes: 0, packets: [] });
    return;
  }
  let pinned = 0;
  const drop = t.dropStream.bind(t);
  t.dropStream = (id) => {
    const r = drop(id);
    pinned += r.releasedBytes;
    return r;
  };
  const real = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(t), 'bytesInFlight')!.get!;
  Object.defineProperty(t, 'bytesInFlight', { get: () => (real.call(t) as number) + pinned });
}

/** Cumulative bytes the server's app read on one stream, sampled at every read. */
export class Goodput {
  readonly t: number[] = [0];
  readonly bytes: number[] = [0];

  add(now: number, n: number): void {
    const last = this.bytes[this.bytes.length - 1]!;
    this.t.push(now);
    this.bytes.push(last + n);
  }

  /** Cumulative bytes at time `at` (last sample at or before it). */
  at(at: number): number {
    let lo = 0;
    let hi = this.t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.t[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return this.bytes[lo]!;
  }

  /** Bytes per second over [from, to]. */
  rate(from: number, to: number): number {
    return ((this.at(to) - this.at(from)) * 1000) / (to - from);
  }

  /** First sample time >= from where the rate over the trailing `windowMs` reaches `target`; null if never. */
  reaches(target: number, from: number, windowMs: number): number | null {
    for (let i = 0; i < this.t.length; i++) {
      const t = this.t[i]!;
      if (t < from + windowMs) continue;
      if (this.rate(t - windowMs, t) >= target) return t;
    }
    return null;
  }
}

export interface TwoStreamOptions extends SimOptions {
  /** When the client opens B (A is opened at once). */
  openBAt: number;
}

/** Client writes endless data on A (from the start) and B (from openBAt); the server reads all. */
export class TwoStreams {
  readonly sim: Sim;
  a: number | null = null;
  b: number | null = null;
  readonly goodput = new Map<number, Goodput>();
  readonly resets = new Map<number, number>();
  readonly stopSending = new Map<number, number>();
  /** Set per side: called for every event after the built-in handling. */
  extra: (side: Side, e: Parameters<Sim['onEvent']>[1]) => void = () => {};
  private readonly writing = new Set<number>();

  constructor(readonly o: TwoStreamOptions) {
    this.sim = new Sim(o);
    this.sim.onEvent = (side, e) => {
      this.onEvent(side, e);
      this.extra(side, e);
    };
  }

  goodputOf(id: number): Goodput {
    let g = this.goodput.get(id);
    if (!g) this.goodput.set(id, (g = new Goodput()));
    return g;
  }

  /** Opens a client stream and keeps it full. */
  startStream(): number {
    const id = this.sim.a.openStream();
    if (id === null) throw new Error('no stream credit');
    this.writing.add(id);
    this.pump(id);
    return id;
  }

  stopWriting(id: number): void {
    this.writing.delete(id);
  }

  /** Runs until virtual time `until`, opening B on the way. */
  runUntil(until: number): void {
    if (this.b === null && this.o.openBAt < until) {
      this.sim.run(() => this.sim.now >= this.o.openBAt, this.o.openBAt);
      if (this.a === null) throw new Error('never connected');
      this.b = this.startStream();
    }
    this.sim.run(() => false, until);
  }

  private pump(id: number): void {
    if (!this.writing.has(id)) return;
    while (this.sim.a.streamWrite(id, CHUNK) > 0);
  }

  private onEvent(side: Side, e: Parameters<Sim['onEvent']>[1]): void {
    const c = this.sim.conn(side);
    switch (e.type) {
      case 'connected':
        if (side === 'a') this.a = this.startStream();
        return;
      case 'stream_writable':
        if (side === 'a') this.pump(e.id);
        return;
      case 'stream_opened':
      case 'stream_readable':
        if (side === 'b') {
          for (let r = c.streamRead(e.id); r; r = c.streamRead(e.id)) this.goodputOf(e.id).add(this.sim.now, r.data.length);
        }
        return;
      case 'stream_reset':
        this.resets.set(e.id, e.errorCode);
        return;
      case 'stream_stop_sending':
        this.stopSending.set(e.id, e.errorCode);
        return;
      default:
        return;
    }
  }
}
