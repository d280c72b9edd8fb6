// Several client/server Connection pairs whose data packets cross ONE shared bottleneck: a
// drop-tail FIFO served at the link rate, then the propagation delay. The return paths (ACKs)
// are per-flow SimLinks from the harness at the same rate, delay and loss; ACK traffic is far
// below the rate, so sharing them would change nothing measurable.
import { Connection } from '../../src/core/connection.js';
import type { CongestionAlgorithm } from '../../src/core/api.js';
import { SimLink, SIM_CODE, prng, randomSource } from '../../test/sim/harness.js';
import { BulkFlow } from './bulk.js';

export interface SharedLinkConfig {
  rateMbps: number;
  rttMs: number;
  lossPct: number;
  queueBytes: number;
  seed: number;
}

interface Packet {
  at: number;
  flow: number;
  data: Uint8Array;
}

/** The shared forward bottleneck. Every packet sees the same delay, so delivery is FIFO. */
export class SharedBottleneck {
  private busyUntil = 0;
  private line: Packet[] = [];
  private head = 0;
  private readonly rand: () => number;
  private readonly bytesPerMs: number;
  queueDrops = 0;
  randomDrops = 0;

  constructor(private readonly cfg: SharedLinkConfig) {
    this.rand = prng(cfg.seed);
    this.bytesPerMs = (cfg.rateMbps * 1e6) / 8 / 1000;
  }

  send(flow: number, data: Uint8Array, now: number): void {
    if (this.rand() * 100 < this.cfg.lossPct) {
      this.randomDrops++;
      return;
    }
    const backlog = Math.max(0, this.busyUntil - now) * this.bytesPerMs;
    if (backlog + data.length > this.cfg.queueBytes) {
      this.queueDrops++;
      return;
    }
    this.busyUntil = Math.max(now, this.busyUntil) + data.length / this.bytesPerMs;
    this.line.push({ at: this.busyUntil + this.cfg.rttMs / 2, flow, data: data.slice() });
  }

  nextArrival(): number | null {
    return this.head < this.line.length ? this.line[this.head]!.at : null;
  }

  /** Calls `deliver` for every packet due by `now`, in order. */
  popDue(now: number, deliver: (flow: number, data: Uint8Array) => void): void {
    const q = this.line;
    while (this.head < q.length && q[this.head]!.at <= now) {
      const p = q[this.head]!;
      q[this.head++] = undefined as unknown as Packet;
      deliver(p.flow, p.data);
    }
    if (this.head > 4096 && this.head * 2 > q.length) {
      this.line = q.slice(this.head);
      this.head = 0;
    }
  }
}

export interface FlowSpec {
  cc: CongestionAlgorithm;
  /** Virtual ms at which this flow's client starts its handshake. */
  startMs: number;
}

interface Pair {
  spec: FlowSpec;
  client: Connection;
  server: Connection;
  back: SimLink;
  app: BulkFlow;
}

/** N bulk flows (each sending forever) over one SharedBottleneck, driven in virtual time. */
export class SharedNet {
  now = 0;
  readonly link: SharedBottleneck;
  private readonly pairs: Pair[] = [];
  private readonly pending: { index: number; spec: FlowSpec }[];

  constructor(private readonly cfg: SharedLinkConfig, flows: readonly FlowSpec[]) {
    this.link = new SharedBottleneck(cfg);
    // Flow i is the i-th pair created, so flows must be listed in start order.
    flows.forEach((f, i) => {
      if (i > 0 && f.startMs < flows[i - 1]!.startMs) throw new Error('flows must be listed in start order');
    });
    this.pending = flows.map((spec, index) => ({ index, spec }));
  }

  /** Bytes each flow's receiver has read so far, in flow order (0 before a flow starts). */
  received(): number[] {
    const out: number[] = [];
    for (const p of this.pairs) out.push(p.app.received);
    return out;
  }

  /** Advances virtual time to `until`, calling `onStep` after every event. */
  run(until: number, onStep: () => void = () => {}): void {
    this.startDue();
    this.flushAll();
    for (;;) {
      const next = this.nextEvent();
      if (next === null || next > until) break;
      this.now = Math.max(this.now, next);
      this.startDue();
      this.link.popDue(this.now, (flow, d) => this.pairs[flow]!.server.handleDatagram(d, this.now));
      for (const p of this.pairs) {
        for (const d of p.back.popDue(this.now)) p.client.handleDatagram(d, this.now);
        for (const c of [p.client, p.server]) {
          const t = c.pollTimeout();
          if (t !== null && t <= this.now) c.handleTimeout(this.now);
        }
      }
      this.flushAll();
      onStep();
    }
    this.now = until;
  }

  private nextEvent(): number | null {
    let next = this.link.nextArrival() ?? Infinity;
    if (this.pending.length) next = Math.min(next, this.pending[0]!.spec.startMs);
    for (const p of this.pairs) {
      next = Math.min(next, p.back.nextArrival() ?? Infinity, p.client.pollTimeout() ?? Infinity, p.server.pollTimeout() ?? Infinity);
    }
    return next === Infinity ? null : next;
  }

  private startDue(): void {
    while (this.pending.length && this.pending[0]!.spec.startMs <= this.now) {
      const { index, spec } = this.pending.shift()!;
      this.pairs[index] = this.makePair(index, spec);
    }
  }

  private makePair(index: number, spec: FlowSpec): Pair {
    const seed = this.cfg.seed * 101 + index;
    const common = { code: SIM_CODE, now: this.now, congestion: spec.cc } as const;
    const client = new Connection({ ...common, role: 'client', random: randomSource(seed * 31 + 3) });
    const server = new Connection({ ...common, role: 'server', random: randomSource(seed * 37 + 4) });
    const back = new SimLink({ rateMbps: this.cfg.rateMbps, delayMs: this.cfg.rttMs / 2, lossPct: this.cfg.lossPct, seed: seed * 13 + 2 });
    const app = new BulkFlow(client, server, Infinity, () => this.now);
    return { spec, client, server, back, app };
  }

  /** Events first (the app may write), then transmit, then the events transmitting raised. */
  private flushAll(): void {
    this.pairs.forEach((p, flow) => {
      this.drain(p);
      for (let d = p.client.pollTransmit(this.now); d; d = p.client.pollTransmit(this.now)) this.link.send(flow, d, this.now);
      for (let d = p.server.pollTransmit(this.now); d; d = p.server.pollTransmit(this.now)) p.back.send(d, this.now);
      this.drain(p);
    });
  }

  private drain(p: Pair): void {
    for (let e = p.client.pollEvent(); e; e = p.client.pollEvent()) p.app.onEvent('a', e);
    for (let e = p.server.pollEvent(); e; e = p.server.pollEvent()) p.app.onEvent('b', e);
  }
}
