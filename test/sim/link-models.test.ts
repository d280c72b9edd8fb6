// SimLink's linkem models: jitter with and without overtaking, packets that skip the delay line,
// duplicates, and a slow direction's rate and drop-tail queue in time (linkem's --queue-ms).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimLink, type LinkConfig } from './harness.js';

interface Arrival {
  index: number;
  sentAt: number;
  at: number;
  data: Uint8Array;
}

/** Sends `n` datagrams of `size` bytes, one every `gapMs`, each tagged with its index. */
function offer(link: SimLink, n: number, gapMs: number, size = 1200): void {
  for (let i = 0; i < n; i++) {
    const d = new Uint8Array(size);
    new DataView(d.buffer).setUint32(0, i);
    link.send(d, i * gapMs);
  }
}

/** Everything the link delivers, in delivery order, with its arrival time. */
function collect(link: SimLink, gapMs: number): Arrival[] {
  const out: Arrival[] = [];
  for (let t = link.nextArrival(); t !== null; t = link.nextArrival()) {
    for (const data of link.popDue(t)) {
      const index = new DataView(data.buffer, data.byteOffset).getUint32(0);
      out.push({ index, sentAt: index * gapMs, at: t, data });
    }
  }
  return out;
}

function run(cfg: LinkConfig, n: number, gapMs: number, size = 1200): { link: SimLink; got: Arrival[] } {
  const link = new SimLink(cfg);
  offer(link, n, gapMs, size);
  return { link, got: collect(link, gapMs) };
}

/** Deliveries that came after a later-sent datagram's. */
function overtaken(got: readonly Arrival[]): number {
  let n = 0;
  let highest = -1;
  for (const a of got) {
    if (a.index < highest) n++;
    highest = Math.max(highest, a.index);
  }
  return n;
}

const GAP = 0.12; // a 1500-byte packet at 100 Mbit/s

describe('SimLink jitter', () => {
  test('without jitterReorder: delays spread over ±T, order always kept', () => {
    const { got } = run({ rateMbps: 0, delayMs: 10, jitterMs: 2, seed: 5 }, 20_000, GAP);
    assert.equal(got.length, 20_000);
    assert.equal(overtaken(got), 0);
    got.forEach((a, i) => assert.equal(a.index, i));
    const delays = got.map((a) => a.at - a.sentAt);
    assert.ok(Math.min(...delays) >= 8 - 1e-9, 'never earlier than delay − T');
    // Order-keeping only holds packets back, so the spread reaches the top and the mean is above 10.
    assert.ok(Math.max(...delays) > 11.9 && Math.max(...delays) <= 12 + 1e-9, `max ${Math.max(...delays)}`);
    const mean = delays.reduce((x, y) => x + y, 0) / delays.length;
    assert.ok(mean > 10.3 && mean < 11.5, `mean delay ${mean}`);
  });

  test('with jitterReorder: adjacent packets swap as often as two uniform delays predict', () => {
    const { got } = run({ rateMbps: 0, delayMs: 10, jitterMs: 2, jitterReorder: true, seed: 5 }, 20_000, GAP);
    const at = new Float64Array(got.length);
    for (const a of got) at[a.index] = a.at;
    let swapped = 0;
    for (let i = 0; i + 1 < at.length; i++) if (at[i + 1]! < at[i]!) swapped++;
    // d(i) − d(i+1) is triangular on [−2T, 2T]: P(it exceeds the gap g) = (2T − g)² / 8T².
    const expected = (4 - GAP) ** 2 / 32;
    const fraction = swapped / (at.length - 1);
    assert.ok(Math.abs(fraction - expected) < 0.02, `swapped ${fraction.toFixed(3)}, expected ${expected.toFixed(3)}`);
    const delays = got.map((a) => a.at - a.sentAt);
    assert.ok(Math.min(...delays) < 8.01 && Math.max(...delays) > 11.99, 'uniform over the whole ±T');
  });

  test('order is kept behind the serialization of a rate-limited link too', () => {
    const { got } = run({ rateMbps: 100, delayMs: 10, jitterMs: 1, queueBytes: 1e9, seed: 2 }, 5_000, 0.05);
    assert.equal(overtaken(got), 0);
  });
});

describe('SimLink skipDelayPct (linkem --reorder)', () => {
  test('that fraction skips the delay, arrives at departure and overtakes the delay line', () => {
    const n = 50_000;
    const { link, got } = run({ rateMbps: 0, delayMs: 10, skipDelayPct: 2, seed: 9 }, n, GAP);
    const skipped = got.filter((a) => a.at === a.sentAt);
    assert.equal(skipped.length, link.skippedDelay);
    assert.ok(Math.abs(skipped.length / n - 0.02) < 0.003, `skipped ${skipped.length} of ${n}`);
    assert.ok(got.every((a) => a.at === a.sentAt || a.at === a.sentAt + 10), 'no other delay');
    // Each skipped packet overtakes exactly the delayed packets sent in the 10 ms before it.
    const arrivedAt = new Float64Array(n);
    const wasSkipped = new Uint8Array(n);
    for (const a of got) arrivedAt[a.index] = a.at;
    for (const a of skipped) wasSkipped[a.index] = 1;
    for (const s of skipped.filter((a) => a.sentAt > 10)) {
      let passed = 0;
      let inLine = 0;
      for (let i = s.index - 1; i >= 0 && s.sentAt - i * GAP < 10 + 1e-9; i--) {
        if (arrivedAt[i]! > s.at) passed++;
        if (!wasSkipped[i] && s.sentAt - i * GAP < 10 - 1e-9) inLine++;
      }
      assert.equal(passed, inLine, `skipped packet ${s.index}`);
    }
  });

  test('skipped packets still pay the rate and do not hold the in-order jitter back', () => {
    const { got } = run({ rateMbps: 8, delayMs: 5, jitterMs: 1, skipDelayPct: 10, queueBytes: 1e9, seed: 4 }, 4_000, 2, 1000);
    // 1000 bytes at 8 Mbit/s take 1 ms to serialise; offered every 2 ms, so none wait.
    for (const a of got) {
      const d = a.at - a.sentAt;
      assert.ok(Math.abs(d - 1) < 1e-9 || (d >= 5 - 1e-9 && d <= 7 + 1e-9), `delay ${d}`);
    }
    const inOrder = got.filter((a) => a.at - a.sentAt > 1.5);
    assert.equal(overtaken(inOrder), 0);
  });
});

describe('SimLink duplicatePct', () => {
  test('that fraction arrives twice: an equal copy, right behind the original', () => {
    const n = 50_000;
    const { link, got } = run({ rateMbps: 0, delayMs: 3, duplicatePct: 1, seed: 8 }, n, GAP, 100);
    assert.equal(got.length, n + link.duplicated);
    assert.ok(Math.abs(link.duplicated / n - 0.01) < 0.0015, `duplicated ${link.duplicated} of ${n}`);
    let pairs = 0;
    for (let i = 1; i < got.length; i++) {
      if (got[i]!.index !== got[i - 1]!.index) continue;
      pairs++;
      assert.equal(got[i]!.at, got[i - 1]!.at);
      assert.deepEqual(got[i]!.data, got[i - 1]!.data);
      assert.notEqual(got[i]!.data, got[i - 1]!.data, 'a copy, not the same buffer');
    }
    assert.equal(pairs, link.duplicated);
  });
});

describe('SimLink thin direction (linkem --rate 1 --queue-ms 50)', () => {
  const thin: LinkConfig = { rateMbps: 1, delayMs: 20, queueMs: 50, headerBytes: 28, seed: 3 };

  test('the queue is 50 ms at the rate but never under 10 packets of 1500 bytes', () => {
    // 1 Mbit/s x 50 ms is 6250 bytes, under the floor: 15000 bytes = 192 ACKs of 50 + 28.
    const link = new SimLink(thin);
    offer(link, 1000, 0, 50);
    assert.equal(link.queueDrops, 1000 - 192);
    // At 100 Mbit/s the time wins: 625000 bytes = 422 datagrams of 1452 + 28.
    const fast = new SimLink({ ...thin, rateMbps: 100 });
    offer(fast, 1000, 0, 1452);
    assert.equal(fast.queueDrops, 1000 - 422);
  });

  test('delivers exactly the rate in wire bytes and drops the excess at the tail', () => {
    // 78 wire bytes at 1 Mbit/s take 0.624 ms; offered every 0.312 ms, half must drop.
    const { link, got } = run(thin, 10_000, 0.312, 50);
    const last = got[got.length - 1]!;
    const steady = got.filter((a) => a.at > 1000);
    const mbps = ((steady.length - 1) * 78 * 8) / ((last.at - steady[0]!.at) * 1000);
    assert.ok(Math.abs(mbps - 1) < 0.001, `delivered ${mbps} Mbit/s`);
    assert.ok(Math.abs(link.queueDrops / 10_000 - 0.5) < 0.02, `dropped ${link.queueDrops}`);
    const worst = Math.max(...got.map((a) => a.at - a.sentAt));
    assert.ok(worst <= 20 + 120 + 1e-9 && worst > 20 + 119, `worst one-way ${worst} ms (120 ms of queue)`);
  });

  test('headerBytes counts against the rate: 28 more bytes, proportionally later', () => {
    const bare = run({ ...thin, headerBytes: 0, queueBytes: 1e9 }, 100, 0, 50).got;
    const wire = run({ ...thin, queueBytes: 1e9 }, 100, 0, 50).got;
    assert.ok(Math.abs(bare[99]!.at - 20 - 100 * 0.4) < 1e-9);
    assert.ok(Math.abs(wire[99]!.at - 20 - 100 * 0.624) < 1e-9);
  });
});

describe('SimLink without the linkem options', () => {
  test('draws the RNG exactly as before they existed (seeded runs keep their figures)', () => {
    const link = new SimLink({ rateMbps: 10, delayMs: 5, lossPct: 10, reorderPct: 20, reorderMs: 7, seed: 11 });
    for (let i = 0; i < 24; i++) link.send(new Uint8Array(1000).fill(i), i * 0.5);
    const order: number[] = [];
    const ats: number[] = [];
    for (let t = link.nextArrival(); t !== null; t = link.nextArrival()) {
      for (const d of link.popDue(t)) {
        order.push(d[0]!);
        ats.push(Math.round(t * 1000) / 1000);
      }
    }
    // Recorded with the harness before jitter, skipDelayPct and duplicatePct were added.
    assert.deepEqual(order, [0, 1, 2, 4, 5, 6, 7, 9, 8, 11, 12, 13, 14, 16, 10, 18, 19, 20, 21, 17]);
    assert.deepEqual(ats, [5.8, 6.6, 7.4, 8.2, 9, 9.8, 10.6, 12.2, 13.333, 13.8, 14.6, 15.4, 16.2, 17, 17.18, 18.6, 19.4, 20.2, 21, 23.005]);
    assert.equal(link.dropped, 4);
    assert.equal(link.sent, 24);
  });
});
