// Early data (file-stream.ts, batch.ts): a batch that starts with a big file sends the file's Go
// and first bytes right behind the header, before the receiver has decided, and one that starts
// with a small file sends all of it and its hash; a receiver that decides otherwise drops them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeBatchHeader, encodeDecisions, encodeGo, encodeResult, SMALL_MAX, toBatchHeader, toDecisions, toGo, type Decision, type WireEntry,
} from '../../src/app/batch.js';
import { ByteReader, endAndWait } from '../../src/app/bytes.js';
import { CACHE_MIN_SIZE, HashCache } from '../../src/app/hash-cache.js';
import { hashBytes } from '../../src/app/hashing.js';
import { fileHash } from '../../src/app/resume.js';
import { EARLY_BYTES, EARLY_MISSES, EarlyPolicy } from '../../src/app/file-stream.js';
import { createApp } from '../../src/app/index.js';
import type { TreeEntry } from '../../src/app/tree.js';
import { connectClient } from '../../src/io/client.js';
import { Listener } from '../../src/io/server.js';
import type { XferStream } from '../../src/io/stream.js';
import { memoryHarness, params, type Harness } from '../io/harness.js';
import { Recorder, tempDir } from './helpers.js';
import { sendOpts, startReceiver } from './tree-helpers.js';

const SIZE = 2 * SMALL_MAX + 12345;

/** Rejects if `p` takes longer than `ms`: a sender that waits for decisions would hang the script. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A receiver scripted by the test: reads the header, then the Go and early bytes before it
 * answers at all, then answers `decide` and reads whatever the protocol says follows.
 */
async function scriptedReceiver(s: XferStream, data: Buffer, decide: Decision): Promise<void> {
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  const h = toBatchHeader(await reader.framed());
  const whole = data.length <= SMALL_MAX;
  assert.equal(h.early, whole ? data.length : EARLY_BYTES);
  const go = toGo(await within(reader.framed(), 3000, 'early go-ahead'), h.items, 0);
  assert.deepEqual(go, { i: 0, at: 0 });
  const early = await within(reader.exact(h.early), 3000, 'early bytes');
  assert.ok(early.equals(data.subarray(0, h.early)), 'the early bytes are the file’s first bytes');
  if (whole) assert.ok((await within(reader.exact(32), 3000, 'early hash')).equals(hashBytes(data)), 'a small file’s hash follows');
  s.write(encodeDecisions([decide]));
  if (decide.a === 'send' && whole) {
    s.write(encodeResult({ i: 0, ok: true }));
    // With every item answered the sender may hang up at once instead of ending the stream.
    const end = await reader.atEnd().catch((e: unknown) => assert.match((e as Error).message, /by the peer \(none\)/));
    assert.notEqual(end, false, 'nothing more on the stream');
    return;
  }
  if (decide.a === 'send' && !whole) {
    const rest = await reader.exact(data.length - EARLY_BYTES);
    assert.ok(Buffer.concat([early, rest]).equals(data), 'early bytes and the rest make the file');
    const hash = await reader.exact(32);
    assert.ok(hash.equals(hashBytes(data)), 'the trailer is the whole file’s hash');
    s.write(encodeResult({ i: 0, ok: true }));
  }
  assert.ok(await reader.atEnd(), 'nothing more on the stream');
  await endAndWait(s);
}

async function sendToScript(decide: Decision, size = SIZE) {
  const h = memoryHarness();
  const src = await tempDir('early-src');
  const data = randomBytes(size);
  await writeFile(join(src, 'big'), data);
  const listener = await Listener.open(h.deps, '127.0.0.1', 0);
  const accepted = listener.accept(params({ code: 'early-code' }));
  const sending = createApp(h.deps).sendFiles(sendOpts(listener.address().port, [join(src, 'big')], new Recorder(), { code: 'early-code' }));
  const server = await accepted;
  const script = new Promise<void>((resolve, reject) => server.on('stream', (s: XferStream) => scriptedReceiver(s, data, decide).then(resolve, reject)));
  try {
    await script;
    return await sending;
  } finally {
    await server.close(0, 'done').catch(() => undefined);
    await listener.close();
  }
}

test('a big file’s Go and first bytes go out before the receiver decides; send: the rest follows', async () => {
  const sent = await sendToScript({ a: 'send' });
  assert.equal(sent.counts?.sent, 1);
  assert.equal(sent.bytes, SIZE);
});

test('a small first file goes whole, hash included, before the receiver decides; send: only the answer is left', async () => {
  const sent = await sendToScript({ a: 'send' }, 1);
  assert.equal(sent.counts?.sent, 1);
  assert.equal(sent.bytes, 1);
  const refused = await sendToScript({ a: 'refuse', why: 'not here' }, 1000);
  assert.equal(refused.counts?.failed, 1);
  assert.match(refused.items[0]?.error ?? '', /not here/);
});

test('the receiver refuses after the early bytes: the sender sends nothing more and fails the file', async () => {
  const sent = await sendToScript({ a: 'refuse', why: 'not here' });
  assert.equal(sent.counts?.failed, 1);
  assert.match(sent.items[0]?.error ?? '', /not here/);
});

/** A hand-written sender: header with early bytes (`junk`, not the file), then as decided. */
async function earlySender(h: Harness, port: number, item: WireEntry, junk: Buffer, after: (d: Decision, s: XferStream) => void): Promise<Decision> {
  const session = await connectClient(h.deps, { ...params(), host: 'localhost', port });
  const s = await session.openStream();
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  s.write(encodeBatchHeader({ v: 4, early: junk.length, fresh: false, items: [item] }));
  s.write(encodeGo({ i: 0, at: 0 }));
  s.write(junk);
  const d = toDecisions(await reader.framed(), [item])[0]!;
  after(d, s);
  await endAndWait(s);
  await reader.discard();
  await session.close(0, 'done');
  return d;
}

test('a receiver that decides other than send drops the early bytes; the file it has stays', async () => {
  const h = memoryHarness();
  const out = await tempDir('early-out');
  const data = randomBytes(SIZE);
  await writeFile(join(out, 'big'), data);
  await utimes(join(out, 'big'), 1000, 1000);
  const r = await startReceiver(h, out);
  const item: WireEntry = { path: 'big', kind: 'file', size: SIZE, mode: 0o644, mtime: 1000 * 1000 };
  const d = await earlySender(h, r.port, item, Buffer.alloc(EARLY_BYTES, 0xee), (dec, s) => {
    // Same size and mtime: the receiver asks for a hash check; the file is the same.
    if (dec.a === 'verify') s.write(encodeGo({ i: 0, skip: 'same' }));
  });
  assert.equal(d.a, 'verify');
  const got = await r.received;
  assert.equal(got.counts?.skipped, 1);
  assert.equal(got.counts?.failed, 0);
  assert.ok((await readFile(join(out, 'big'))).equals(data), 'the early bytes never reached the file');
});

test('early data leaves the hash cache alone: a verify after it still answers from the cached digests', async () => {
  const h = memoryHarness();
  const src = await tempDir('early-cache-src');
  const out = await tempDir('early-cache-out');
  const cacheDir = await tempDir('early-cache');
  const data = randomBytes(CACHE_MIN_SIZE + 12345);
  const path = join(src, 'big');
  for (const p of [path, join(out, 'big')]) {
    await writeFile(p, data);
    await utimes(p, 1000, 1000);
  }
  const st = await stat(path);
  await fileHash(path, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, new HashCache(cacheDir));
  // Same size, mtime and inode, other bytes: only the cache entry still describes `data`.
  const fh = await open(path, 'r+');
  await fh.write(Buffer.alloc(16, 1), 0, 16, 0);
  await fh.close();
  await utimes(path, 1000, 1000);
  const r = await startReceiver(h, out);
  const sent = await createApp(h.deps).sendFiles(sendOpts(r.port, [path], new Recorder(), { hashCacheDir: cacheDir }));
  await r.received;
  // Answered from the cache, the sender's hash is the receiver's: skipped as identical. Had the
  // early bytes started the entry afresh, it would rehash the changed file and fail as "differs".
  assert.equal(sent.counts?.skipped, 1, JSON.stringify(sent.items));
});

test('a source that hangs in its early bytes is caught by --stall-timeout when the receiver decides otherwise', async () => {
  const h = memoryHarness();
  const src = await tempDir('early-hang-src');
  const out = await tempDir('early-hang-out');
  const data = randomBytes(SIZE);
  const path = join(src, 'big');
  for (const p of [path, join(out, 'big')]) {
    await writeFile(p, data);
    await utimes(p, 1000, 1000);
  }
  const r = await startReceiver(h, out);
  const hang = (): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => undefined) }),
  });
  const sending = createApp(h.deps).sendFiles(sendOpts(r.port, [path], new Recorder(), { readSource: hang, stallTimeoutMs: 500 }));
  const sent = await within(sending, 10_000, 'the send');
  await r.received.catch(() => undefined);
  assert.equal(sent.counts?.failed, 1, JSON.stringify(sent.items));
  assert.ok((await readFile(join(out, 'big'))).equals(data), 'the receiver’s file is untouched');
});

test('early data stops after a few batches whose receiver decided otherwise', () => {
  const big = { kind: 'file', size: 2 * SMALL_MAX } as TreeEntry;
  const p = new EarlyPolicy();
  assert.equal(p.bytesFor({ ...big, size: SMALL_MAX } as TreeEntry, SMALL_MAX), 0, 'a small file above EARLY_BYTES waits for its batch');
  assert.equal(p.bytesFor({ ...big, size: 1000 } as TreeEntry, SMALL_MAX), 1000, 'a smaller one goes whole');
  assert.equal(p.bytesFor({ kind: 'dir', size: 0 } as TreeEntry, SMALL_MAX), 0);
  assert.equal(p.bytesFor(big, SMALL_MAX), EARLY_BYTES);
  p.learn(true);
  for (let k = 0; k < EARLY_MISSES - 1; k++) p.learn(false);
  assert.equal(p.bytesFor(big, SMALL_MAX), EARLY_BYTES);
  p.learn(false);
  assert.equal(p.bytesFor(big, SMALL_MAX), 0);
});
