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
  /**
   * Burst loss (Gilbert-Elliott, as linkem's `--ge p,r`): per packet, the good state turns bad
   * with probability enterPct %, the bad state turns good with exitPct %; every packet that
   * meets the bad state is lost. Mean loss enterPct / (enterPct + exitPct).
   */
  burstLoss?: { enterPct: number; exitPct: number };
  /** Percent of packets that get up to `reorderMs` extra delay (so later packets overtake them). */
  reorderPct?: number;
  reorderMs?: number;
  /**
   * Largest datagram the path carries (default: any). Larger ones vanish without a word, as on
   * a path whose routers drop what exceeds their MTU and whose ICMP never comes back.
   */
  mtu?: number;
  /** Drop-tail queue in bytes (default: one BDP, at least 64 KiB). */
  queueBytes?: number;
  seed?: number;
}

interface InFlight {
  at: number;
  seq: number;
  data: Uint8Array;
}

/** Compact the delivery line once this many delivered entries sit at its front. */
const COMPACT_AFTER = 4096;

/** One direction of the link. */
export class SimLink {
  private busyUntil = 0;
  private seq = 0;
  // Pending deliveries ordered by (at, seq) from index `head` on. Delivery advances `head`
  // instead of shifting, so a long delay line (1 Gbit/s x 100 ms is ~9k packets) costs O(1)
  // amortised per packet; the consumed prefix is cut off in bulk now and then.
  private line: InFlight[] = [];
  private head = 0;
  private readonly rand: () => number;
  private readonly queueBytes: number;
  private bad = false;
  delivered = 0;
  dropped = 0;
  queueDrops = 0;
  /** Datagrams over `mtu` that the path swallowed. */
  mtuDrops = 0;
  /** The path's MTU as a datagram size; tests may lower it mid-run. */
  mtu: number;
  /**
   * Optional observer: called for every packet accepted by the bottleneck with the time it
   * waits behind earlier packets (ms), i.e. the queueing delay it adds. Benchmarks use it.
   */
  onEnqueue: ((waitMs: number, now: number, size: number) => void) | null = null;

  constructor(private readonly cfg: LinkConfig) {
    this.rand = prng(cfg.seed ?? 1);
    this.mtu = cfg.mtu ?? Infinity;
    const bdp = (cfg.rateMbps * 1e6 / 8) * (2 * cfg.delayMs / 1000);
    this.queueBytes = cfg.queueBytes ?? Math.max(64 * 1024, bdp);
  }

  /** Packets on their way, earliest delivery first (a copy; for inspection only). */
  get queue(): readonly InFlight[] {
    return this.line.slice(this.head);
  }

  send(data: Uint8Array, now: number): void {
    if (data.length > this.mtu) {
      this.mtuDrops++;
      return;
    }
    if (this.rand() * 100 < (this.cfg.lossPct ?? 0) || this.burstDrop()) {
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
      const start = Math.max(now, this.busyUntil);
      this.onEnqueue?.(start - now, now, data.length);
      departAt = start + data.length / bytesPerMs;
      this.busyUntil = departAt;
    }
    let at = departAt + this.cfg.delayMs;
    if (this.cfg.reorderPct && this.rand() * 100 < this.cfg.reorderPct) at += this.rand() * (this.cfg.reorderMs ?? this.cfg.delayMs);
    // Copy: the sender may reuse its buffer.
    this.insert({ at, seq: this.seq++, data: data.slice() });
  }

  private burstDrop(): boolean {
    const ge = this.cfg.burstLoss;
    if (!ge) return false;
    if (this.bad) this.bad = this.rand() * 100 >= ge.exitPct;
    else this.bad = this.rand() * 100 < ge.enterPct;
    return this.bad;
  }

  private insert(p: InFlight): void {
    const q = this.line;
    // Without reordering every packet lands at the end; only overtaken ones need a search.
    const last = q.length > this.head ? q[q.length - 1]! : null;
    if (!last || before(last, p)) {
      q.push(p);
      return;
    }
    let lo = this.head;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(q[mid]!, p)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, p);
  }

  nextArrival(): number | null {
    return this.head < this.line.length ? this.line[this.head]!.at : null;
  }

  popDue(now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const q = this.line;
    while (this.head < q.length && q[this.head]!.at <= now) {
      out.push(q[this.head]!.data);
      q[this.head++] = undefined as unknown as InFlight; // let the datagram be collected
      this.delivered++;
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= q.length) {
      this.line = q.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

function before(x: InFlight, y: InFlight): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
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
    // Like the io driver: an event handler may write, and what it wrote must go out in the same
    // step (events can come out of pollTransmit too, e.g. room in a send buffer).
    for (let again = true; again; ) {
      again = false;
      for (const side of ['a', 'b'] as const) {
        const c = this.conn(side);
        const link = side === 'a' ? this.ab : this.ba;
        for (let d = c.pollTransmit(this.now); d; d = c.pollTransmit(this.now)) link.send(d, this.now);
        if (this.drain(side) > 0) again = true;
      }
    }
  }

  /** Hands out pending events; returns how many there were. */
  drain(side: Side): number {
    const c = this.conn(side);
    let n = 0;
    for (let e = c.pollEvent(); e; e = c.pollEvent()) {
      n++;
      this.onEvent(side, e, this);
    }
    return n;
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
