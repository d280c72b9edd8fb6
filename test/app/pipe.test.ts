import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { XferError, type PipeReceiveOptions, type TransferSummary } from '../../src/app/api.js';
import { createApp } from '../../src/app/index.js';
import { memoryHarness, type Harness } from '../io/harness.js';
import type { FakeOptions } from '../io/fake-connection.js';
import { Recorder, transport } from './helpers.js';

interface PipeRun {
  sent: TransferSummary | Error;
  received: TransferSummary | Error;
  send: Recorder;
  recv: Recorder;
}

async function runPipe(h: Harness, input: Readable, output: Writable): Promise<PipeRun> {
  const recv = new Recorder();
  const send = new Recorder();
  let port = 0;
  let received!: Promise<TransferSummary>;
  await new Promise<void>((resolve) => {
    const o: PipeReceiveOptions = {
      ...transport(recv), listen: { host: '127.0.0.1', port: 0 }, output,
      onListening: (a) => { port = a.port; resolve(); },
    };
    received = createApp(h.deps).receivePipe(o);
  });
  const sent = await createApp(h.deps).sendPipe({ ...transport(send), remote: { host: 'localhost', port }, input }).catch((e: Error) => e);
  return { sent, received: await received.catch((e: Error) => e), send, recv };
}

function collector(): { w: PassThrough; data: () => Buffer } {
  const w = new PassThrough();
  const parts: Buffer[] = [];
  w.on('data', (c: Buffer) => parts.push(c));
  return { w, data: () => Buffer.concat(parts) };
}

function ok(s: TransferSummary | Error): TransferSummary {
  if (s instanceof Error) throw s;
  return s;
}

describe('pipes end to end (fake transport)', () => {
  for (const size of [0, 1, 31, 32, 33, 1_000_000]) {
    test(`${size} bytes arrive intact, trailer held back`, async () => {
      const data = randomBytes(size);
      const chunks = [];
      for (let off = 0; off < size; off += 7777) chunks.push(data.subarray(off, off + 7777));
      const out = collector();
      const r = await runPipe(memoryHarness({ bufferLimit: 8192 }), Readable.from(chunks), out.w);
      assert.ok(out.data().equals(data));
      assert.deepEqual(ok(r.sent).items, [{ name: 'stdin', bytes: size, ok: true }]);
      assert.deepEqual(ok(r.received).items, [{ name: 'stdin', bytes: size, ok: true }]);
      assert.equal(r.recv.done.length, 1);
    });
  }

  test('corruption on the way fails the pipe on both sides', async () => {
    const f: FakeOptions = {
      tamper: (d) => {
        if (d.length < 100) return d;
        const c = d.slice();
        c[50] = c[50]! ^ 1;
        return c;
      },
    };
    const out = collector();
    const r = await runPipe(memoryHarness(f), Readable.from([randomBytes(5000)]), out.w);
    assert.equal(ok(r.sent).items[0]!.ok, false);
    assert.match(ok(r.sent).items[0]!.error!, /checksum mismatch/);
    assert.equal(ok(r.received).items[0]!.ok, false);
  });

  test('an output that closes stops the sender reading (endless input)', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 16384;
        this.push(Buffer.alloc(16384, 1));
      },
    });
    let taken = 0;
    const broken = new Writable({
      write(chunk: Buffer, _enc, cb) {
        taken += chunk.length;
        if (taken > 200_000) cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        else cb();
      },
    });
    broken.on('error', () => undefined);
    const r = await runPipe(memoryHarness(), endless, broken);
    // The receiver's reader chose to stop (`| head -c N`): a clean end there, with a warning...
    assert.equal(ok(r.received).items[0]!.ok, true);
    assert.match(r.recv.warnings[0]!, /^the output was closed after \d+ bytes; stopped the sender$/);
    // ...and a failure for the sender, whose data did not all arrive.
    assert.equal(ok(r.sent).items[0]!.ok, false);
    assert.match(ok(r.sent).items[0]!.error!, /^the receiver's output was closed after \d+ bytes$/);
    assert.ok(produced < 5_000_000);
  });

  test('any other output error (disk full) fails the pipe on both sides', async () => {
    const full = new Writable({
      write(_chunk: Buffer, _enc, cb) {
        cb(Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }));
      },
    });
    full.on('error', () => undefined);
    const r = await runPipe(memoryHarness(), Readable.from([randomBytes(100_000)]), full);
    assert.equal(ok(r.received).items[0]!.ok, false);
    assert.equal(ok(r.received).items[0]!.error, 'cannot write the output: ENOSPC');
    assert.equal(ok(r.sent).items[0]!.error, 'cannot write the output: ENOSPC');
  });

  test('a slow output holds the sender back (bounded memory)', async () => {
    const total = 3_000_000;
    let produced = 0;
    let written = 0;
    let maxAhead = 0;
    const input = Readable.from((function* () {
      while (produced < total) {
        produced += 10_000;
        maxAhead = Math.max(maxAhead, produced - written);
        yield Buffer.alloc(10_000, 2);
      }
    })());
    const slow = new Writable({
      highWaterMark: 16384,
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        setImmediate(cb);
      },
    });
    const r = await runPipe(memoryHarness({ bufferLimit: 16384 }), input, slow);
    assert.equal(ok(r.received).items[0]!.bytes, total);
    assert.ok(maxAhead < 1_200_000, `sender ran ${maxAhead} bytes ahead`);
  });

  test('aborting the receiver before anyone connects rejects with interrupted', async () => {
    const h = memoryHarness();
    const ac = new AbortController();
    const p = createApp(h.deps).receivePipe({
      ...transport(new Recorder(), ac.signal), listen: { host: '127.0.0.1', port: 0 }, output: collector().w,
      onListening: () => ac.abort(),
    });
    await assert.rejects(p, (e: unknown) => e instanceof XferError && e.kind === 'interrupted');
  });
});
