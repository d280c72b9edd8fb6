// Every way one file can be aborted, through the real io and app layers over the real core
// Connection: the file fails alone with a clear reason, the others arrive, nothing partial stays
// under a final name, and at the abort the sender's bytes in flight drop to what the surviving
// streams and control packets hold.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/core/api.js';
import { XferError, type ItemResult, type ReceiveOptions, type SendOptions, type TransferSummary } from '../../src/app/api.js';
import { createApp } from '../../src/app/index.js';
import { BLOCK_SIZE } from '../../src/app/hashing.js';
import { partNames } from '../../src/app/resume.js';
import { inFlightByStream } from '../sim/abort-sim.js';
import { CODE, realHarness, type AbortRecord, type RealHarness } from './abort-helpers.js';
import { leftovers, Recorder, tempDir, transport } from './helpers.js';

const MB = 1 << 20;

interface Receiver {
  port: number;
  received: Promise<TransferSummary>;
  recv: Recorder;
  abort: AbortController;
}

async function startReceiver(h: RealHarness, outDir: string, over: Partial<ReceiveOptions> = {}): Promise<Receiver> {
  const recv = new Recorder();
  const abort = new AbortController();
  let listening!: (port: number) => void;
  const bound = new Promise<number>((resolve) => (listening = resolve));
  const received = createApp(h.deps).receiveFiles({
    ...transport(recv, abort.signal, { code: CODE }),
    listen: { host: '127.0.0.1', port: 0 },
    outDir,
    force: false,
    keepOpen: false,
    onListening: (a) => listening(a.port),
    ...over,
  });
  received.catch(() => undefined);
  return { port: await bound, received, recv, abort };
}

function sendOpts(port: number, files: string[], progress: Recorder, over: Partial<SendOptions> = {}): SendOptions {
  return { ...transport(progress, undefined, { code: CODE }), remote: { host: 'localhost', port }, files, concurrency: 4, ...over };
}

/** The abort left exactly the survivors in flight; `heldSome`: the stream had bytes in flight before. */
function assertReleased(r: AbortRecord | undefined, heldSome = true): void {
  assert.ok(r, 'the abort was seen by the sender core');
  assert.equal(r.heldAfter, 0, `stream ${r.id} still holds ${r.heldAfter} B in flight`);
  assert.equal(r.bytesInFlight, r.others + r.control, 'bytes in flight = surviving streams + control packets');
  if (heldSome) assert.ok(r.heldBefore > 0, `stream ${r.id} had nothing in flight before the abort`);
}

function clientAborts(h: RealHarness, code: number): AbortRecord[] {
  return h.aborts.filter((r) => r.role === 'client' && r.code === code);
}

/**
 * Two files through sendFiles, their bytes coming from the given sources instead of the disk
 * (the files exist with the right sizes, so the walk sees them). Both are big enough to travel
 * on streams of their own.
 */
async function sendTwo(
  h: RealHarness,
  port: number,
  sources: [string, number, () => AsyncIterable<Uint8Array>][],
  stallMs = 0,
): Promise<TransferSummary> {
  const dir = await tempDir('abort-two');
  const bySource = new Map<string, () => AsyncIterable<Uint8Array>>();
  for (const [name, size, source] of sources) {
    const path = join(dir, name);
    await writeFile(path, Buffer.alloc(size));
    bySource.set(path, source);
  }
  return createApp(h.deps).sendFiles({
    ...sendOpts(port, [...bySource.keys()], new Recorder()),
    stallTimeoutMs: stallMs,
    readSource: (path) => bySource.get(path)!(),
  });
}

/** The outcome of item `name` in a summary. */
function item(s: TransferSummary, name: string): ItemResult {
  const i = s.items.find((x) => x.name === name);
  assert.ok(i, `no item ${name} in ${JSON.stringify(s.items)}`);
  return i;
}

function bytesOf(data: Buffer, chunk = 64 * 1024): () => AsyncIterable<Uint8Array> {
  return async function* () {
    for (let o = 0; o < data.length; o += chunk) yield data.subarray(o, o + chunk);
  };
}

/** Yields `before` bytes, then `then` (throws or hangs). */
function failingAfter(before: number, then: () => Promise<never>): () => AsyncIterable<Uint8Array> {
  return async function* () {
    yield* bytesOf(randomBytes(before))();
    await then();
  };
}

const forever = (): Promise<never> => new Promise<never>(() => undefined);


describe('one file aborted, the others complete (real transport, 10 ms each way)', () => {
  test('source read error: the sender resets with SOURCE_ERROR, the receiver drops the file', async () => {
    const h = realHarness();
    const out = await tempDir('abort-src');
    const r = await startReceiver(h, out);
    const good = randomBytes(3 * MB);
    const eio = async (): Promise<never> => {
      // Fail while some of this stream is on the wire (not while flow control holds it back),
      // so the release below is measured on something.
      while ((inFlightByStream(h.clients[0]!).get(0) ?? 0) === 0) await new Promise((r) => setTimeout(r, 1));
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    };
    const sent = await sendTwo(h, r.port, [['bad', 4 * MB, failingAfter(2 * MB, eio)], ['good', good.length, bytesOf(good)]]);
    const got = await r.received;
    assert.equal(item(sent, 'bad').ok, false);
    assert.match(item(sent, 'bad').error!, /EIO/);
    assert.equal(item(sent, 'good').ok, true);
    assert.ok((await readFile(join(out, 'good'))).equals(good));
    assert.equal(existsSync(join(out, 'bad')), false);
    assert.deepEqual(await leftovers(out), []);
    assert.deepEqual(got.items.map((i) => [i.name, i.ok]).sort(), [['bad', false], ['good', true]]);
    assert.match(item(got, 'bad').error!, /^bad: the sender could not read it$/);
    assertReleased(clientAborts(h, AppError.SOURCE_ERROR)[0]);
  });

  test('--stall-timeout on the sender: a source that stops producing fails alone', async () => {
    const h = realHarness();
    const out = await tempDir('abort-stall');
    const r = await startReceiver(h, out);
    const good = randomBytes(2 * MB);
    const t0 = performance.now();
    const sent = await sendTwo(h, r.port, [['stuck', 4 * MB, failingAfter(1 * MB, forever)], ['good', good.length, bytesOf(good)]], 300);
    const got = await r.received;
    assert.equal(item(sent, 'stuck').ok, false);
    assert.equal(item(sent, 'stuck').error, 'no data sent for 0.3 s (--stall-timeout), gave up on it');
    assert.ok(performance.now() - t0 < 3000);
    assert.equal(item(sent, 'good').ok, true, item(sent, 'good').error);
    assert.ok((await readFile(join(out, 'good'))).equals(good));
    assert.deepEqual(await leftovers(out), []);
    assert.match(item(got, 'stuck').error!, /^stuck: the sender gave up on it: no progress/);
    // The stall is noticed long after the last byte left, so nothing of it is in flight any more.
    assertReleased(clientAborts(h, AppError.STALLED)[0], false);
  });

  test('--stall-timeout on the receiver: no data arrives, it stops the stream, the sender gets its window back', async () => {
    const h = realHarness();
    const out = await tempDir('abort-rstall');
    const r = await startReceiver(h, out, { stallTimeoutMs: 300 });
    const good = randomBytes(2 * MB);
    const sent = await sendTwo(h, r.port, [['stuck', 4 * MB, failingAfter(1 * MB, forever)], ['good', good.length, bytesOf(good)]]);
    const got = await r.received;
    assert.equal(item(sent, 'stuck').ok, false);
    assert.equal(item(sent, 'stuck').error, 'the receiver gave up on it: no progress for too long (--stall-timeout)');
    assert.equal(item(sent, 'good').ok, true);
    assert.equal(item(got, 'stuck').error, 'stuck: no data received for 0.3 s (--stall-timeout), gave up on it');
    assert.deepEqual(await leftovers(out), []);
    assert.equal(existsSync(join(out, 'stuck')), false);
    const stop = h.aborts.find((a) => a.role === 'client' && a.via === 'stop_sending');
    assertReleased(stop, false);
    assert.equal(stop!.code, AppError.STALLED);
  });

  test('receiver write error (a directory has the name): refused before any data, the other file arrives', async () => {
    const h = realHarness();
    const src = await tempDir('abort-wsrc');
    const out = await tempDir('abort-wout');
    await mkdir(join(out, 'blocker'));
    const data = { blocker: randomBytes(4 * MB), fine: randomBytes(3 * MB) };
    for (const [n, d] of Object.entries(data)) await writeFile(join(src, n), d);
    const r = await startReceiver(h, out, { force: true });
    const send = new Recorder();
    const sent = await createApp(h.deps).sendFiles(sendOpts(r.port, [join(src, 'blocker'), join(src, 'fine')], send));
    await r.received;
    assert.deepEqual(sent.items.map((i) => [i.name, i.ok, i.error]), [
      ['blocker', false, 'cannot write blocker: a directory of that name exists'],
      ['fine', true, undefined],
    ]);
    assert.deepEqual(send.failed, [['item:0', 'cannot write blocker: a directory of that name exists']]);
    assert.equal(send.progress.get('item:0'), undefined, 'no byte of it was sent');
    assert.ok((await readFile(join(out, 'fine'))).equals(data.fine));
    assert.deepEqual(await readdir(join(out, 'blocker')), []);
    assert.deepEqual(h.aborts.filter((a) => a.role === 'client'), [], 'nothing to abort: the data never started');
  });

  test('receiver write error mid-file (disk full): the temp file goes (nothing resumable), the sender stops at once', async () => {
    const h = realHarness();
    const src = await tempDir('abort-fsrc');
    const out = await tempDir('abort-fout');
    const data = { big: randomBytes(16 * MB), small: randomBytes(200_000) };
    for (const [n, d] of Object.entries(data)) await writeFile(join(src, n), d);
    // Disk full after 1 MiB of any one file: its writes fail with ENOSPC (injected where the
    // receiver opens files).
    const openFile = async (path: string, flags: number, mode: number): Promise<FileHandle> => {
      const fh = await open(path, flags, mode);
      const real = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
      let written = 0;
      (fh as unknown as { write: unknown }).write = async (...args: unknown[]) => {
        if (written >= MB) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        const res = await real(...args);
        written += res.bytesWritten;
        return res;
      };
      return fh;
    };
    const r = await startReceiver(h, out, { openFile });
    const sent = await createApp(h.deps).sendFiles(sendOpts(r.port, [join(src, 'big'), join(src, 'small')], new Recorder()));
    const got = await r.received;
    assert.deepEqual(sent.items.map((i) => [i.name, i.ok, i.error]).sort(), [
      ['big', false, 'cannot write big: no space left on device'],
      ['small', true, undefined],
    ]);
    assert.ok(item(sent, 'big').bytes < data.big.length, 'the sender stopped before the end');
    assert.equal(got.items.find((i) => i.name === 'big')!.error, 'cannot write big: no space left on device');
    assert.ok((await readFile(join(out, 'small'))).equals(data.small));
    assert.equal(existsSync(join(out, 'big')), false);
    assert.deepEqual(await leftovers(out), []);
    const stop = h.aborts.find((a) => a.role === 'client' && a.via === 'stop_sending');
    assertReleased(stop);
    assert.equal(stop!.code, AppError.WRITE_ERROR);
  });

  test('peer reset: the receiver resets its side, the sender resets too and fails only that file', async () => {
    const h = realHarness();
    const src = await tempDir('abort-psrc');
    const out = await tempDir('abort-pout');
    const data = { one: randomBytes(6 * MB), two: randomBytes(3 * MB) };
    for (const [n, d] of Object.entries(data)) await writeFile(join(src, n), d);
    const r = await startReceiver(h, out);
    let done = false;
    r.recv.onProgressHook = (key, bytes) => {
      if (done || r.recv.nameOf(key) !== 'one' || bytes < MB) return;
      done = true;
      h.servers[h.servers.length - 1]!.streamReset(Number(key.split(':')[1]), AppError.WRITE_ERROR);
    };
    const sent = await createApp(h.deps).sendFiles(sendOpts(r.port, [join(src, 'one'), join(src, 'two')], new Recorder()));
    const got = await r.received;
    assert.ok(done);
    assert.deepEqual(sent.items.map((i) => [i.name, i.ok, i.error]), [
      ['one', false, 'the receiver could not write it'],
      ['two', true, undefined],
    ]);
    assert.equal(got.items.find((i) => i.name === 'one')!.ok, false);
    assert.ok((await readFile(join(out, 'two'))).equals(data.two));
    assert.equal(existsSync(join(out, 'one')), false);
    // A partial stays only if a rerun can resume from it (a whole block arrived).
    const left = await leftovers(out);
    assert.ok(left.length === 0 || left[0] === partNames('one').part, left.join());
    assertReleased(h.aborts.find((a) => a.role === 'client' && a.via === 'reset'));
  });

  test('Ctrl-C: every stream reset (only control packets left in flight), CONNECTION_CLOSE, both sides stop within 1 s', async () => {
    const h = realHarness();
    const src = await tempDir('abort-csrc');
    const out = await tempDir('abort-cout');
    const names = ['a', 'b', 'c'];
    for (const n of names) await writeFile(join(src, n), randomBytes(8 * MB));
    const r = await startReceiver(h, out);
    const ac = new AbortController();
    const send = new Recorder();
    let abortedAt = 0;
    send.onProgressHook = (_k, bytes) => {
      if (abortedAt === 0 && bytes > 2 * MB) {
        abortedAt = performance.now();
        ac.abort();
      }
    };
    const sending = createApp(h.deps).sendFiles({ ...sendOpts(r.port, names.map((n) => join(src, n)), send), signal: ac.signal });
    const settledAfter = (p: Promise<unknown>): Promise<number> => p.then(() => NaN, () => performance.now() - abortedAt);
    const [senderMs, receiverMs] = await Promise.all([settledAfter(sending), settledAfter(r.received)]);
    await assert.rejects(sending, (e: unknown) => e instanceof XferError && e.kind === 'interrupted');
    await assert.rejects(r.received, (e: unknown) => e instanceof XferError && e.kind === 'peer_gone' && e.message === 'the sender cancelled the transfer');
    assert.ok(senderMs < 1000 && receiverMs < 1000, `sender ${senderMs} ms, receiver ${receiverMs} ms`);
    const resets = clientAborts(h, AppError.CANCELLED).filter((a) => a.via === 'reset');
    assert.equal(resets.length, 3);
    resets.forEach((a) => assertReleased(a, false));
    assert.ok(resets.some((a) => a.heldBefore > 0));
    const last = resets[resets.length - 1]!;
    assert.equal(last.others, 0, 'no stream bytes left in flight');
    assert.equal(last.bytesInFlight, last.control);
    // Only partials a rerun can resume from stay (under their temporary names).
    for (const p of await leftovers(out)) {
      assert.ok(names.some((n) => p === partNames(n).part), p);
      assert.ok((await readFile(join(out, p))).length >= BLOCK_SIZE, p);
    }
    for (const n of names) assert.equal(existsSync(join(out, n)), false);
  });
});
