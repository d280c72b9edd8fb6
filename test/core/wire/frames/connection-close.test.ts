import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  type ConnectionCloseFrame,
  MAX_CLOSE_REASON_BYTES,
  WireError,
  decodeFrames,
  encodeConnectionCloseFrame,
  frameSize,
} from '../../../../src/core/wire/index.js';
import { hex } from '../arbitraries.js';

function roundTrip(f: ConnectionCloseFrame): { bytes: Uint8Array; decoded: ConnectionCloseFrame } {
  const w = new ByteWriter(frameSize(f));
  encodeConnectionCloseFrame(w, f);
  assert.equal(w.remaining, 0);
  const bytes = w.finish();
  const [decoded] = decodeFrames(bytes);
  assert.ok(decoded?.type === 'connection_close');
  return { bytes, decoded };
}

describe('CONNECTION_CLOSE frame', () => {
  test('exact bytes', () => {
    const { bytes } = roundTrip({ type: 'connection_close', errorCode: 0x105, reason: 'hé' });
    assert.deepEqual(bytes, hex('1c 4105 03 68c3a9'));
  });

  test('long reasons are cut to the cap on a character boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 300, maxLength: 1500 }), (reason) => {
        const { bytes, decoded } = roundTrip({ type: 'connection_close', errorCode: 1, reason });
        const full = new TextEncoder().encode(reason);
        const expectedLen = Math.min(full.length, MAX_CLOSE_REASON_BYTES);
        const encodedLen = new TextEncoder().encode(decoded.reason).length;
        assert.ok(encodedLen <= expectedLen && encodedLen > expectedLen - 4);
        assert.ok(bytes.length <= 1 + 1 + 2 + MAX_CLOSE_REASON_BYTES);
        assert.ok(reason.startsWith(decoded.reason));
      }),
      { numRuns: 200 },
    );
  });

  test('a reason cut mid-character drops the whole character', () => {
    const reason = 'a'.repeat(MAX_CLOSE_REASON_BYTES - 1) + '€'; // € is 3 bytes and straddles the cap
    const { decoded } = roundTrip({ type: 'connection_close', errorCode: 0, reason });
    assert.equal(decoded.reason, 'a'.repeat(MAX_CLOSE_REASON_BYTES - 1));
  });

  test('invalid UTF-8 and over-long reasons are malformed', () => {
    assert.throws(() => decodeFrames(hex('1c 00 02 c328')), WireError, 'bad continuation');
    assert.throws(() => decodeFrames(hex('1c 00 01 ff')), WireError, 'invalid byte');
    assert.throws(() => decodeFrames(hex('1c 00 03 eda080')), WireError, 'surrogate');
    const tooLong = new Uint8Array(4 + MAX_CLOSE_REASON_BYTES + 1).fill(0x61);
    tooLong.set(hex('1c 00 4401'));
    assert.throws(() => decodeFrames(tooLong), WireError, 'reason over the cap');
    assert.throws(() => decodeFrames(hex('1c 00 05 6162')), WireError, 'truncated reason');
  });

  test('a leading byte-order mark survives', () => {
    const { decoded } = roundTrip({ type: 'connection_close', errorCode: 0, reason: '\ufeffx' });
    assert.equal(decoded.reason, '\ufeffx');
  });
});
