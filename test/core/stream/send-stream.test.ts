import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPEN_TAIL_REPEAT_MAX, SendStream, type SendChunk } from '../../../src/core/stream/send-stream.js';

const MiB = 1024 * 1024;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

/** Drains every chunk the stream offers right now. */
function drain(s: SendStream, maxBytes: number, flowLimit = NO_LIMIT): SendChunk[] {
  const out: SendChunk[] = [];
  for (let c = s.nextChunk(maxBytes, flowLimit); c !== null; c = s.nextChunk(maxBytes, flowLimit)) {
    out.push({ ...c, data: c.data.slice() });
  }
  return out;
}

describe('SendStream writing', () => {
  test('write pushes back at bufferLimit and accepts more after acks', () => {
    const s = new SendStream(0, 1000);
    assert.equal(s.write(bytes(600)), 600);
    assert.equal(s.write(bytes(600)), 400);
    assert.equal(s.buffered, 1000);
    assert.equal(s.writable, false);
    assert.equal(s.write(bytes(10)), 0);
    const [c] = drain(s, 300);
    s.onAcked(c!.offset, c!.data.length, false);
    assert.equal(s.buffered, 700);
    assert.equal(s.writable, true);
    assert.equal(s.write(bytes(1000)), 300);
  });

  test('the unsent part has its own limit: sending makes room, unacknowledged data still counts to the total', () => {
    const s = new SendStream(0, 10_000, 4_000);
    assert.equal(s.write(bytes(5_000)), 4_000);
    assert.equal(s.writable, false);
    drain(s, 1_000); // 4 packets of 1000 go out, none acknowledged
    assert.equal(s.buffered, 4_000);
    assert.equal(s.write(bytes(5_000)), 4_000, 'all of it was sent, so 4000 more may wait');
    drain(s, 1_000);
    assert.equal(s.write(bytes(5_000)), 2_000, 'now the total (10000) is the limit');
    assert.equal(s.buffered, 10_000);
  });

  test('writableWell waits for room worth a wake-up, not one packet', () => {
    const s = new SendStream(0, 10 * MiB, 1 * MiB);
    s.write(bytes(MiB));
    assert.equal(s.writableWell, false);
    drain(s, 1_200, 1_200); // one packet sent: writable, but not worth waking the writer for
    assert.equal(s.writable, true);
    assert.equal(s.writableWell, false);
    drain(s, 1_200, 64 * 1_200);
    assert.equal(s.writableWell, true);
  });

  test('write copies: later changes to the caller buffer do not leak into sent data', () => {
    const s = new SendStream(0, MiB);
    const src = bytes(100);
    s.write(src);
    src.fill(0xee);
    const [c] = drain(s, 1000);
    assert.deepEqual(c!.data, bytes(100));
  });

  test('no writes after finish or reset', () => {
    const s = new SendStream(0, MiB);
    s.finish();
    assert.equal(s.write(bytes(5)), 0);
    assert.equal(s.writable, false);
    const r = new SendStream(4, MiB);
    r.reset(1);
    assert.equal(r.write(bytes(5)), 0);
  });

  test('bytes are freed when acknowledged, even out of order', () => {
    const s = new SendStream(0, 10 * MiB);
    s.write(bytes(3 * MiB));
    const chunks = drain(s, 64 * 1024);
    assert.equal(s.buffered, 3 * MiB);
    // Ack everything except the first chunk: nothing can be released yet.
    for (const c of chunks.slice(1)) s.onAcked(c.offset, c.data.length, c.fin);
    assert.equal(s.buffered, 3 * MiB);
    s.onAcked(chunks[0]!.offset, chunks[0]!.data.length, false);
    assert.equal(s.buffered, 0);
  });
});

describe('SendStream chunks', () => {
  test('new data respects maxBytes and the flow limit, and reports blocking', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(5000));
    assert.equal(s.hasSendable(0), false);
    assert.equal(s.isBlockedBy(0), true);
    const chunks = drain(s, 1200, 3000);
    assert.deepEqual(chunks.map((c) => [c.offset, c.data.length]), [[0, 1200], [1200, 1200], [2400, 600]]);
    assert.equal(s.highestSent, 3000);
    assert.equal(s.hasSendable(3000), false);
    assert.equal(s.isBlockedBy(3000), true);
    assert.equal(s.hasSendable(4000), true);
    assert.equal(s.isBlockedBy(10_000), false);
    assert.deepEqual(chunks[1]!.data, bytes(5000).subarray(1200, 2400));
  });

  test('FIN rides on the last data chunk', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(100));
    s.finish();
    const chunks = drain(s, 60);
    assert.deepEqual(chunks.map((c) => [c.offset, c.data.length, c.fin]), [[0, 60, false], [60, 40, true]]);
    assert.equal(s.state, 'data_sent');
  });

  test('a FIN-only chunk goes out when all data was already sent', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(100));
    drain(s, 1000);
    assert.equal(s.hasSendable(NO_LIMIT), false);
    s.finish();
    assert.equal(s.hasSendable(NO_LIMIT), true);
    const chunks = drain(s, 1000);
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0], { offset: 100, data: new Uint8Array(0), fin: true, isRetransmission: false });
    assert.equal(s.hasSendable(NO_LIMIT), false);
    assert.equal(s.state, 'data_sent');
  });

  test('an empty stream sends a FIN-only chunk even with no flow credit', () => {
    const s = new SendStream(0, MiB);
    s.finish();
    const c = s.nextChunk(1000, 0);
    assert.deepEqual(c, { offset: 0, data: new Uint8Array(0), fin: true, isRetransmission: false });
    s.onAcked(0, 0, true);
    assert.equal(s.isFinished, true);
  });

  test('a lost FIN-only chunk is resent as a retransmission', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(10));
    drain(s, 100);
    s.finish();
    drain(s, 100);
    s.onAcked(0, 10, false);
    s.onLost(10, 0, true);
    assert.deepEqual(drain(s, 100), [{ offset: 10, data: new Uint8Array(0), fin: true, isRetransmission: true }]);
    s.onAcked(10, 0, true);
    assert.equal(s.isFinished, true);
    assert.equal(s.state, 'data_recvd');
  });
});

describe('SendStream retransmission', () => {
  test('lost ranges go first, split by maxBytes, and carry the FIN when they end the stream', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(3000));
    s.finish();
    drain(s, 1000);
    s.write(bytes(1)); // ignored after finish
    s.onLost(1000, 2000, true);
    const re = drain(s, 800);
    assert.deepEqual(re.map((c) => [c.offset, c.data.length, c.fin, c.isRetransmission]), [
      [1000, 800, false, true],
      [1800, 800, false, true],
      [2600, 400, true, true],
    ]);
    assert.deepEqual(re[1]!.data, bytes(3000).subarray(1800, 2600));
  });

  test('parts acknowledged after the loss are not resent', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(4000));
    drain(s, 4000);
    s.onLost(0, 4000, false);
    // Late acks of the original (spuriously lost) packet cover the middle.
    s.onAcked(1000, 1000, false);
    s.onAcked(2500, 500, false);
    const re = drain(s, 10_000);
    assert.deepEqual(re.map((c) => [c.offset, c.data.length]), [[0, 1000], [2000, 500], [3000, 1000]]);
  });

  test('parts acknowledged before the loss report are not queued', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(3000));
    drain(s, 3000);
    s.onAcked(0, 500, false);
    s.onAcked(1000, 1000, false);
    s.onLost(0, 3000, false);
    const re = drain(s, 10_000);
    assert.deepEqual(re.map((c) => [c.offset, c.data.length]), [[500, 500], [2000, 1000]]);
  });

  test('random loss/ack schedules deliver every byte and finish', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.boolean()),
        (size, mtu, lossFlips, orderFlips) => {
          const data = bytes(size, 3);
          const s = new SendStream(0, MiB);
          assert.equal(s.write(data), size);
          s.finish();
          const received = new Uint8Array(size);
          let gotFin = false;
          for (let round = 0; round < 10_000 && !s.isFinished; round++) {
            const inFlight = drain(s, mtu);
            assert.ok(inFlight.length > 0, 'stream stalled before finishing');
            // Resolve in random order: reverse or not, then each chunk acked or lost.
            if (orderFlips.next().value) inFlight.reverse();
            for (const c of inFlight) {
              if (lossFlips.next().value && round < 50) {
                s.onLost(c.offset, c.data.length, c.fin);
              } else {
                received.set(c.data, c.offset);
                gotFin ||= c.fin;
                s.onAcked(c.offset, c.data.length, c.fin);
              }
            }
          }
          assert.equal(s.isFinished, true);
          assert.equal(gotFin, true);
          assert.deepEqual(received, data);
          assert.equal(s.buffered, 0);
          assert.equal(s.nextChunk(mtu, NO_LIMIT), null);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('SendStream tail repeats', () => {
  const shape = (c: SendChunk | null) => (c === null ? null : [c.offset, c.data.length, c.fin, c.isRetransmission]);

  test('nothing is repeated while written data is still unsent', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(3000));
    drain(s, 1000, 2000); // 2000 sent, 1000 held back by flow control
    assert.equal(s.inTail, false);
    assert.equal(s.redundantChunk(1000), null);
    s.finish();
    assert.equal(s.hasRedundant, false, 'unsent data: not a tail yet');
    drain(s, 1000);
    assert.equal(s.inTail, true);
    assert.equal(s.hasRedundant, true);
  });

  test('an open stream waiting for its answer (a request) repeats its unacknowledged bytes, without a FIN', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(1800));
    drain(s, 1000);
    assert.equal(s.inTail, true, 'all written bytes are out');
    assert.equal(s.hasRedundant, true);
    s.onAcked(0, 1000, false);
    assert.deepEqual(shape(s.redundantChunk(1000)), [1000, 800, false, true]);
    assert.equal(s.redundantChunk(1000), null, 'each byte once');
    assert.equal(s.hasRedundant, false);
    s.write(bytes(500));
    assert.equal(s.inTail, false, 'new bytes to send: not a tail');
    drain(s, 1000);
    assert.deepEqual(shape(s.redundantChunk(1000)), [1800, 500, false, true]);
    s.onAcked(1000, 1300, false);
    assert.equal(s.inTail, false, 'all acknowledged');
    assert.equal(s.redundantChunk(1000, true), null);
  });

  test("an open stream's big tail (a bulk stream's window in flight) is repeated by probes only", () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(OPEN_TAIL_REPEAT_MAX + 1));
    drain(s, 1000);
    assert.equal(s.inTail, true);
    assert.equal(s.hasRedundant, false, 'no idle repeats of a window');
    assert.equal(s.redundantChunk(1000), null);
    assert.deepEqual(shape(s.redundantChunk(1000, true)), [OPEN_TAIL_REPEAT_MAX + 1 - 1000, 1000, false, true]);
    s.onAcked(0, 2000, false);
    assert.equal(s.hasRedundant, true, 'small enough once most of it is acknowledged');
  });

  test('newest unacknowledged range first, each byte once, acknowledged bytes skipped', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(5000));
    s.finish();
    drain(s, 1000);
    s.onAcked(0, 1000, false);
    s.onAcked(2000, 1000, false);
    const got: (ReturnType<typeof shape>)[] = [];
    for (let c = s.redundantChunk(1500); c !== null; c = s.redundantChunk(1500)) got.push(shape(c));
    assert.deepEqual(got, [
      [3500, 1500, true, true],
      [3000, 500, false, true],
      [1000, 1000, false, true],
    ]);
    assert.equal(s.hasRedundant, false);
    assert.equal(s.inTail, true, 'still unacknowledged, just all repeated');
    assert.deepEqual(s.redundantChunk(800, true)?.offset, 4200, 'a probe may repeat again');
  });

  test('a retransmitted range may be repeated again; a lost range is not repeated before it is resent', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(2000));
    s.finish();
    drain(s, 1000);
    while (s.redundantChunk(1000) !== null);
    s.onLost(0, 1000, false);
    assert.equal(s.inTail, false, 'a retransmission is due: that goes first');
    assert.equal(s.redundantChunk(1000), null);
    assert.deepEqual(shape(s.nextChunk(1000, NO_LIMIT)), [0, 1000, false, true]);
    assert.deepEqual(shape(s.redundantChunk(1000)), [0, 1000, false, true]);
    assert.equal(s.redundantChunk(1000), null);
  });

  test('an unacknowledged FIN alone is repeated as a bare FIN; a fully acknowledged stream has no tail', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(1000));
    s.finish();
    drain(s, 1000);
    s.onAcked(0, 1000, false);
    assert.deepEqual(shape(s.redundantChunk(1000)), [1000, 0, true, true]);
    assert.equal(s.redundantChunk(1000), null);
    s.onAcked(1000, 0, true);
    assert.equal(s.inTail, false);
    assert.equal(s.redundantChunk(1000, true), null);
    assert.equal(s.isFinished, true);
  });
});

describe('SendStream reset', () => {
  test('reset frees all data, reports the final size and ignores later acks and losses', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(5000));
    drain(s, 1000, 3000);
    const r = s.reset(0x101);
    assert.deepEqual(r, { finalSize: 3000, applied: true });
    assert.equal(s.state, 'reset_sent');
    assert.equal(s.resetErrorCode, 0x101);
    assert.equal(s.buffered, 0);
    s.onLost(0, 1000, false);
    s.onAcked(1000, 1000, false);
    assert.equal(s.hasSendable(NO_LIMIT), false);
    assert.equal(s.nextChunk(1000, NO_LIMIT), null);
    s.onResetAcked();
    assert.equal(s.state, 'reset_recvd');
  });

  test('reset of a fully acknowledged stream is not applied', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(10));
    s.finish();
    const [c] = drain(s, 100);
    s.onAcked(c!.offset, c!.data.length, c!.fin);
    assert.equal(s.state, 'data_recvd');
    assert.deepEqual(s.reset(1), { finalSize: 10, applied: false });
    assert.equal(s.state, 'data_recvd');
  });

  test('state walks ready -> send -> data_sent -> data_recvd', () => {
    const s = new SendStream(0, MiB);
    s.write(bytes(10));
    assert.equal(s.state, 'ready');
    const [c] = drain(s, 100);
    assert.equal(s.state, 'send');
    s.finish();
    const [f] = drain(s, 100);
    assert.equal(s.state, 'data_sent');
    s.onAcked(f!.offset, 0, true);
    assert.equal(s.isFinished, false, 'data not yet acknowledged');
    s.onAcked(c!.offset, c!.data.length, false);
    assert.equal(s.isFinished, true);
  });
});
