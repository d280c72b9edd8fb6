import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeAnswer, encodeHeader, framedLength, MAX_FRAMED_LEN, parseJson, ProtocolError, toAnswer, toHeader,
  type ItemHeader,
} from '../../src/app/codec.js';
import { holdBack } from '../../src/app/pipe.js';

function decodeFramed(b: Uint8Array): unknown {
  const n = framedLength(b.subarray(0, 4));
  assert.equal(b.length, 4 + n);
  return parseJson(b.subarray(4));
}

const headerArb: fc.Arbitrary<ItemHeader> = fc.oneof(
  fc.record({
    v: fc.constant(1 as const),
    kind: fc.constant('file' as const),
    name: fc.string({ maxLength: 300 }),
    size: fc.maxSafeNat(),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    mtime: fc.double({ noNaN: true, noDefaultInfinity: true }),
  }),
  fc.record({
    v: fc.constant(1 as const),
    kind: fc.constant('pipe' as const),
    name: fc.string({ maxLength: 30 }),
    size: fc.constant(null),
    mode: fc.constant(0),
    mtime: fc.constant(0),
  }),
);

describe('item header', () => {
  test('round-trips (property)', () => {
    fc.assert(fc.property(headerArb, (h) => {
      const back = toHeader(decodeFramed(encodeHeader(h)));
      // JSON has no -0; everything else survives exactly.
      assert.deepEqual(back, { ...h, mtime: Object.is(h.mtime, -0) ? 0 : h.mtime });
    }));
  });

  test('starts with its big-endian u32 length', () => {
    const b = encodeHeader({ v: 1, kind: 'file', name: 'a', size: 1, mode: 0o644, mtime: 0 });
    assert.equal((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!, b.length - 4);
  });

  const good = { v: 1, kind: 'file', name: 'a', size: 3, mode: 0o644, mtime: 5 };
  for (const [why, bad] of [
    ['version', { ...good, v: 2 }],
    ['kind', { ...good, kind: 'dir' }],
    ['name type', { ...good, name: 7 }],
    ['negative size', { ...good, size: -1 }],
    ['fractional size', { ...good, size: 1.5 }],
    ['file without size', { ...good, size: null }],
    ['pipe with size', { ...good, kind: 'pipe', size: 3 }],
    ['mode range', { ...good, mode: 0o10000 }],
    ['mtime', { ...good, mtime: 'yesterday' }],
    ['array', [good]],
    ['null', null],
  ] as const) {
    test(`rejects a bad ${why}`, () => {
      assert.throws(() => toHeader(bad), ProtocolError);
    });
  }

  test('refuses oversized or garbled frames', () => {
    const big = new Uint8Array([0, 1, 0, 1]); // 65537
    assert.equal(MAX_FRAMED_LEN, 65536);
    assert.throws(() => framedLength(big), ProtocolError);
    assert.equal(framedLength(new Uint8Array([0, 1, 0, 0])), 65536);
    assert.throws(() => parseJson(new Uint8Array([0x7b, 0xff])), ProtocolError);
  });
});

describe('answer', () => {
  test('round-trips with and without an error', () => {
    assert.deepEqual(toAnswer(decodeFramed(encodeAnswer({ ok: true }))), { ok: true });
    assert.deepEqual(toAnswer(decodeFramed(encodeAnswer({ ok: false, error: 'x exists' }))), { ok: false, error: 'x exists' });
  });

  test('rejects malformed answers', () => {
    for (const bad of [{}, { ok: 'yes' }, { ok: false, error: 3 }, 'ok', null]) {
      assert.throws(() => toAnswer(bad), ProtocolError);
    }
  });
});

describe('pipe trailer hold-back', () => {
  test('emits everything but the last 32 bytes, in order (property)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (chunks) => {
      let tail: Buffer = Buffer.alloc(0);
      const out: Buffer[] = [];
      for (const c of chunks) {
        const [o, t] = holdBack(tail, Buffer.from(c));
        assert.ok(t.length <= 32);
        out.push(o);
        tail = t;
      }
      const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      const keep = Math.min(32, all.length);
      assert.ok(Buffer.concat(out).equals(all.subarray(0, all.length - keep)));
      assert.ok(tail.equals(all.subarray(all.length - keep)));
    }));
  });
});
