// A simulated network for two sans-IO Connections: seeded loss, delay, rate, queue and
// reordering, driven in virtual time. No sockets, no sleeps: a run of minutes takes milliseconds.
import { Connection } from '../../src/core/connection.js';
import type { ConnectionEvent, ConnectionOptions, CongestionAlgorithm } from '../../src/core/api.js';

/** Small fast seeded PRNG (mulberry32); deterministic per seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomSource(seed: number): (n: number) => Uint8Array {
  const r = prng(seed);
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
    return out;
  };
}

export interface LinkConfig {
  /** Bottleneck rate in Mbit/s (0 = unlimited). */
  rateMbps: number;
  /** One-way propagation delay in ms. */
  delayMs: number;
  /** Random loss in percent. */
  lossPct?: number;
  /** Percent of packets that get up to `reorderMs` extra delay (so later packets overtake them). */
  reorderPct?: number;
  reorderMs?: number;
  /** Drop-tail queue in bytes (default: one BDP, at least 64 KiB). */
  queueBytes?: number;
  seed?: number;
}

interface InFlight {
  at: number;
  seq: number;
  data: Uint8Array;
}

/** One direction of the link. */
export class SimLink {
  private busyUntil = 0;
  private seq = 0;
  readonly queue: InFlight[] = [];
  private readonly rand: () => number;
  private readonly queueBytes: number;
  delivered = 0;
  dropped = 0;
  queueDrops = 0;

  constructor(private readonly cfg: LinkConfig) {
    this.rand = prng(cfg.seed ?? 1);
    const bdp = (cfg.rateMbps * 1e6 / 8) * (2 * cfg.delayMs / 1000);
    this.queueBytes = cfg.queueBytes ?? Math.max(64 * 1024, bdp);
  }

  send(data: Uint8Array, now: number): void {
    if (this.rand() * 100 < (this.cfg.lossPct ?? 0)) {
      this.dropped++;
      return;
    }
    let departAt = now;
    if (this.cfg.rateMbps > 0) {
      const bytesPerMs = this.cfg.rateMbps * 1e6 / 8 / 1000;
      const backlogBytes = Math.max(0, this.busyUntil - now) * bytesPerMs;
      if (backlogBytes + data.length > this.queueBytes) {
        this.queueDrops++;
        return;
      }
      departAt = Math.max(now, this.busyUntil) + data.length / bytesPerMs;
      this.busyUntil = departAt;
    }
    let at = departAt + this.cfg.delayMs;
    if (this.cfg.reorderPct && this.rand() * 100 < this.cfg.reorderPct) at += this.rand() * (this.cfg.reorderMs ?? this.cfg.delayMs);
    // Copy: the sender may reuse its buffer.
    this.insert({ at, seq: this.seq++, data: data.slice() });
  }

  private insert(p: InFlight): void {
    const q = this.queue;
    let i = q.length;
    while (i > 0 && (q[i - 1]!.at > p.at || (q[i - 1]!.at === p.at && q[i - 1]!.seq > p.seq))) i--;
    q.splice(i, 0, p);
  }

  nextArrival(): number | null {
    return this.queue.length ? this.queue[0]!.at : null;
  }

  popDue(now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.queue.length && this.queue[0]!.at <= now) {
      out.push(this.queue.shift()!.data);
      this.delivered++;
    }
    return out;
  }
}

export type Side = 'a' | 'b';

export interface SimOptions {
  link: LinkConfig;
  /** Reverse link; defaults to the same config with another seed. */
  reverse?: LinkConfig;
  seed?: number;
  congestion?: CongestionAlgorithm;
  code?: string;
  clientOptions?: Partial<ConnectionOptions>;
  serverOptions?: Partial<ConnectionOptions>;
}

export const SIM_CODE = '0123456789abcdef0123456789abcdef';

/** Client `a` and server `b` joined by two SimLinks. */
export class Sim {
  now = 0;
  readonly a: Connection;
  readonly b: Connection;
  readonly ab: SimLink;
  readonly ba: SimLink;
  onEvent: (side: Side, e: ConnectionEvent, sim: Sim) => void = () => {};
  /** Called after every step; tests use it to sample state. */
  onStep: (sim: Sim) => void = () => {};

  constructor(o: SimOptions) {
    const seed = o.seed ?? 1;
    const code = o.code ?? SIM_CODE;
    this.ab = new SimLink({ ...o.link, seed: (o.link.seed ?? seed) * 7 + 1 });
    this.ba = new SimLink({ ...(o.reverse ?? o.link), seed: (o.link.seed ?? seed) * 13 + 2 });
    const common = { code, now: 0, congestion: o.congestion ?? 'newreno' } as const;
    this.a = new Connection({ ...common, role: 'client', random: randomSource(seed * 31 + 3), ...o.clientOptions });
    this.b = new Connection({ ...common, role: 'server', random: randomSource(seed * 37 + 4), ...o.serverOptions });
  }

  conn(side: Side): Connection {
    return side === 'a' ? this.a : this.b;
  }

  private flush(): void {
    for (const side of ['a', 'b'] as const) {
      const c = this.conn(side);
      const link = side === 'a' ? this.ab : this.ba;
      for (let d = c.pollTransmit(this.now); d; d = c.pollTransmit(this.now)) link.send(d, this.now);
      this.drain(side);
    }
  }

  drain(side: Side): void {
    const c = this.conn(side);
    for (let e = c.pollEvent(); e; e = c.pollEvent()) this.onEvent(side, e, this);
  }

  /** Advances virtual time until `done()` or `maxMs`; returns true if done. */
  run(done: () => boolean, maxMs: number): boolean {
    this.flush();
    while (!done()) {
      const times = [this.ab.nextArrival(), this.ba.nextArrival(), this.a.pollTimeout(), this.b.pollTimeout()].filter(
        (t): t is number => t !== null,
      );
      if (times.length === 0) return done();
      const next = Math.max(this.now, Math.min(...times));
      if (next > maxMs) {
        this.now = maxMs;
        return done();
      }
      this.now = next;
      for (const d of this.ab.popDue(this.now)) this.b.handleDatagram(d, this.now);
      for (const d of this.ba.popDue(this.now)) this.a.handleDatagram(d, this.now);
      for (const c of [this.a, this.b]) {
        const t = c.pollTimeout();
        if (t !== null && t <= this.now) c.handleTimeout(this.now);
      }
      this.drain('a');
      this.drain('b');
      this.flush();
      this.onStep(this);
    }
    return true;
  }
}
