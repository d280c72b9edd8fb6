// The stream-abort fix: resetting a stream takes its packets out of flight at once, and no
// later ACK, loss, PTO or retransmission can count or release those bytes again.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SentPacketTracker, type SentPacket } from '../../../src/core/recovery/sent-packets.js';
import { RttEstimator } from '../../../src/core/recovery/rtt.js';
import { PtoBackoff } from '../../../src/core/recovery/pto.js';
import { pkt, range } from './helpers.js';

describe('dropStream: named regressions', () => {
  test('(1) a retransmission handed out before the drop and registered after it is refused', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0, { streamId: 4 }));
    for (let pn = 1; pn <= 3; pn++) t.onPacketSent(pkt(pn, 0, { streamId: null }));
    const lost = t.onAckReceived([range(1, 3)], 0, 1, rtt).lost;
    assert.deepEqual(lost.map((p) => p.pn), [0]);
    // The Connection takes the lost frames for a new packet ("hands it out")...
    const retransmission = pkt(4, 2, { streamId: 4, frames: lost[0]!.frames });
    // ...the stream is reset before that packet is registered...
    assert.deepEqual(t.dropStream(4), { releasedBytes: 0, packets: [] });
    // ...and registering it now must not count it.
    assert.equal(t.onPacketSent(retransmission), false);
    assert.equal(t.bytesInFlight, 0);
    assert.equal(t.has(4), false);
    assert.equal(t.isStreamDropped(4), true);
    assert.equal(t.onAckReceived([range(4, 4)], 0, 3, rtt).newlyAcked.length, 0);
    assert.equal(t.bytesInFlight, 0);
  });

  test('(2) an ACK after the drop releases zero', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0, { streamId: 8, size: 1200 }));
    t.onPacketSent(pkt(1, 0, { streamId: 8, size: 1200 }));
    t.onPacketSent(pkt(2, 0, { streamId: null, size: 50 }));
    const d = t.dropStream(8);
    assert.equal(d.releasedBytes, 2400);
    assert.deepEqual(d.packets.map((p) => p.pn), [0, 1]);
    assert.equal(t.bytesInFlight, 50);
    const r = t.onAckReceived([range(0, 1)], 0, 1, rtt);
    assert.equal(r.newlyAcked.length, 0);
    assert.equal(t.bytesInFlight, 50);
  });

  test('(3) a loss declared after the drop releases zero', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0, { streamId: 8 }));
    t.onPacketSent(pkt(1, 0, { streamId: null }));
    t.onPacketSent(pkt(2, 0, { streamId: null }));
    t.onPacketSent(pkt(3, 0, { streamId: null }));
    t.onPacketSent(pkt(4, 0, { streamId: 8 }));
    t.dropStream(8);
    // pn 0 would be lost by packet threshold, pn 4 never acked: neither may come back.
    const r = t.onAckReceived([range(3, 3)], 0, 1, rtt);
    assert.deepEqual(r.lost, []);
    assert.deepEqual(t.detectLosses(1e6, rtt).map((p) => p.pn), [1, 2]);
    assert.equal(t.bytesInFlight, 0);
    assert.equal(t.size, 0);
  });

  test('(4) dropping an unknown or already-finished stream is a no-op', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    t.onPacketSent(pkt(0, 0, { streamId: 2 }));
    t.onPacketSent(pkt(1, 0, { streamId: 6 }));
    t.onAckReceived([range(0, 0)], 0, 0.5, rtt); // stream 2 finished
    const before = t.bytesInFlight;
    assert.deepEqual(t.dropStream(2), { releasedBytes: 0, packets: [] });
    assert.deepEqual(t.dropStream(99), { releasedBytes: 0, packets: [] });
    assert.equal(t.bytesInFlight, before);
    assert.equal(t.has(1), true);
  });

  test('(5) control packets are untouched by a drop', () => {
    const t = new SentPacketTracker<string>();
    t.onPacketSent(pkt(0, 0, { streamId: null, size: 70 }));
    t.onPacketSent(pkt(1, 0, { streamId: 0, size: 1200 }));
    t.onPacketSent(pkt(2, 0, { streamId: null, size: 80 }));
    t.onPacketSent(pkt(3, 0, { streamId: 4, size: 1200 }));
    t.dropStream(0);
    assert.deepEqual([...t.packets()].map((p) => p.pn), [0, 2, 3]);
    assert.equal(t.bytesInFlight, 70 + 80 + 1200);
    // Dropping "null" is not a thing; a stream id never matches control packets.
    t.dropStream(4);
    assert.deepEqual([...t.packets()].map((p) => p.pn), [0, 2]);
    assert.equal(t.bytesInFlight, 150);
  });

  test('dropped packets keep their frames so the caller can re-queue control frames', () => {
    const t = new SentPacketTracker<string>();
    t.onPacketSent(pkt(0, 0, { streamId: 4, frames: ['MAX_DATA', 'STREAM 4'] }));
    assert.deepEqual(t.dropStream(4).packets[0]!.frames, ['MAX_DATA', 'STREAM 4']);
  });

  test('PTO deadline disappears once the drop leaves nothing ack-eliciting in flight', () => {
    const t = new SentPacketTracker<string>();
    const rtt = new RttEstimator();
    const pto = new PtoBackoff();
    t.onPacketSent(pkt(0, 10, { streamId: 4 }));
    assert.notEqual(pto.deadline(t.lastAckElicitingSentTime(), t.ackElicitingInFlight, rtt), null);
    t.dropStream(4);
    assert.equal(pto.deadline(t.lastAckElicitingSentTime(), t.ackElicitingInFlight, rtt), null);
  });
});

// ---- property: random interleavings ----------------------------------------------------

const STREAMS = [0, 1, 2, 3, 4];
type Action =
  | { k: 'send'; stream: number | null; size: number; ackOnly: boolean }
  | { k: 'ack'; ranges: [number, number][] }
  | { k: 'time'; dt: number }
  | { k: 'pto' }
  | { k: 'handOut' }
  | { k: 'register' }
  | { k: 'drop'; stream: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('send' as const), stream: fc.option(fc.constantFrom(...STREAMS), { freq: 4 }), size: fc.integer({ min: 20, max: 1400 }), ackOnly: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('ack' as const), ranges: fc.array(fc.tuple(fc.nat(40), fc.nat(6)), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('time' as const), dt: fc.integer({ min: 1, max: 600 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'pto' as const }) },
  { weight: 2, arbitrary: fc.constant({ k: 'handOut' as const }) },
  { weight: 2, arbitrary: fc.constant({ k: 'register' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('drop' as const), stream: fc.constantFrom(...STREAMS, 77) }) },
);

interface Model {
  tracked: Map<number, { size: number; stream: number | null; eliciting: boolean }>;
  released: Set<number>;
  dropped: Set<number>;
  lostFrames: { stream: number | null; size: number }[];
  handedOut: { stream: number | null; size: number }[];
}

class Harness {
  readonly t = new SentPacketTracker<string>();
  readonly rtt = new RttEstimator();
  readonly pto = new PtoBackoff();
  readonly m: Model = { tracked: new Map(), released: new Set(), dropped: new Set(), lostFrames: [], handedOut: [] };
  now = 0;
  nextPn = 0;

  send(stream: number | null, size: number, ackOnly: boolean): void {
    const pn = this.nextPn++;
    this.now += 0.1;
    const counted = this.t.onPacketSent(pkt(pn, this.now, { streamId: stream, size, ackEliciting: !ackOnly, inFlight: !ackOnly }));
    const expectCounted = !ackOnly && !(stream !== null && this.m.dropped.has(stream));
    assert.equal(counted, expectCounted, `pn ${pn} counted=${counted}`);
    if (counted) this.m.tracked.set(pn, { size, stream, eliciting: !ackOnly });
  }

  private release(p: SentPacket<string>, why: string): void {
    assert.ok(!this.m.released.has(p.pn), `pn ${p.pn} released twice (${why})`);
    assert.ok(this.m.tracked.has(p.pn), `pn ${p.pn} released (${why}) but not tracked`);
    this.m.released.add(p.pn);
    this.m.tracked.delete(p.pn);
  }

  private onLost(lost: SentPacket<string>[]): void {
    for (const p of lost) {
      this.release(p, 'loss');
      this.m.lostFrames.push({ stream: p.streamId, size: p.size });
    }
  }

  ack(rel: [number, number][]): void {
    this.now += 1;
    const ranges = rel.map(([back, len]) => {
      const end = Math.max(0, this.nextPn - 1 - back);
      return range(Math.max(0, end - len), end);
    });
    const expected = [...this.m.tracked.keys()].filter((pn) => ranges.some((r) => pn >= r.start && pn <= r.end)).sort((a, b) => a - b);
    const r = this.t.onAckReceived(ranges, 0, this.now, this.rtt);
    assert.deepEqual(r.newlyAcked.map((p) => p.pn), expected, 'ACK releases exactly the tracked packets in range');
    for (const p of r.newlyAcked) this.release(p, 'ack');
    if (r.newlyAcked.length > 0) this.pto.reset();
    this.onLost(r.lost);
  }

  step(a: Action): void {
    switch (a.k) {
      case 'send':
        return this.send(a.stream, a.size, a.ackOnly);
      case 'ack':
        return this.ack(a.ranges);
      case 'time':
        this.now += a.dt;
        return this.onLost(this.t.detectLosses(this.now, this.rtt));
      case 'pto': {
        const at = this.pto.deadline(this.t.lastAckElicitingSentTime(), this.t.ackElicitingInFlight, this.rtt);
        assert.equal(at === null, this.t.ackElicitingInFlight === 0);
        if (at === null) return;
        this.now = Math.max(this.now, at);
        this.pto.onPtoFired();
        // Probe: a control PING in a new packet.
        return this.send(null, 30, false);
      }
      case 'handOut': {
        const f = this.m.lostFrames.shift();
        if (f) this.m.handedOut.push(f);
        return;
      }
      case 'register': {
        const f = this.m.handedOut.shift();
        if (f) this.send(f.stream, f.size, false);
        return;
      }
      case 'drop': {
        const expected = [...this.m.tracked].filter(([, v]) => v.stream === a.stream).map(([pn]) => pn).sort((x, y) => x - y);
        const expectedBytes = expected.reduce((s, pn) => s + this.m.tracked.get(pn)!.size, 0);
        const before = this.t.bytesInFlight;
        const d = this.t.dropStream(a.stream);
        assert.deepEqual(d.packets.map((p) => p.pn), expected);
        assert.equal(d.releasedBytes, expectedBytes);
        assert.equal(this.t.bytesInFlight, before - expectedBytes, 'bytes leave flight in the same call');
        for (const p of d.packets) this.release(p, 'drop');
        this.m.dropped.add(a.stream);
        return;
      }
    }
  }

  checkInvariants(): void {
    let modelBytes = 0;
    let modelEliciting = 0;
    for (const v of this.m.tracked.values()) {
      modelBytes += v.size;
      if (v.eliciting) modelEliciting++;
    }
    let trackerBytes = 0;
    for (const p of this.t.packets()) {
      trackerBytes += p.size;
      assert.ok(!(p.streamId !== null && this.m.dropped.has(p.streamId)), `dropped stream ${p.streamId} still tracked`);
    }
    assert.ok(this.t.bytesInFlight >= 0);
    assert.equal(this.t.bytesInFlight, trackerBytes, 'bytesInFlight = sum of tracked sizes');
    assert.equal(this.t.bytesInFlight, modelBytes, 'bytesInFlight = model');
    assert.equal(this.t.size, this.m.tracked.size);
    assert.equal(this.t.ackElicitingInFlight, modelEliciting);
    for (const pn of this.m.tracked.keys()) assert.ok(this.t.has(pn));
    for (const pn of this.m.released) assert.ok(!this.t.has(pn));
  }
}

describe('dropStream: property', () => {
  test('after every step bytesInFlight equals the tracked sizes, and nothing is released twice', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 200 }), (actions) => {
        const h = new Harness();
        for (const a of actions) {
          h.step(a);
          h.checkInvariants();
        }
      }),
      { numRuns: 400 },
    );
  });
});
