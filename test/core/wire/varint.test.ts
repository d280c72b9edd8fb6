import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteReader, ByteWriter, MAX_VARINT, WireError, varintSize } from '../../../src/core/wire/index.js';
import { hex, varintValue } from './arbitraries.js';

/** Independent BigInt model of RFC 9000 §16 encoding, shortest form. */
function modelEncode(v: number): Uint8Array {
  const n = BigInt(v);
  const len = n < 64n ? 1 : n < 16384n ? 2 : n < 1n << 30n ? 4 : 8;
  const prefix = BigInt([1, 2, 4, 8].indexOf(len)) << BigInt(len * 8 - 2);
  let x = n | prefix;
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function encode(v: number): Uint8Array {
  const w = new ByteWriter(8);
  w.varint(v);
  return w.finish();
}

describe('varint', () => {
  test('encoding matches an independent model and round-trips', () => {
    fc.assert(
      fc.property(varintValue, (v) => {
        const bytes = encode(v);
        assert.deepEqual(bytes, modelEncode(v));
        assert.equal(bytes.length, varintSize(v));
        const r = new ByteReader(bytes);
        assert.equal(r.varint(), v);
        assert.ok(r.done());
      }),
      { numRuns: 2000 },
    );
  });

  test('length class boundaries', () => {
    const cases: [number, number][] = [
      [0, 1], [63, 1], [64, 2], [16383, 2], [16384, 4], [2 ** 30 - 1, 4], [2 ** 30, 8],
      [2 ** 32, 8], [MAX_VARINT, 8],
    ];
    for (const [v, size] of cases) {
      assert.equal(varintSize(v), size, `size of ${v}`);
      assert.equal(encode(v).length, size, `encoded length of ${v}`);
    }
  });

  test('RFC 9000 sample encodings decode', () => {
    assert.equal(new ByteReader(hex('9d7f3e7d')).varint(), 494878333);
    assert.equal(new ByteReader(hex('7bbd')).varint(), 15293);
    assert.equal(new ByteReader(hex('25')).varint(), 37);
    // Non-minimal encodings are accepted, as in QUIC.
    assert.equal(new ByteReader(hex('4025')).varint(), 37);
    assert.equal(new ByteReader(hex('c000000000000025')).varint(), 37);
  });

  test('values above 2^53-1 are rejected by the decoder', () => {
    assert.throws(() => new ByteReader(hex('c2197c5eff14e88c')).varint(), WireError);
    assert.throws(() => new ByteReader(hex('c020000000000000')).varint(), WireError); // exactly 2^53
    assert.throws(() => new ByteReader(hex('ffffffffffffffff')).varint(), WireError);
    assert.equal(new ByteReader(hex('c01fffffffffffff')).varint(), MAX_VARINT);
  });

  test('truncated varints throw WireError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x40, max: MAX_VARINT }), (v) => {
        const bytes = encode(v);
        const cut = bytes.subarray(0, bytes.length - 1);
        assert.throws(() => new ByteReader(cut).varint(), WireError);
      }),
    );
    assert.throws(() => new ByteReader(new Uint8Array(0)).varint(), WireError);
  });

  test('encoder and varintSize reject non-varint values with RangeError', () => {
    for (const bad of [-1, 0.5, NaN, Infinity, MAX_VARINT + 1, 2 ** 62]) {
      assert.throws(() => varintSize(bad), RangeError, `varintSize(${bad})`);
      assert.throws(() => new ByteWriter(8).varint(bad), RangeError, `varint(${bad})`);
    }
  });
});

describe('ByteWriter / ByteReader', () => {
  test('fixed-width integers round-trip big-endian', () => {
    fc.assert(
      fc.property(fc.nat(0xff), fc.nat(0xffff), fc.nat(0xffff_ffff), (a, b, c) => {
        const w = new ByteWriter(7);
        w.u8(a);
        w.u16(b);
        w.u32(c);
        const out = w.finish();
        assert.equal(out[1], b >>> 8);
        assert.equal(out[3], c >>> 24);
        const r = new ByteReader(out);
        assert.deepEqual([r.u8(), r.u16(), r.u32()], [a, b, c]);
        assert.ok(r.done());
      }),
    );
  });

  test('fixed-width writers reject out-of-range values', () => {
    const w = new ByteWriter(16);
    assert.throws(() => w.u8(256), RangeError);
    assert.throws(() => w.u8(-1), RangeError);
    assert.throws(() => w.u16(0x10000), RangeError);
    assert.throws(() => w.u32(2 ** 32), RangeError);
    assert.throws(() => w.u32(1.5), RangeError);
    assert.equal(w.length, 0);
  });

  test('writing past capacity throws RangeError and length/remaining track', () => {
    const w = new ByteWriter(3);
    w.u16(1);
    assert.equal(w.length, 2);
    assert.equal(w.remaining, 1);
    assert.throws(() => w.u16(1), RangeError);
    assert.throws(() => w.varint(64), RangeError);
    assert.throws(() => w.bytes(new Uint8Array(2)), RangeError);
    w.u8(7);
    assert.deepEqual(w.finish(), Uint8Array.of(0, 1, 7));
  });

  test('over() writes in place from an offset and finish() is a view', () => {
    const buf = new Uint8Array(6).fill(0xaa);
    const w = ByteWriter.over(buf, 2);
    w.varint(300);
    w.zeros(1);
    const out = w.finish();
    assert.deepEqual(buf, Uint8Array.of(0xaa, 0xaa, 0x41, 0x2c, 0, 0xaa));
    assert.equal(out.buffer, buf.buffer);
    assert.equal(out.byteOffset, 2);
    assert.equal(w.remaining, 1);
  });

  test('reader bytes()/rest() are zero-copy views and past-end reads throw WireError', () => {
    const buf = Uint8Array.of(1, 2, 3, 4, 5);
    const r = new ByteReader(buf, 1);
    assert.equal(r.offset, 1);
    const two = r.bytes(2);
    assert.deepEqual(two, Uint8Array.of(2, 3));
    assert.equal(two.buffer, buf.buffer);
    assert.throws(() => r.bytes(3), WireError);
    assert.throws(() => r.bytes(-1), WireError);
    assert.throws(() => r.u32(), WireError);
    assert.equal(r.remaining, 2);
    assert.deepEqual(r.rest(), Uint8Array.of(4, 5));
    assert.ok(r.done());
    assert.throws(() => r.u8(), WireError);
    assert.throws(() => r.u16(), WireError);
    assert.deepEqual(r.rest(), new Uint8Array(0));
  });

  test('skipZeros stops at the first non-zero byte', () => {
    const r = new ByteReader(Uint8Array.of(0, 0, 0, 9, 0));
    assert.equal(r.skipZeros(), 3);
    assert.equal(r.u8(), 9);
    assert.equal(r.skipZeros(), 1);
    assert.ok(r.done());
  });
});
