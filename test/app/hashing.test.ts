import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { BLOCK_SIZE, BlockHasher, blockCount, hashBytes, hashFileRange, proofOfPacked } from '../../src/app/hashing.js';
import { tempDir } from './helpers.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** The definition, written out the slow way. */
function reference(data: Buffer): Buffer {
  const ds: Buffer[] = [];
  for (let off = 0; off < data.length; off += BLOCK_SIZE) ds.push(sha(data.subarray(off, off + BLOCK_SIZE)));
  return sha(Buffer.concat(ds));
}

describe('block hashing', () => {
  const data = randomBytes(2 * BLOCK_SIZE + 12345);

  test('the file hash is SHA-256 over the block digests, whatever the chunking', () => {
    const want = reference(data);
    assert.equal(hashBytes(new Uint8Array(0)).toString('hex'), sha(new Uint8Array(0)).toString('hex'));
    assert.ok(hashBytes(data).equals(want));
    // One block (the one-shot path small files take), up to exactly BLOCK_SIZE.
    for (const n of [1, 2345, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1]) {
      const h = new BlockHasher();
      h.update(data.subarray(0, n));
      const ref = h.finish();
      assert.ok(hashBytes(data.subarray(0, n)).equals(ref), `${n} bytes`);
      assert.ok(hashBytes(data.subarray(0, n)).equals(reference(data.subarray(0, n))), `${n} bytes`);
    }
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 * 1024 * 1024 }), { maxLength: 6 }), (cuts) => {
      const h = new BlockHasher();
      let off = 0;
      for (const c of cuts) {
        h.update(data.subarray(off, Math.min(data.length, off + c)));
        off = Math.min(data.length, off + c);
      }
      h.update(data.subarray(off));
      return h.finish().equals(want);
    }), { numRuns: 15 });
  });

  test('block digests are reported in order and a seeded prefix gives the same hash', () => {
    const got: [number, Buffer][] = [];
    const h = new BlockHasher((d, i) => got.push([i, d]));
    h.update(data);
    const full = h.finish();
    assert.deepEqual(got.map(([i]) => i), [0, 1, 2]);
    assert.ok(got[0]![1].equals(sha(data.subarray(0, BLOCK_SIZE))));
    // Resume: seed with the first two digests, hash only the rest.
    const rest = new BlockHasher(() => undefined, Buffer.concat([got[0]![1], got[1]![1]]));
    assert.equal(rest.blocks, 2);
    rest.update(data.subarray(2 * BLOCK_SIZE));
    assert.ok(rest.finish().equals(full));
    assert.ok(proofOfPacked(Buffer.concat(got.map(([, d]) => d)), 3).equals(full));
    assert.ok(proofOfPacked(Buffer.concat(got.map(([, d]) => d)), 2).equals(sha(Buffer.concat([got[0]![1], got[1]![1]]))));
    assert.throws(() => new BlockHasher(undefined, new Uint8Array(5)), RangeError);
  });

  test('a different byte anywhere changes the hash; the same prefix keeps its proof', () => {
    const other = Buffer.from(data);
    other[BLOCK_SIZE + 7]! ^= 1;
    assert.ok(!hashBytes(other).equals(hashBytes(data)));
    const a: Buffer[] = [];
    const b: Buffer[] = [];
    new BlockHasher((d) => a.push(d)).update(data);
    new BlockHasher((d) => b.push(d)).update(other);
    assert.ok(a[0]!.equals(b[0]!));
    assert.ok(!a[1]!.equals(b[1]!));
  });

  test('hashFileRange reads a file from a block boundary on top of known digests', async () => {
    const dir = await tempDir('hash');
    const path = join(dir, 'f');
    await writeFile(path, data);
    assert.ok((await hashFileRange(path, data.length)).equals(reference(data)));
    assert.ok((await hashFileRange(path, BLOCK_SIZE)).equals(sha(sha(data.subarray(0, BLOCK_SIZE)))));
    const first = sha(data.subarray(0, BLOCK_SIZE));
    const seen: number[] = [];
    const h = await hashFileRange(path, data.length, first, (_d, i) => seen.push(i));
    assert.ok(h.equals(reference(data)));
    assert.deepEqual(seen, [1, 2]);
    await assert.rejects(hashFileRange(path, data.length + 10), /shorter than expected/);
    assert.equal(blockCount(0), 0);
    assert.equal(blockCount(1), 1);
    assert.equal(blockCount(BLOCK_SIZE), 1);
    assert.equal(blockCount(BLOCK_SIZE + 1), 2);
  });
});
