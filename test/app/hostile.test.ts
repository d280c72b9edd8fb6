// A hostile sender built from the project's own io and app code: it speaks the batch protocol
// directly, with paths no honest sender produces, and the receiver must refuse every one of
// them and write nothing outside its output directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, open, readdir, readFile, readlink, symlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBatchHeader, encodeGo, toDecisions, type Decision, type WireEntry } from '../../src/app/batch.js';
import { ByteReader, endAndWait } from '../../src/app/bytes.js';
import { hashBytes } from '../../src/app/hashing.js';
import { connectClient } from '../../src/io/client.js';
import type { Session } from '../../src/io/session.js';
import { memoryHarness, params } from '../io/harness.js';
import { tempDir } from './helpers.js';
import { startReceiver } from './tree-helpers.js';

const file = (path: string, data = 'pwned'): WireEntry => ({ path, kind: 'file', size: Buffer.byteLength(data), mode: 0o644, mtime: 0 });

/** Opens files 20 ms late, so that both partials of one target are open before either is written. */
async function slowOpen(path: string, flags: number, mode: number): Promise<FileHandle> {
  const fh = await open(path, flags, mode);
  await new Promise((r) => setTimeout(r, 20));
  return fh;
}

/** One batch: header, decisions, then data for whatever the receiver agreed to take. */
async function batch(session: Session, items: WireEntry[]): Promise<Decision[]> {
  const s = await session.openStream();
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  s.write(encodeBatchHeader({ v: 4, early: 0, fresh: false, items }));
  const d = toDecisions(await reader.framed(), items);
  for (let i = 0; i < items.length; i++) {
    const a = d[i]!.a;
    if (a !== 'send' && a !== 'resume' && a !== 'verify') continue;
    const data = Buffer.from('pwned'.slice(0, items[i]!.size));
    s.write(encodeGo({ i, at: 0 }));
    s.write(data);
    s.write(hashBytes(data));
  }
  await endAndWait(s);
  await reader.discard();
  return d;
}

test('a hostile sender: ../escape, /etc/x, links out of the output dir: all refused, nothing written outside', async () => {
  const h = memoryHarness();
  const base = await tempDir('hostile');
  const out = join(base, 'out');
  const outside = join(base, 'outside');
  await mkdir(out);
  await mkdir(outside);
  await symlink(outside, join(out, 'planted')); // a link that was already there
  const r = await startReceiver(h, out, { force: true });
  const session = await connectClient(h.deps, { ...params(), host: 'localhost', port: r.port });

  const first = await batch(session, [
    file('../escape'),
    file('/etc/x'),
    file('a/../../escape2'),
    file('planted/x'),
    file('planted'), // replacing the link itself is fine with --force: it is a name in out/
    file('ok'),
    file('x\\..\\..\\y'),
    file('nul\0'),
    file(''),
    file('.ok.xfer-part'),
    { path: 'd', kind: 'dir', size: 0, mode: 0o755, mtime: 0 },
    { path: 'd/up', kind: 'symlink', size: 0, mode: 0o777, mtime: 0, link: '../../outside' },
  ]);
  // A second batch uses the link it just made, and a dir named like it.
  const second = await batch(session, [file('d/up/pwned'), { path: 'd/up/sub', kind: 'dir', size: 0, mode: 0o755, mtime: 0 }]);
  await session.close(0, 'done');
  const got = await r.received;

  const why = (d: Decision): string => (d.a === 'refuse' ? d.why : d.a);
  assert.deepEqual(first.map(why), [
    '../escape: climbs out with ".."',
    '/etc/x: absolute path',
    'a/../../escape2: climbs out with ".."',
    'planted/x: passes through a symbolic link (planted)',
    'send',
    'send',
    'x\\..\\..\\y: contains a backslash',
    'nul\\x00: contains a NUL byte',
    ': empty path',
    '.ok.xfer-part: uses a name reserved for partial files',
    'done',
    'done',
  ]);
  assert.deepEqual(second.map(why), ['d/up/pwned: passes through a symbolic link (d/up)', 'd/up/sub: passes through a symbolic link (d/up)']);
  assert.deepEqual(await readdir(outside), []);
  assert.deepEqual((await readdir(base)).sort(), ['out', 'outside']);
  assert.deepEqual((await readdir(out)).sort(), ['d', 'ok', 'planted']);
  assert.ok((await lstat(join(out, 'planted'))).isFile());
  assert.equal(await readlink(join(out, 'd', 'up')), '../../outside');
  assert.equal(got.counts?.failed, 10);
});

test('one path twice in a batch, written at once (--fsync): the file in place is one of them, never a mix', async () => {
  const h = memoryHarness();
  const out = await tempDir('hostile');
  const r = await startReceiver(h, out, { force: true, fsync: true, openFile: slowOpen });
  const session = await connectClient(h.deps, { ...params(), host: 'localhost', port: r.port });
  const long = Buffer.alloc(5000, 'A');
  const short = Buffer.alloc(10, 'B');
  const items = [long, short].map((d): WireEntry => ({ path: 'f', kind: 'file', size: d.length, mode: 0o644, mtime: 0 }));
  const s = await session.openStream();
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  s.write(encodeBatchHeader({ v: 4, early: 0, fresh: false, items }));
  assert.deepEqual(toDecisions(await reader.framed(), items).map((d) => d.a), ['send', 'send']);
  for (const [i, data] of [long, short].entries()) {
    s.write(encodeGo({ i, at: 0 }));
    s.write(data);
    s.write(hashBytes(data));
  }
  await endAndWait(s);
  await reader.discard();
  await session.close(0, 'done');
  await r.received;
  const got = await readFile(join(out, 'f'));
  assert.ok(got.equals(long) || got.equals(short), `a mix: ${got.length} bytes, ${got.subarray(0, 12).toString()}...`);
  assert.deepEqual(await readdir(out), ['f']);
});

test('one big file path on two streams at once: the file in place is one of them, never a mix', async () => {
  const h = memoryHarness();
  const out = await tempDir('hostile');
  const r = await startReceiver(h, out, { force: true, openFile: slowOpen });
  const session = await connectClient(h.deps, { ...params(), host: 'localhost', port: r.port });
  const size = 2 * 1024 * 1024; // above the small-file limit: each is written as it arrives
  const datas = [Buffer.alloc(size, 'A'), Buffer.alloc(size, 'B')];
  const items = [{ path: 'g', kind: 'file', size, mode: 0o644, mtime: 0 } satisfies WireEntry];
  const streams = await Promise.all(datas.map(() => session.openStream()));
  const readers = streams.map((s) => {
    s.on('error', () => undefined);
    return new ByteReader(s);
  });
  for (const s of streams) s.write(encodeBatchHeader({ v: 4, early: 0, fresh: false, items }));
  for (const rd of readers) assert.deepEqual(toDecisions(await rd.framed(), items).map((d) => d.a), ['send']);
  for (const [k, s] of streams.entries()) {
    s.write(encodeGo({ i: 0, at: 0 }));
    s.write(datas[k]!);
    s.write(hashBytes(datas[k]!));
  }
  await Promise.all(streams.map((s) => endAndWait(s)));
  await Promise.all(readers.map((rd) => rd.discard()));
  await session.close(0, 'done');
  await r.received;
  const got = await readFile(join(out, 'g'));
  assert.ok(got.equals(datas[0]!) || got.equals(datas[1]!), `a mix: ${got.indexOf('B')} A bytes before the first B, ${got.length} bytes`);
  assert.deepEqual(await readdir(out), ['g']);
});
