// Request and answer on one open stream, as xfer's batches go (the sender's header, the
// receiver's decisions): while a side waits for the answer, its request is the tail of a stream
// that is not finished. A lost request has no later packets whose ACKs would reveal it, so it
// needs the same care as the last packet of a transfer (tail.test.ts): a PTO probe that carries
// it, and, on a path known to lose packets, a repeat while the window is idle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from './harness.js';

const RTT = 100;
const REQUEST = 300;
const ANSWER = 200;
const ROUNDS = 6;

interface Drops {
  /** Drop the client's first hello and its copy: the handshake is retried. */
  hello?: boolean;
  /** Drop the datagrams of these requests (0-based). */
  requests?: number[];
  /** Drop the datagrams of these answers. */
  answers?: number[];
}

interface Result {
  /** From writing request k to reading all of its answer, ms. */
  waits: number[];
  dropped: number;
  /** Bytes both sides sent again (retransmissions, probes and repeats). */
  again: number;
}

function exchange(drops: Drops): Result {
  const sim = new Sim({ link: { rateMbps: 20, delayMs: RTT / 2 }, seed: 3, congestion: 'bbr' });
  let dropA = drops.hello === true;
  let helloCopy = drops.hello === true;
  let dropB = false;
  let dropped = 0;
  for (const [link, which] of [[sim.ab, 'a'], [sim.ba, 'b']] as const) {
    const send = link.send.bind(link);
    link.send = (d: Uint8Array, now: number) => {
      if (which === 'a' ? dropA : dropB) {
        if (which === 'a') {
          dropA = helloCopy;
          helloCopy = false;
        }
        else dropB = false;
        dropped++;
        return;
      }
      send(d, now);
    };
  }
  const waits: number[] = [];
  let id: number | null = null;
  let k = 0;
  let askedAt = 0;
  let got = 0;
  let heard = 0;
  const ask = (): void => {
    askedAt = sim.now;
    got = 0;
    heard = 0;
    if (drops.requests?.includes(k)) dropA = true;
    assert.equal(sim.a.streamWrite(id!, new Uint8Array(REQUEST).fill(k)), REQUEST);
  };
  sim.onEvent = (side, e) => {
    if (side === 'a' && e.type === 'connected') {
      id = sim.a.openStream();
      ask();
    } else if (side === 'b' && e.type === 'stream_readable') {
      for (let r = sim.b.streamRead(e.id); r; r = sim.b.streamRead(e.id)) heard += r.data.length;
      if (heard === REQUEST) {
        heard = 0;
        if (drops.answers?.includes(k)) dropB = true;
        assert.equal(sim.b.streamWrite(e.id, new Uint8Array(ANSWER).fill(k)), ANSWER);
      }
    } else if (side === 'a' && e.type === 'stream_readable') {
      for (let r = sim.a.streamRead(e.id); r; r = sim.a.streamRead(e.id)) got += r.data.length;
      if (got === ANSWER) {
        waits.push(sim.now - askedAt);
        if (++k < ROUNDS) ask();
      }
    }
  };
  assert.ok(sim.run(() => waits.length === ROUNDS, 30_000), 'all exchanges answered');
  return { waits, dropped, again: sim.a.stats().retransmittedBytes + sim.b.stats().retransmittedBytes };
}

describe('a request waiting for its answer on an open stream', () => {
  const base = exchange({});

  test('no loss: every exchange takes one round trip', () => {
    for (const w of base.waits) assert.ok(w >= RTT && w < RTT + 5, `waits ${base.waits.join(', ')} ms`);
  });

  test('a lost request on a path with no loss yet: the PTO probe carries it, no extra round trip for a PING', () => {
    const hit = exchange({ requests: [2] });
    assert.equal(hit.dropped, 1);
    const extra = hit.waits[2]! - base.waits[2]!;
    // One PTO (srtt + 4 rttvar + max ack delay: ~240 ms this early) and not a round trip more,
    // which a PING probe costs: its ACK reveals the loss and only then does the request go again
    // (339 ms, measured before open streams had tails).
    assert.ok(extra > RTT && extra < 3 * RTT, `the loss cost ${extra.toFixed(0)} ms`);
  });

  test('after an earlier loss, the idle window repeats the answer: losing it costs almost nothing', () => {
    const early = exchange({ answers: [1] });
    const hit = exchange({ answers: [1, 3] });
    assert.equal(hit.dropped, 2);
    const extra = hit.waits[3]! - early.waits[3]!;
    // Without: 274 ms (a PTO; the answer's sender had lost one before, but open streams had no tail).
    assert.ok(extra < 0.2 * RTT, `the lost answer cost ${extra.toFixed(0)} ms`);
    // Each message is repeated about once, not over and over while its answer is on the way.
    assert.ok(hit.again < 3 * ROUNDS * (REQUEST + ANSWER), `sent again: ${hit.again} bytes`);
  });

  test('a retried handshake counts as loss: the first request is repeated from the start', () => {
    const retried = exchange({ hello: true });
    const hit = exchange({ hello: true, requests: [0] });
    assert.equal(hit.dropped, 3);
    const extra = hit.waits[0]! - retried.waits[0]!;
    // Without: 1,124 ms. A retried hello gives no RTT sample, so the PTO starts from 333 ms.
    assert.ok(extra < 0.2 * RTT, `the lost first request cost ${extra.toFixed(0)} ms`);
  });

  test('a clean path repeats nothing', () => {
    assert.equal(base.dropped, 0);
    assert.equal(base.again, 0);
  });
});
