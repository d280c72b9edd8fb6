// The end of a transfer: a lost last packet has no later packets whose ACKs would reveal it, so
// without help only the probe timeout (PTO) finds it. Two things shorten that: a PTO probe that
// carries the newest unacknowledged data instead of a bare PING, and, on a path that has lost
// packets before, repeating the unacknowledged tail while the window has nothing else to carry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Transfer, payload, type TransferResult } from './transfer.js';

// Four BDPs of the 20 Mbit/s x 100 ms path: one window of repeats stays well under half of it.
const SIZE = 1_000_000;
const RTT = 100;

interface Drops {
  /** Drop the n-th client->server datagram (1-based), to put an early loss on the record. */
  early?: number;
  /** Drop the datagram that carries the last new byte of the stream. */
  last?: boolean;
}

/** The client's send streams, reached into for the one fact a test needs: the highest offset sent. */
function highestSent(t: Transfer): number {
  const c = t.sim.a as unknown as { streams: { table: { entries(): Iterable<{ send: { highestSent: number } }> } } };
  let top = 0;
  for (const e of c.streams.table.entries()) top = Math.max(top, e.send.highestSent);
  return top;
}

function run(drops: Drops): TransferResult & { dataDropped: number } {
  const t = new Transfer({ link: { rateMbps: 20, delayMs: RTT / 2 }, seed: 5, congestion: 'bbr' }, [payload(SIZE, 9)]);
  const link = t.sim.ab;
  const send = link.send.bind(link);
  let n = 0;
  let lastSeen = false;
  let dataDropped = 0;
  link.send = (d: Uint8Array, now: number) => {
    n++;
    if (drops.early === n) {
      dataDropped++;
      return;
    }
    if (!lastSeen && highestSent(t) >= SIZE) {
      lastSeen = true;
      if (drops.last) {
        dataDropped++;
        return;
      }
    }
    send(d, now);
  };
  const r = t.run(60_000);
  assert.ok(r.ok, 'transfer finished');
  assert.deepEqual(r.received.get(0), r.sent.get(0), 'byte-exact');
  return { ...r, dataDropped };
}

describe('the end of a transfer', () => {
  test('a lost last packet on a clean path: the PTO probe carries the data, no extra round trip for a PING', () => {
    const base = run({});
    const hit = run({ last: true });
    assert.equal(hit.dataDropped, 1);
    const extra = hit.elapsedMs - base.elapsedMs;
    // The probe replaces the lost packet, so the loss costs one PTO (srtt + 4 rttvar + max ack
    // delay, a little over 1 RTT here). A PING probe costs a round trip more: its ACK reveals the
    // loss, and only then does the retransmission go out.
    assert.ok(extra < 1.9 * RTT, `the loss cost ${extra.toFixed(0)} ms`);
    assert.ok(extra > 1.0 * RTT, `a loss nothing else reveals still costs a PTO (${extra.toFixed(0)} ms)`);
  });

  test('after an earlier loss, the idle window repeats the tail: a lost last packet costs almost nothing', () => {
    const base = run({ early: 30 });
    const hit = run({ early: 30, last: true });
    assert.equal(hit.dataDropped, 2);
    const extra = hit.elapsedMs - base.elapsedMs;
    assert.ok(extra < 0.5 * RTT, `the loss cost ${extra.toFixed(0)} ms`);
    const s = hit.sim.a.stats();
    // The repeat is bounded: at most about one window of extra bytes, not a second copy of everything.
    assert.ok(s.retransmittedBytes < SIZE / 2, `repeated ${s.retransmittedBytes} bytes of ${SIZE}`);
  });

  test('a path that never lost a packet repeats nothing', () => {
    const r = run({});
    assert.equal(r.sim.a.stats().packetsLost, 0);
    assert.equal(r.sim.a.stats().retransmittedBytes, 0);
  });
});
