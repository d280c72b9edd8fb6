// The fixed cost of a tiny transfer, in round trips: a 1-byte file over a 50 ms RTT link, the
// real app, io and core on a network in virtual time (virtual-net.ts), counted from the
// client's first datagram. The floor is the handshake (one round trip) plus the request with
// the file and its answer (one more): the receiver holds the file half-way through the second,
// the sender has its answer at the end of it and is done then, not a close round trip later.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { XferError, type AppApi, type ReceiveOptions, type TransferSummary, type TransportOptions } from '../../src/app/api.js';
import { createApp } from '../../src/app/index.js';
import { Recorder, tempDir, transport } from '../app/helpers.js';
import { VirtualNet, withVirtualTimers, type Sent } from './virtual-net.js';

const RTT = 50;
/** Room for the clock's 1 ms steps; no side may add a timer's wait of its own to the floor. */
const SLACK_MS = 2;
const IDLE_MS = 3000;

interface Settled {
  value?: TransferSummary;
  error?: unknown;
  /** Virtual ms from the client's first datagram. */
  at?: number;
}

interface Run {
  /** When the receiver held the file, virtual ms from the client's first datagram. */
  file: number;
  sender: Settled;
  receiver: Settled;
}

/** What both kinds of run share: the network, the app on it, and times from the client's first datagram. */
interface Setup {
  net: VirtualNet;
  app: AppApi;
  since(at: number): number;
  settle(p: Promise<TransferSummary>): Settled;
  common: TransportOptions;
}

/** `drop` sees each datagram (its time from the client's first) and may drop it. */
function setUp(drop: (d: Sent) => boolean): Setup {
  const net = new VirtualNet(RTT / 2);
  let t0: number | null = null;
  const since = (at: number): number => at - (t0 ?? at);
  net.filter = (d) => {
    if (t0 === null && d.by === 'client') t0 = d.at;
    return !drop({ ...d, at: since(d.at) });
  };
  const settle = (p: Promise<TransferSummary>): Settled => {
    const s: Settled = {};
    p.then((v) => ((s.value = v), (s.at = since(net.now))), (e: unknown) => ((s.error = e), (s.at = since(net.now))));
    return s;
  };
  const common = transport(new Recorder(), new AbortController().signal, { idleTimeoutMs: IDLE_MS });
  return { net, app: createApp(net.deps()), since, settle, common };
}

/** Sends a 1-byte file to a fresh receiver. */
async function oneByte(drop: (d: Sent) => boolean = () => false): Promise<Run> {
  return withVirtualTimers(async () => {
    const { net, app, since, settle, common } = setUp(drop);
    const src = await tempDir('one-src');
    const out = await tempDir('one-out');
    await writeFile(join(src, 'one.bin'), 'x');
    let port = 0;
    const recvOpts: ReceiveOptions = {
      ...common, listen: { host: '10.0.0.1', port: 0 }, outDir: out, force: false, keepOpen: false, onListening: (a) => (port = a.port),
    };
    const receiver = settle(app.receiveFiles(recvOpts));
    assert.ok(await net.run(() => port !== 0, 1000), 'the receiver listens');
    const sender = settle(app.sendFiles({ ...common, remote: { host: 'receiver', port }, files: [join(src, 'one.bin')], concurrency: 4 }));
    let file = NaN;
    const target = join(out, 'one.bin');
    const over = await net.run(() => {
      if (Number.isNaN(file) && existsSync(target)) file = since(net.now);
      return sender.at !== undefined && receiver.at !== undefined;
    }, 4 * IDLE_MS);
    assert.ok(over, 'both ends finished');
    if (!Number.isNaN(file)) assert.equal(await readFile(target, 'utf8'), 'x');
    return { file, sender, receiver };
  });
}

function allOk(s: Settled): boolean {
  if (s.error) throw s.error;
  return s.value!.items.length === 1 && s.value!.items.every((i) => i.ok);
}

describe('a 1-byte file over a 50 ms RTT link, in round trips', () => {
  test('the receiver holds it 1.5 round trips after the first datagram; the sender is done at 2', async () => {
    const r = await oneByte();
    const trips = `file at ${r.file} ms, sender done at ${r.sender.at} ms, receiver at ${r.receiver.at} ms`;
    assert.ok(r.file <= 1.5 * RTT + SLACK_MS, trips);
    assert.ok(r.sender.at! <= 2 * RTT + SLACK_MS, trips);
    // The receiver's close comes half a round trip after the answer reached the sender.
    assert.ok(r.receiver.at! <= 2.5 * RTT + SLACK_MS, trips);
    assert.ok(allOk(r.sender), 'the sender reports the file sent');
    assert.ok(allOk(r.receiver), 'the receiver reports it received');
  });

  test('the sender hangs up at once; if its close is lost, the receiver still succeeds', async () => {
    const r = await oneByte((d) => d.by === 'client' && d.at >= 2 * RTT);
    assert.ok(r.sender.at! <= 2 * RTT + SLACK_MS, `sender done at ${r.sender.at} ms`);
    assert.ok(allOk(r.sender));
    // It had the last batch and answered everything: silence then is the sender gone, not lost.
    assert.ok(allOk(r.receiver), 'the receiver reports the file received');
    assert.ok(r.receiver.at! >= IDLE_MS, `receiver done at ${r.receiver.at} ms`);
  });

  test('a sender that goes silent before its batch arrives still fails the receiver', async () => {
    // Let the handshake through, and the client's first sealed packet (it completes the
    // server's handshake); nothing bigger after it.
    const r = await oneByte((d) => d.by === 'client' && d.at >= RTT && d.size > 40);
    assert.ok(Number.isNaN(r.file), 'no file');
    assert.ok(r.receiver.error instanceof XferError && r.receiver.error.kind === 'peer_gone', String(r.receiver.error));
    assert.ok(r.sender.error instanceof XferError, String(r.sender.error));
  });
});

/** Pipes one byte to a fresh receiver. */
async function onePipe(drop: (d: Sent) => boolean = () => false): Promise<{ sender: Settled; receiver: Settled }> {
  return withVirtualTimers(async () => {
    const { net, app, settle, common } = setUp(drop);
    let port = 0;
    const chunks: Buffer[] = [];
    const receiver = settle(app.receivePipe({
      ...common, listen: { host: '10.0.0.1', port: 0 }, onListening: (a) => (port = a.port),
      output: new Writable({ write: (c, _e, cb) => (chunks.push(c as Buffer), cb()) }),
    }));
    assert.ok(await net.run(() => port !== 0, 1000), 'the receiver listens');
    const sender = settle(app.sendPipe({ ...common, remote: { host: 'receiver', port }, input: Readable.from([Buffer.from('x')]) }));
    assert.ok(await net.run(() => sender.at !== undefined && receiver.at !== undefined, 4 * IDLE_MS), 'both ends finished');
    assert.equal(Buffer.concat(chunks).toString(), 'x');
    return { sender, receiver };
  });
}

describe('a 1-byte pipe over a 50 ms RTT link, in round trips', () => {
  test('the sender is done when the verdict arrives, two round trips after its first datagram', async () => {
    const r = await onePipe();
    assert.ok(r.sender.at! <= 2 * RTT + SLACK_MS, `sender done at ${r.sender.at} ms`);
    assert.ok(allOk(r.sender) && allOk(r.receiver));
  });

  test('if the sender’s close is lost, the receiver still succeeds', async () => {
    const r = await onePipe((d) => d.by === 'client' && d.at >= 2 * RTT);
    assert.ok(allOk(r.sender) && allOk(r.receiver));
    assert.ok(r.receiver.at! >= IDLE_MS, `receiver done at ${r.receiver.at} ms`);
  });
});
