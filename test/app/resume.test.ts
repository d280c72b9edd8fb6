import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashCache } from '../../src/app/hash-cache.js';
import { BLOCK_SIZE, hashBytes } from '../../src/app/hashing.js';
import { checkOffer, dropPartial, fileHash, findOffer, isPartName, PartialFile, partNames, partPaths, TargetExists, writeWhole } from '../../src/app/resume.js';
import { tempDir } from './helpers.js';

describe('partial file names', () => {
  test('deterministic, hidden, within NAME_MAX, distinct for long names sharing a prefix', () => {
    assert.deepEqual(partNames('a.iso'), { part: '.a.iso.xfer-part', state: '.a.iso.xfer-state' });
    const long1 = `${'é'.repeat(120)}1`;
    const long2 = `${'é'.repeat(120)}2`;
    const p1 = partNames(long1);
    assert.deepEqual(partNames(long1), p1);
    assert.notEqual(p1.part, partNames(long2).part);
    assert.ok(Buffer.byteLength(p1.state) <= 255);
    assert.ok(isPartName(p1.part) && isPartName(p1.state) && !isPartName('a.xfer-part') && !isPartName('.a'));
    assert.deepEqual(partPaths('/o/d/x'), { part: '/o/d/.x.xfer-part', state: '/o/d/.x.xfer-state' });
  });
});

/** Receives `data` from `from` into the partial for `target`, stopping after `stopAt` bytes. */
async function receive(target: string, data: Buffer, stopAt = data.length, chunk = 1_000_000): Promise<Buffer | null> {
  const offer = await findOffer(target, data.length);
  const pf = await PartialFile.begin(target, offer);
  for (let off = offer?.at ?? 0; off < stopAt; off += chunk) await pf.write(data.subarray(off, Math.min(stopAt, off + chunk)));
  if (stopAt < data.length) {
    await pf.close();
    return null;
  }
  return pf.finish().finally(() => pf.close());
}

describe('receiver side', () => {
  const data = randomBytes(3 * BLOCK_SIZE + 777);

  test('an interrupted file is offered again: whole blocks only, proven', async () => {
    const dir = await tempDir('resume');
    const target = join(dir, 'big');
    assert.equal(await findOffer(target, data.length), null);
    await receive(target, data, 2 * BLOCK_SIZE + 5000);
    const offer = (await findOffer(target, data.length))!;
    assert.equal(offer.at, 2 * BLOCK_SIZE);
    // A smaller source only gets the blocks it can have.
    assert.equal((await findOffer(target, BLOCK_SIZE + 1))!.at, BLOCK_SIZE);
    assert.equal(await findOffer(target, BLOCK_SIZE - 1), null);
    const hash = await receive(target, data);
    assert.ok(hash!.equals(hashBytes(data)));
    assert.ok((await readFile(partPaths(target).part)).equals(data));
  });

  test('the sidecar never claims more than the partial holds', async () => {
    const dir = await tempDir('resume');
    const target = join(dir, 'f');
    await receive(target, data, 3 * BLOCK_SIZE);
    await writeFile(partPaths(target).part, data.subarray(0, BLOCK_SIZE + 10)); // cut behind our back
    assert.equal((await findOffer(target, data.length))!.at, BLOCK_SIZE);
    await writeFile(partPaths(target).state, 'garbage');
    assert.equal(await findOffer(target, data.length), null);
  });

  test('complete(): renamed into place, sidecar gone, mode and mtime set; discard() removes both', async () => {
    const dir = await tempDir('resume');
    const target = join(dir, 'f');
    const pf = await PartialFile.begin(target, null);
    await pf.write(data.subarray(0, 100));
    await pf.finish();
    await pf.seal(0o640, 1_500_000_000_000, true);
    await pf.complete(target, null, true, true);
    assert.deepEqual(await readdir(dir), ['f']);
    const st = await stat(target);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(Math.round(st.mtimeMs), 1_500_000_000_000);
    const pf2 = await PartialFile.begin(join(dir, 'g'), null);
    await pf2.write(Buffer.from('x'));
    await pf2.discard();
    assert.deepEqual(await readdir(dir), ['f']);
    await receive(join(dir, 'h'), data, 10);
    await dropPartial(join(dir, 'h'));
    assert.deepEqual(await readdir(dir), ['f']);
  });

  test('a planted symlink at the partial name is not followed', async () => {
    const dir = await tempDir('resume');
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep');
    await symlink(victim, join(dir, partNames('t').part));
    await assert.rejects(PartialFile.begin(join(dir, 't'), null), /ELOOP/);
    assert.equal(await readFile(victim, 'utf8'), 'keep');
  });
});

describe('sender side', () => {
  const data = randomBytes(3 * BLOCK_SIZE + 99);

  test('checkOffer accepts a true prefix and rejects a changed one', async () => {
    const dir = await tempDir('resume');
    const src = join(dir, 'src');
    await writeFile(src, data);
    const target = join(dir, 'dst');
    await receive(target, data, 2 * BLOCK_SIZE + 1);
    const offer = (await findOffer(target, data.length))!;
    const cache = new HashCache(null);
    const id = await stat(src);
    const digests = await checkOffer(src, id, offer.at, offer.proof, cache);
    assert.ok(digests?.equals(offer.digests));
    assert.equal(await checkOffer(src, id, offer.at + 1, offer.proof, cache), null);
    assert.equal(await checkOffer(src, id, offer.at, Buffer.alloc(32), cache), null);
    const changed = Buffer.from(data);
    changed[10]! ^= 0xff;
    await writeFile(src, changed);
    assert.equal(await checkOffer(src, await stat(src), offer.at, offer.proof, cache), null);
  });

  test('fileHash uses the hash cache and notices a change through size/mtime', async () => {
    const dir = await tempDir('resume');
    const cacheDir = join(dir, 'cache');
    const big = Buffer.concat([data, data, data, data, data, data, data, data, data]); // > CACHE_MIN_SIZE
    const src = join(dir, 'big');
    await writeFile(src, big);
    await utimes(src, 1_600_000_000, 1_600_000_000);
    const cache = new HashCache(cacheDir);
    const want = hashBytes(big);
    assert.ok((await fileHash(src, await stat(src), cache)).equals(want));
    assert.equal((await readdir(cacheDir)).length, 1);
    // Same size and mtime but other bytes: the cache answers without reading (that is its point).
    const other = Buffer.from(big);
    other[0]! ^= 1;
    await writeFile(src, other);
    await utimes(src, 1_600_000_000, 1_600_000_000);
    assert.ok((await fileHash(src, await stat(src), cache)).equals(want));
    await appendFile(src, 'more');
    assert.ok((await fileHash(src, await stat(src), cache)).equals(hashBytes(Buffer.concat([other, Buffer.from('more')]))));
    assert.ok((await fileHash(src, await stat(src), new HashCache(null))).equals(hashBytes(Buffer.concat([other, Buffer.from('more')]))));
  });
});

describe('writeWhole (small files, synchronous path)', () => {
  test('writes mode and mtime, never clobbers without replace, cleans up after a failure', async () => {
    const dir = await tempDir('whole');
    const t = join(dir, 'f');
    await writeWhole(t, Buffer.from('one'), 0o640, 1_500_000_000_000, { fsync: false, replace: false });
    assert.equal(await readFile(t, 'utf8'), 'one');
    const st = await stat(t);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(Math.round(st.mtimeMs), 1_500_000_000_000);
    await assert.rejects(writeWhole(t, Buffer.from('two'), 0o644, 0, { fsync: false, replace: false }), TargetExists);
    assert.equal(await readFile(t, 'utf8'), 'one');
    await writeWhole(t, Buffer.from('two'), 0o644, 0, { fsync: false, replace: true });
    assert.equal(await readFile(t, 'utf8'), 'two');
    // The partial's name is taken by a directory: the write fails, nothing is left behind.
    await mkdir(join(dir, partNames('g').part));
    await assert.rejects(writeWhole(join(dir, 'g'), Buffer.from('x'), 0o644, 0, { fsync: false, replace: false }), /EISDIR/);
    assert.deepEqual((await readdir(dir)).sort(), [partNames('g').part, 'f'].sort());
    // The same through an injected opener and with fsync (the asynchronous path).
    const { open } = await import('node:fs/promises');
    await writeWhole(join(dir, 'h'), Buffer.from('async'), 0o600, 0, { opener: open, fsync: true, replace: false });
    assert.equal(await readFile(join(dir, 'h'), 'utf8'), 'async');
  });
});
