import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  MAX_VARINT,
  type StreamFrame,
  WireError,
  decodeFrames,
  encodeStreamFrame,
  streamFrameSize,
} from '../../../../src/core/wire/index.js';
import { frameArbs, hex } from '../arbitraries.js';

function encode(f: StreamFrame, withLength: boolean): Uint8Array {
  const w = new ByteWriter(streamFrameSize(f, withLength));
  encodeStreamFrame(w, f, withLength);
  assert.equal(w.remaining, 0);
  return w.finish();
}

describe('STREAM frame', () => {
  test('type bits: OFF only when offset > 0, LEN on request, FIN', () => {
    fc.assert(
      fc.property(frameArbs.stream, fc.boolean(), (f, withLength) => {
        const type = encode(f, withLength)[0]!;
        assert.equal(type & 0xf8, 0x08);
        assert.equal((type & 0x04) !== 0, f.offset > 0);
        assert.equal((type & 0x02) !== 0, withLength);
        assert.equal((type & 0x01) !== 0, f.fin);
      }),
    );
  });

  test('exact bytes', () => {
    const data = Uint8Array.of(0xaa, 0xbb);
    assert.deepEqual(encode({ type: 'stream', id: 4, offset: 0, fin: true, data }, true), hex('0b 04 02 aabb'));
    assert.deepEqual(encode({ type: 'stream', id: 1, offset: 100, fin: false, data }, false), hex('0c 01 4064 aabb'));
  });

  test('decoded data is a view into the payload', () => {
    const payload = hex('0a 00 03 010203 01');
    const [f] = decodeFrames(payload);
    assert.ok(f?.type === 'stream');
    assert.deepEqual(f.data, Uint8Array.of(1, 2, 3));
    assert.equal(f.data.buffer, payload.buffer);
    assert.equal(f.data.byteOffset, 3);
  });

  test('FIN-only frames with empty data round-trip', () => {
    const f: StreamFrame = { type: 'stream', id: 8, offset: 1000, fin: true, data: new Uint8Array(0) };
    assert.deepEqual(decodeFrames(encode(f, false)), [f]);
    assert.deepEqual(decodeFrames(encode(f, true)), [f]);
  });

  test('offset + length beyond 2^53-1 is malformed', () => {
    // offset = MAX_VARINT, 1 byte of data, with and without LEN
    assert.throws(() => decodeFrames(hex('0e 00 c01fffffffffffff 01 ff')), WireError);
    assert.throws(() => decodeFrames(hex('0c 00 c01fffffffffffff ff')), WireError);
    assert.deepEqual(decodeFrames(hex('0c 00 c01ffffffffffffe ff')), [
      { type: 'stream', id: 0, offset: MAX_VARINT - 1, fin: false, data: Uint8Array.of(0xff) },
    ]);
  });

  test('LEN larger than what is left is malformed', () => {
    assert.throws(() => decodeFrames(hex('0a 00 05 0102')), WireError);
  });

  test('encoder rejects a frame ending beyond 2^53-1', () => {
    const f: StreamFrame = { type: 'stream', id: 0, offset: MAX_VARINT, fin: false, data: new Uint8Array(1) };
    assert.throws(() => encodeStreamFrame(new ByteWriter(32), f, true), RangeError);
  });
});
