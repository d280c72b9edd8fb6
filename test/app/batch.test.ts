import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BATCH_ITEMS_MAX, batches, BATCH_DATA_MAX, encodeBatchHeader, encodeDecisions, encodeGo, encodeResult, SMALL_MAX,
  toBatchHeader, toDecisions, toGo, toResult, type BatchEvent, type Decision, type WireEntry,
} from '../../src/app/batch.js';
import { framedLength, MAX_FRAMED_LEN, parseJson, ProtocolError } from '../../src/app/codec.js';
import type { TreeEntry, TreeEvent } from '../../src/app/tree.js';

function decode(b: Uint8Array): unknown {
  const n = framedLength(b.subarray(0, 4));
  assert.equal(b.length, 4 + n);
  return parseJson(b.subarray(4));
}

const file = (rel: string, size: number): TreeEntry => ({ type: 'entry', kind: 'file', rel, source: `/src/${rel}`, size, mode: 0o644, mtime: 1, dev: 1, ino: 1 });

async function collect(events: TreeEvent[]): Promise<BatchEvent[]> {
  const out: BatchEvent[] = [];
  async function* gen(): AsyncGenerator<TreeEvent> { yield* events; }
  for await (const b of batches(gen())) out.push(b);
  return out;
}

describe('batch frames', () => {
  const items: WireEntry[] = [
    { path: 'd', kind: 'dir', size: 0, mode: 0o755, mtime: 5 },
    { path: 'd/f', kind: 'file', size: 10, mode: 0o644, mtime: 6.5 },
    { path: 'd/l', kind: 'symlink', size: 0, mode: 0o777, mtime: 7, link: '../x' },
  ];

  test('round-trip', () => {
    assert.deepEqual(toBatchHeader(decode(encodeBatchHeader({ v: 4, early: 0, fresh: true, items }))), { v: 4, early: 0, fresh: true, items });
    const d: Decision[] = [{ a: 'done' }, { a: 'resume', at: 4, proof: 'ab'.repeat(32) }, { a: 'refuse', why: 'no' }];
    assert.deepEqual(toDecisions(decode(encodeDecisions(d)), items), d);
    assert.deepEqual(toGo(decode(encodeGo({ i: 1, at: 0 })), items, 1), { i: 1, at: 0 });
    assert.deepEqual(toGo(decode(encodeGo({ i: 1, skip: 'failed', why: 'gone' })), items, 1), { i: 1, skip: 'failed', why: 'gone' });
    assert.deepEqual(toResult(decode(encodeResult({ i: 3, ok: false, why: 'x' })), 3), { i: 3, ok: false, why: 'x' });
    assert.deepEqual(toResult(decode(encodeResult({ i: 3, ok: true })), 3), { i: 3, ok: true });
  });

  test('malformed frames are protocol errors, never crashes', () => {
    const bad: unknown[] = [
      null, [], { v: 1, fresh: false, items }, { v: 4, early: 0, items }, { v: 4, early: 0, fresh: false, items: [] },
      { v: 4, early: 0, fresh: false, items: new Array(BATCH_ITEMS_MAX + 1).fill(items[0]) },
      { v: 4, early: 0, fresh: false, items: [{ ...items[0], size: 3 }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[1], size: -1 }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[1], mode: 0o10000 }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[1], path: 7 }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[2], link: '' }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[1], link: 'x' }] },
      { v: 4, early: 0, fresh: false, items: [{ ...items[1], kind: 'fifo' }] },
      // Early data: only ahead of a file, never more than it has, all of a small one, and a count.
      { v: 3, early: 0, fresh: false, items }, { v: 2, fresh: false, items }, { v: 4, fresh: false, items }, { v: 4, early: -1, fresh: false, items },
      { v: 4, early: 1.5, fresh: false, items }, { v: 4, early: 4, fresh: false, items },
      { v: 4, early: 4, fresh: false, items: [items[1]] }, { v: 4, early: 11, fresh: false, items: [items[1]] },
      { v: 4, early: 3 * SMALL_MAX, fresh: false, items: [{ ...items[1], size: 2 * SMALL_MAX }] },
      // The last-batch mark is true or absent.
      { v: 4, early: 0, fresh: false, last: false, items }, { v: 4, early: 0, fresh: false, last: 1, items },
    ];
    assert.equal(toBatchHeader(decode(encodeBatchHeader({ v: 4, early: 0, fresh: false, last: true, items }))).last, true);
    assert.equal(toBatchHeader({ v: 4, early: 0, fresh: false, items }).last, undefined);
    const big = { ...items[1], size: 2 * SMALL_MAX };
    assert.equal(toBatchHeader({ v: 4, early: 1000, fresh: false, items: [big, items[0]] }).early, 1000);
    assert.equal(toBatchHeader({ v: 4, early: 10, fresh: false, items: [items[1], items[0]] }).early, 10);
    for (const b of bad) assert.throws(() => toBatchHeader(b), ProtocolError, JSON.stringify(b)?.slice(0, 80));
    const badD: unknown[] = [
      { d: [] }, { d: [{ a: 'done' }, { a: 'send' }, { a: 'send' }] },
      { d: [{ a: 'done' }, { a: 'resume', at: 11, proof: 'ab'.repeat(32) }, { a: 'done' }] },
      { d: [{ a: 'done' }, { a: 'resume', at: 4, proof: 'xyz' }, { a: 'done' }] },
      { d: [{ a: 'done' }, { a: 'verify', hash: 'ab'.repeat(32) }, { a: 'done' }] },
      { d: [{ a: 'done' }, { a: 'nope' }, { a: 'done' }] },
    ];
    for (const d of badD) assert.throws(() => toDecisions(d, items), ProtocolError, JSON.stringify(d));
    assert.throws(() => toGo({ i: 2, at: 0 }, items, 1), ProtocolError);
    assert.throws(() => toGo({ i: 1, at: 11 }, items, 1), ProtocolError);
    assert.throws(() => toGo({ i: 1, skip: 'maybe' }, items, 1), ProtocolError);
    assert.throws(() => toResult({ i: 1, ok: 'yes' }, 1), ProtocolError);
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      for (const f of [() => toBatchHeader(v), () => toDecisions(v, items), () => toGo(v, items, 0), () => toResult(v, 0)]) {
        try { f(); } catch (e) { if (!(e instanceof ProtocolError)) return false; }
      }
      return true;
    }), { numRuns: 300 });
  });
});

describe('batching the walk', () => {
  test('small files share batches, big files travel alone, notes pass through', async () => {
    const ev: TreeEvent[] = [
      file('a', 10), file('b', 20),
      { type: 'warning', rel: 'x', message: 'skipped x' },
      file('big', SMALL_MAX + 1), file('c', 0),
    ];
    const out = await collect(ev);
    const shape = out.map((b) => (b.type === 'batch' ? b.entries.map((e) => e.rel).join(',') : `!${b.type}`));
    assert.deepEqual(shape, ['!warning', 'big', 'a,b,c']);
  });

  test('the final batch, and only it, is marked last, whatever notes come after it', async () => {
    const ev: TreeEvent[] = [file('big', SMALL_MAX + 1), file('a', 1), { type: 'warning', rel: 'x', message: 'skipped x' }];
    const out = (await collect(ev)).filter((b) => b.type === 'batch');
    assert.deepEqual(out.map((b) => [b.entries.map((e) => e.rel).join(','), b.last]), [['big', false], ['a', true]]);
    assert.deepEqual((await collect([file('only', SMALL_MAX + 1)])).map((b) => b.type === 'batch' && b.last), [true]);
    assert.deepEqual(await collect([]), []);
  });

  test('limits: entries, data and header size', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => file(`f${i}`, 0));
    const counts = (await collect(many)).map((b) => (b.type === 'batch' ? b.entries.length : -1));
    assert.deepEqual(counts, [BATCH_ITEMS_MAX, BATCH_ITEMS_MAX, 500]);
    const heavy = Array.from({ length: 20 }, (_, i) => file(`h${i}`, SMALL_MAX));
    for (const b of await collect(heavy)) {
      assert.ok(b.type === 'batch' && b.entries.reduce((n, e) => n + e.size, 0) <= BATCH_DATA_MAX);
    }
    const long = Array.from({ length: 100 }, (_, i) => file(`${'ü'.repeat(2000)}${i}`, 0));
    for (const b of await collect(long)) {
      assert.ok(b.type === 'batch');
      assert.ok(encodeBatchHeader({ v: 4, early: 0, fresh: false, items: b.entries.map((e) => ({ path: e.rel, kind: e.kind, size: e.size, mode: e.mode, mtime: e.mtime })) }).length <= MAX_FRAMED_LEN + 4);
    }
  });
});
