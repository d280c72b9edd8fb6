import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteWriter, WireError, decodeFrames, encodeAckFrame, type AckFrame, ackFrameSize } from '../../../../src/core/wire/index.js';
import { ackRanges, hex } from '../arbitraries.js';

function encode(f: AckFrame): Uint8Array {
  const w = new ByteWriter(ackFrameSize(f));
  encodeAckFrame(w, f);
  return w.finish();
}

describe('ACK frame', () => {
  test('wire layout follows RFC 9000 minus-one encoding', () => {
    const f: AckFrame = { type: 'ack', ackDelayMicros: 25, ranges: [{ start: 5, end: 10 }, { start: 0, end: 2 }] };
    // largest 10, delay 25, one extra range, first range 5, gap 5-2-2 = 1, range length 2
    assert.deepEqual(encode(f), hex('02 0a 19 01 05 01 02'));
    assert.deepEqual(decodeFrames(hex('02 0a 19 01 05 01 02')), [f]);
  });

  test('a gap of exactly one missing packet encodes as 0', () => {
    const f: AckFrame = { type: 'ack', ackDelayMicros: 0, ranges: [{ start: 4, end: 4 }, { start: 2, end: 2 }] };
    assert.deepEqual(encode(f), hex('02 04 00 01 00 00 00'));
  });

  test('decoded ranges are descending, disjoint and non-adjacent', () => {
    fc.assert(
      fc.property(ackRanges, fc.nat(), (ranges, delay) => {
        const [decoded] = decodeFrames(encode({ type: 'ack', ranges, ackDelayMicros: delay }));
        assert.ok(decoded?.type === 'ack');
        for (let i = 1; i < decoded.ranges.length; i++) {
          assert.ok(decoded.ranges[i]!.end < decoded.ranges[i - 1]!.start - 1);
        }
        assert.ok(decoded.ranges.every((r) => r.start >= 0 && r.start <= r.end));
      }),
    );
  });

  test('ranges underflowing zero are malformed', () => {
    assert.throws(() => decodeFrames(hex('02 03 00 00 04')), WireError, 'first range below 0');
    assert.doesNotThrow(() => decodeFrames(hex('02 03 00 00 03')));
    // largest 10, first range 0 -> smallest 10; gap 9 -> end = 10 - 9 - 2 = -1
    assert.throws(() => decodeFrames(hex('02 0a 00 01 00 09 00')), WireError, 'gap below 0');
    // gap 8 -> end 0; range length 1 -> start -1
    assert.throws(() => decodeFrames(hex('02 0a 00 01 00 08 01')), WireError, 'range below 0');
    assert.deepEqual(decodeFrames(hex('02 0a 00 01 00 08 00')), [
      { type: 'ack', ackDelayMicros: 0, ranges: [{ start: 10, end: 10 }, { start: 0, end: 0 }] },
    ]);
  });

  test('a huge range count is rejected without looping', () => {
    assert.throws(() => decodeFrames(hex('02 0a 00 c01fffffffffffff 00')), WireError);
    assert.throws(() => decodeFrames(hex('02 0a 00 02 00 00 00')), WireError, 'count larger than ranges present');
  });

  test('encoder rejects invalid range lists', () => {
    const bad: AckFrame['ranges'][] = [
      [],
      [{ start: 3, end: 2 }],
      [{ start: -1, end: 2 }],
      [{ start: 0, end: 2 }, { start: 5, end: 9 }], // ascending
      [{ start: 5, end: 9 }, { start: 0, end: 4 }], // adjacent
      [{ start: 5, end: 9 }, { start: 0, end: 5 }], // overlapping
    ];
    for (const ranges of bad) {
      const f: AckFrame = { type: 'ack', ranges, ackDelayMicros: 0 };
      assert.throws(() => ackFrameSize(f), RangeError, JSON.stringify(ranges));
      assert.throws(() => encodeAckFrame(new ByteWriter(64), f), RangeError, JSON.stringify(ranges));
    }
  });
});
