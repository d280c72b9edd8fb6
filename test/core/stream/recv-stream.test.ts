import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockPool } from '../../../src/core/stream/block-pool.js';
import { RecvStream } from '../../../src/core/stream/recv-stream.js';

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

/** Reads everything currently readable, in pieces of at most maxBytes. */
function readAll(r: RecvStream, maxBytes: number): { data: Uint8Array; fin: boolean } {
  const parts: Uint8Array[] = [];
  let fin = false;
  for (let got = r.read(maxBytes); got !== null; got = r.read(maxBytes)) {
    assert.ok(got.data.length <= maxBytes);
    parts.push(got.data.slice());
    fin ||= got.fin;
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { data, fin };
}

/**
 * A payload and pieces [start, end) of it: random cuts that cover it all, plus random extra
 * ranges that overlap and duplicate them.
 */
const scenario = fc.integer({ min: 0, max: 4000 }).chain((size) =>
  fc.record({
    payload: fc.uint8Array({ minLength: size, maxLength: size }),
    cuts: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 50 }),
    extras: fc.array(fc.tuple(fc.nat(size), fc.nat(300)), { maxLength: 60 }),
  }),
);

function piecesOf(size: number, cuts: number[], extras: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0, k = 0; at < size; k++) {
    const end = Math.min(size, at + cuts[k % cuts.length]!);
    out.push([at, end]);
    at = end;
  }
  for (const [s, l] of extras) out.push([s, Math.min(size, s + l)]);
  return out;
}

describe('RecvStream reassembly', () => {
  test('data is copied: the packet buffer may change or go once onData returns', () => {
    const r = new RecvStream(1);
    const packet = bytes(1000);
    r.onData(0, packet.subarray(0, 990), false);
    r.onData(2000, packet.subarray(0, 10), false);
    packet.fill(0xaa);
    r.onData(990, bytes(1010, 7), false);
    const got = r.read(3000)!.data;
    assert.deepEqual(got.subarray(0, 990), bytes(1000).subarray(0, 990));
    assert.deepEqual(got.subarray(990, 2000), bytes(1010, 7));
    assert.deepEqual(got.subarray(2000), bytes(10));
  });

  test('random overlapping, duplicated, shuffled pieces read back identical bytes', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 1, max: 5000 }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        fc.integer({ min: 1, max: 700 }),
        ({ payload, cuts, extras }, readSize, rnd, readAlong, blockSize) => {
          const size = payload.length;
          const ps = piecesOf(size, cuts, extras);
          for (let i = ps.length - 1; i > 0; i--) {
            const j = rnd.next().value % (i + 1);
            [ps[i], ps[j]] = [ps[j]!, ps[i]!];
          }
          const pool = new BlockPool(blockSize);
          const r = new RecvStream(1, pool);
          const got: Uint8Array[] = [];
          let fin = false;
          for (const [s, e] of ps) {
            const chunk = payload.slice(s, e);
            const res = r.onData(s, chunk, e === size);
            assert.equal(res.error, null);
            if (readAlong) {
              const part = readAll(r, readSize);
              got.push(part.data);
              fin ||= part.fin;
            }
          }
          const rest = readAll(r, readSize);
          got.push(rest.data);
          fin ||= rest.fin;
          assert.deepEqual(Buffer.concat(got), Buffer.from(payload));
          assert.equal(r.highestReceived, size);
          assert.equal(r.bytesRead, size);
          assert.equal(r.bufferedBytes, 0);
          assert.equal(pool.inUseBytes, 0, 'every block went back once all was read');
          if (ps.some(([, e]) => e === size)) {
            assert.equal(fin, true);
            assert.equal(r.state, 'data_read');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('newBytes counts only growth of the highest offset', () => {
    const r = new RecvStream(1);
    assert.deepEqual(r.onData(1000, bytes(500), false), { error: null, newBytes: 1500 });
    assert.deepEqual(r.onData(0, bytes(1000), false), { error: null, newBytes: 0 });
    assert.deepEqual(r.onData(1200, bytes(500), false), { error: null, newBytes: 200 });
    assert.deepEqual(r.onData(1700, new Uint8Array(0), true), { error: null, newBytes: 0 });
    assert.equal(r.highestReceived, 1700);
  });

  test('read returns null when nothing new, and a gap blocks later bytes', () => {
    const r = new RecvStream(1);
    assert.equal(r.read(100), null);
    assert.equal(r.readable, false);
    r.onData(10, bytes(10), false);
    assert.equal(r.readable, false);
    assert.equal(r.read(100), null);
    assert.equal(r.bufferedBytes, 10);
    r.onData(0, bytes(10, 9), false);
    assert.equal(r.readable, true);
    const got = r.read(100);
    assert.equal(got?.data.length, 20);
    assert.equal(got?.fin, false);
  });

  test('FIN is reported once, possibly alone', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(10), false);
    assert.equal(r.read(100)?.fin, false);
    r.onData(10, new Uint8Array(0), true);
    assert.equal(r.state, 'data_recvd');
    assert.equal(r.readable, true);
    const last = r.read(100);
    assert.deepEqual(last, { data: new Uint8Array(0), fin: true });
    assert.equal(r.state, 'data_read');
    assert.equal(r.read(100), null);
    assert.equal(r.readable, false);
  });

  test('in-order 1.2 KB chunks stream through quickly with bounded memory', () => {
    const r = new RecvStream(1);
    const chunk = bytes(1200);
    const started = process.hrtime.bigint();
    let read = 0;
    for (let i = 0; i < 100_000; i++) {
      r.onData(i * 1200, chunk, false);
      if (i % 50 === 49) {
        for (let g = r.read(65536); g !== null; g = r.read(65536)) read += g.data.length;
        assert.ok(r.bufferedBytes === 0);
      }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(read, 120_000_000);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('many out-of-order segments (a big hole filled last) do not go quadratic', () => {
    const r = new RecvStream(1);
    const n = 30_000;
    const chunk = bytes(1200);
    const started = process.hrtime.bigint();
    for (let i = 1; i < n; i++) r.onData(i * 1200, chunk, false);
    assert.equal(r.bufferedBytes, (n - 1) * 1200);
    r.onData(0, chunk, false);
    let read = 0;
    for (let g = r.read(1 << 20); g !== null; g = r.read(1 << 20)) read += g.data.length;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(read, n * 1200);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });
});

describe('RecvStream final size', () => {
  test('data beyond a known final size is an error', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(10), true);
    assert.equal(r.onData(5, bytes(6), false).error, 'final_size');
    assert.equal(r.onData(5, bytes(5), false).error, null);
  });

  test('a FIN that moves the final size is an error', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(10), true);
    assert.equal(r.onData(0, bytes(8), true).error, 'final_size');
    assert.equal(r.onData(0, bytes(10), true).error, null, 'a repeated FIN is fine');
  });

  test('a FIN below already received data is an error', () => {
    const r = new RecvStream(1);
    r.onData(100, bytes(10), false);
    assert.equal(r.onData(0, bytes(50), true).error, 'final_size');
    assert.equal(r.finalSize, null);
  });

  test('reset final size must match what was seen', () => {
    const a = new RecvStream(1);
    a.onData(0, bytes(10), false);
    assert.equal(a.onReset(5, 0).error, 'final_size');
    const b = new RecvStream(1);
    b.onData(0, bytes(10), true);
    assert.equal(b.onReset(11, 0).error, 'final_size');
    assert.equal(b.state, 'data_recvd');
    const c = new RecvStream(1);
    c.onReset(20, 0);
    assert.equal(c.onData(15, bytes(6), false).error, 'final_size');
    assert.equal(c.onData(0, bytes(10), true).error, 'final_size');
    assert.deepEqual(c.onData(15, bytes(5), true), { error: null, newBytes: 0 });
  });
});

describe('RecvStream reset and stop', () => {
  test('reset frees buffers, accounts the final size and ends reading', () => {
    const pool = new BlockPool(256);
    const r = new RecvStream(1, pool);
    r.onData(0, bytes(1000), false);
    r.onData(5000, bytes(1000), false);
    assert.equal(r.bufferedBytes, 2000);
    const res = r.onReset(10_000, 0x101);
    assert.deepEqual(res, { error: null, newBytes: 4000, applied: true });
    assert.equal(r.bufferedBytes, 0);
    assert.equal(pool.inUseBytes, 0);
    assert.equal(r.state, 'reset_recvd');
    assert.equal(r.resetErrorCode, 0x101);
    assert.equal(r.read(100), null);
    assert.equal(r.readable, false);
    assert.deepEqual(r.onData(6000, bytes(100), false), { error: null, newBytes: 0 });
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.onReset(10_000, 0x101).applied, false);
    r.onResetDelivered();
    assert.equal(r.state, 'reset_read');
    assert.equal(r.isTerminal, true);
  });

  test('reset after the FIN was read changes nothing', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(10), true);
    assert.equal(r.read(100)?.fin, true);
    assert.deepEqual(r.onReset(10, 1), { error: null, newBytes: 0, applied: false });
    assert.equal(r.state, 'data_read');
  });

  test('stopSending discards buffered and later data but keeps accounting', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(100), false);
    r.onData(300, bytes(100), false);
    r.stopSending();
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.readable, false);
    assert.deepEqual(r.onData(400, bytes(100), false), { error: null, newBytes: 100 });
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.read(1000), null);
    assert.equal(r.onData(0, bytes(600), true).error, null);
    assert.equal(r.onData(0, bytes(601), false).error, 'final_size', 'final size still enforced');
    assert.equal(r.state, 'data_read', 'all data arrived and nobody will read it');
    assert.equal(r.isTerminal, true);
    assert.equal(r.bytesRead, 0);
  });

  test('stopSending then a reset goes straight to reset_read', () => {
    const r = new RecvStream(1);
    r.onData(0, bytes(100), false);
    r.stopSending();
    const res = r.onReset(250, 0x101);
    assert.deepEqual(res, { error: null, newBytes: 150, applied: true });
    assert.equal(r.state, 'reset_read');
  });

  test('stopSending with a hole waits for the hole before completing', () => {
    const r = new RecvStream(1);
    r.onData(100, bytes(100), true);
    r.stopSending();
    assert.equal(r.state, 'size_known');
    r.onData(0, bytes(50), false);
    assert.equal(r.state, 'size_known');
    r.onData(50, bytes(50), false);
    assert.equal(r.state, 'data_read');
  });
});
