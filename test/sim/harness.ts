// A simulated network for two sans-IO Connections: seeded loss, delay, rate, queue, jitter,
// reordering and duplicates (linkem's models), driven in virtual time. No sockets, no sleeps:
// a run of minutes takes milliseconds.
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
   * linkem's `--jitter T`: uniform ±T ms added to the one-way delay (never below 0). Packet order
   * is kept (a packet never leaves before the one ahead of it) unless `jitterReorder`, as
   * linkem's `--jitter-reorder`.
   */
  jitterMs?: number;
  jitterReorder?: boolean;
  /**
   * linkem's `--reorder P`: P % of packets skip the delay line (they still pay the rate), so they
   * overtake everything sent in the last `delayMs`.
   */
  skipDelayPct?: number;
  /** linkem's `--duplicate P`: P % of packets arrive twice, the copy right behind the original. */
  duplicatePct?: number;
  /**
   * Largest datagram the path carries (default: any). Larger ones vanish without a word, as on
   * a path whose routers drop what exceeds their MTU and whose ICMP never comes back.
   */
  mtu?: number;
  /** Drop-tail queue in bytes (default: one BDP, at least 64 KiB). */
  queueBytes?: number;
  /**
   * linkem's `--queue-ms T`: the queue as T ms at the rate, at least 10 packets of 1500 bytes
   * (linkem's default is 50). `queueBytes` wins when both are set.
   */
  queueMs?: number;
  /**
   * Bytes each datagram costs the rate and the queue beyond its UDP payload (default 0). linkem
   * counts IP packets, so 28 (IPv4 + UDP) models it; it matters for small ACK datagrams on a
   * thin return path, where the headers are a third of every datagram.
   */
  headerBytes?: number;
  seed?: number;
}

interface InFlight {
  at: number;
  seq: number;
  data: Uint8Array;
}

/** Compact the delivery line once this many delivered entries sit at its front. */
const COMPACT_AFTER = 4096;
/** linkem's floor for a queue set in time: 10 packets of its 1500-byte MTU. */
const MIN_QUEUE_MS_BYTES = 10 * 1500;

function queueBytesOf(cfg: LinkConfig): number {
  if (cfg.queueBytes !== undefined) return cfg.queueBytes;
  const bytesPerSec = cfg.rateMbps * 1e6 / 8;
  if (cfg.queueMs !== undefined) return Math.max(bytesPerSec * (cfg.queueMs / 1000), MIN_QUEUE_MS_BYTES);
  // Exactly the expression this default always had, so seeded runs keep their figures.
  return Math.max(64 * 1024, bytesPerSec * (2 * cfg.delayMs / 1000));
}

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
  /** Latest arrival through the delay line so far: jitter without reordering never goes below it. */
  private lastDue = 0;
  /** Datagrams offered to the link (before any loss). */
  sent = 0;
  delivered = 0;
  dropped = 0;
  queueDrops = 0;
  /** Datagrams over `mtu` that the path swallowed. */
  mtuDrops = 0;
  /** Datagrams that skipped the delay line (`skipDelayPct`), and copies added (`duplicatePct`). */
  skippedDelay = 0;
  duplicated = 0;
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
    this.queueBytes = queueBytesOf(cfg);
  }

  /** Packets on their way, earliest delivery first (a copy; for inspection only). */
  get queue(): readonly InFlight[] {
    return this.line.slice(this.head);
  }

  // The pipeline is linkem's: loss, then queue and serialization, then delay (with jitter) or
  // skipping it, then duplication. The RNG is drawn only for options a link uses, in linkem's
  // order, so a link without the newer options sees the same draws as before they existed.
  send(data: Uint8Array, now: number): void {
    this.sent++;
    if (data.length > this.mtu) {
      this.mtuDrops++;
      return;
    }
    if (this.rand() * 100 < (this.cfg.lossPct ?? 0) || this.burstDrop()) {
      this.dropped++;
      return;
    }
    const departAt = this.depart(data.length, now);
    if (departAt === null) return;
    const at = this.arrival(departAt);
    // Copy: the sender may reuse its buffer.
    this.insert({ at, seq: this.seq++, data: data.slice() });
    if (this.cfg.duplicatePct && this.rand() * 100 < this.cfg.duplicatePct) {
      this.duplicated++;
      this.insert({ at, seq: this.seq++, data: data.slice() });
    }
  }

  /** When the datagram's last bit leaves the bottleneck, or null when the queue is full. */
  private depart(size: number, now: number): number | null {
    if (this.cfg.rateMbps <= 0) return now;
    const wire = size + (this.cfg.headerBytes ?? 0);
    const bytesPerMs = this.cfg.rateMbps * 1e6 / 8 / 1000;
    const backlogBytes = Math.max(0, this.busyUntil - now) * bytesPerMs;
    if (backlogBytes + wire > this.queueBytes) {
      this.queueDrops++;
      return null;
    }
    const start = Math.max(now, this.busyUntil);
    this.onEnqueue?.(start - now, now, size);
    this.busyUntil = start + wire / bytesPerMs;
    return this.busyUntil;
  }

  /** Arrival time at the far end of a datagram that left the bottleneck at `departAt`. */
  private arrival(departAt: number): number {
    const c = this.cfg;
    let at: number;
    if (c.skipDelayPct && this.rand() * 100 < c.skipDelayPct) {
      // As linkem: it overtakes what is in the delay line and leaves the order-keeping clock alone.
      this.skippedDelay++;
      at = departAt;
    } else if (c.jitterMs) {
      at = departAt + Math.max(0, c.delayMs + (2 * this.rand() - 1) * c.jitterMs);
      if (!c.jitterReorder) at = Math.max(at, this.lastDue);
      this.lastDue = at;
    } else {
      at = departAt + c.delayMs;
    }
    if (c.reorderPct && this.rand() * 100 < c.reorderPct) at += this.rand() * (c.reorderMs ?? c.delayMs);
    return at;
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
