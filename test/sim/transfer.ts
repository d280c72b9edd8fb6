// A minimal application for simulations: the client sends N payloads on N streams, the server
// reads them, answers each with an empty FIN, and the run ends when every stream is finished.
import type { ConnectionEvent } from '../../src/core/api.js';
import { Sim, prng, type SimOptions, type Side } from './harness.js';

export function payload(size: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const v = (r() * 4294967296) >>> 0;
    out[i] = v & 255;
    if (i + 1 < size) out[i + 1] = (v >>> 8) & 255;
    if (i + 2 < size) out[i + 2] = (v >>> 16) & 255;
    if (i + 3 < size) out[i + 3] = v >>> 24;
  }
  return out;
}

export interface TransferResult {
  ok: boolean;
  /** Virtual ms from start until every stream was acknowledged. */
  elapsedMs: number;
  received: Map<number, Uint8Array>;
  sent: Map<number, Uint8Array>;
  closed: { a?: ConnectionEvent; b?: ConnectionEvent };
  sim: Sim;
}

interface Outgoing {
  data: Uint8Array;
  offset: number;
  finished: boolean;
  acked: boolean;
}

export class Transfer {
  readonly sim: Sim;
  readonly out = new Map<number, Outgoing>();
  readonly inbound = new Map<number, Uint8Array[]>();
  readonly complete = new Map<number, Uint8Array>();
  readonly closed: { a?: ConnectionEvent; b?: ConnectionEvent } = {};
  private pending: Uint8Array[];
  connectedAt: number | null = null;
  /** Hook for tests that want to watch events too. */
  extra: (side: Side, e: ConnectionEvent) => void = () => {};

  constructor(opts: SimOptions, payloads: Uint8Array[]) {
    this.sim = new Sim(opts);
    this.pending = [...payloads];
    this.sim.onEvent = (side, e) => this.onEvent(side, e);
  }

  private onEvent(side: Side, e: ConnectionEvent): void {
    this.extra(side, e);
    const c = this.sim.conn(side);
    switch (e.type) {
      case 'connected':
        if (side === 'a') {
          this.connectedAt = this.sim.now;
          this.openPending();
        }
        break;
      case 'streams_available':
        if (side === 'a') this.openPending();
        break;
      case 'stream_writable':
        if (side === 'a') this.pump(e.id);
        break;
      case 'stream_finished': {
        const o = this.out.get(e.id);
        if (o) o.acked = true;
        break;
      }
      case 'stream_opened':
      case 'stream_readable':
        this.readAll(side, e.id);
        break;
      case 'closed':
        this.closed[side] = e;
        break;
      default:
        void c;
    }
  }

  private openPending(): void {
    while (this.pending.length) {
      const id = this.sim.a.openStream();
      if (id === null) return;
      this.out.set(id, { data: this.pending.shift()!, offset: 0, finished: false, acked: false });
      this.pump(id);
    }
  }

  pump(id: number): void {
    const o = this.out.get(id);
    if (!o || o.finished) return;
    while (o.offset < o.data.length) {
      const n = this.sim.a.streamWrite(id, o.data.subarray(o.offset, Math.min(o.data.length, o.offset + 65536)));
      if (n === 0) return;
      o.offset += n;
    }
    this.sim.a.streamFinish(id);
    o.finished = true;
  }

  private readAll(side: Side, id: number): void {
    const c = this.sim.conn(side);
    for (let r = c.streamRead(id); r; r = c.streamRead(id)) {
      if (side === 'a') continue; // the server's empty answers
      let parts = this.inbound.get(id);
      if (!parts) this.inbound.set(id, (parts = []));
      if (r.data.length) parts.push(r.data.slice());
      if (r.fin) {
        this.complete.set(id, concat(parts));
        this.inbound.delete(id);
        c.streamFinish(id);
      }
    }
  }

  allAcked(): boolean {
    return this.pending.length === 0 && this.out.size > 0 && [...this.out.values()].every((o) => o.acked);
  }

  run(maxMs: number): TransferResult {
    const ok = this.sim.run(() => this.allAcked() || !!this.closed.a || !!this.closed.b, maxMs) && this.allAcked();
    const sent = new Map<number, Uint8Array>();
    for (const [id, o] of this.out) sent.set(id, o.data);
    return { ok, elapsedMs: this.sim.now, received: this.complete, sent, closed: this.closed, sim: this.sim };
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function runTransfer(opts: SimOptions, payloads: Uint8Array[], maxMs = 600_000): TransferResult {
  return new Transfer(opts, payloads).run(maxMs);
}
