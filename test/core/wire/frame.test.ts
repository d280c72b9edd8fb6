import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  type Frame,
  WireError,
  decodeFrames,
  encodeFrame,
  encodeStreamFrame,
  frameSize,
  isAckEliciting,
  lastStreamFrameHeaderSize,
  streamFrameHeaderSize,
  streamFrameSize,
} from '../../../src/core/wire/index.js';
import { anyFrame, frameArbs, hex, mergePadding } from './arbitraries.js';

function encodeAll(frames: readonly Frame[]): Uint8Array {
  const total = frames.reduce((n, f) => n + frameSize(f), 0);
  const w = new ByteWriter(total);
  for (const f of frames) encodeFrame(w, f);
  assert.equal(w.remaining, 0, 'frameSize sum must equal bytes written');
  return w.finish();
}

describe('every frame round-trips', () => {
  for (const [name, arb] of Object.entries(frameArbs)) {
    test(name, () => {
      fc.assert(
        fc.property(arb as fc.Arbitrary<Frame>, (f) => {
          const w = new ByteWriter(frameSize(f) + 8);
          encodeFrame(w, f);
          const bytes = w.finish();
          assert.equal(bytes.length, frameSize(f));
          assert.deepEqual(decodeFrames(bytes), [f]);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('decodeFrames', () => {
  test('several frames in one payload decode in order (padding runs merged)', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { minLength: 1, maxLength: 12 }), (frames) => {
        assert.deepEqual(decodeFrames(encodeAll(frames)), mergePadding(frames));
      }),
      { numRuns: 500 },
    );
  });

  test('a trailing STREAM frame without LEN takes the rest of the payload', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 5 }), frameArbs.stream, (head, last) => {
        const headBytes = encodeAll(head);
        const w = new ByteWriter(headBytes.length + streamFrameSize(last, false));
        w.bytes(headBytes);
        encodeStreamFrame(w, last, false);
        assert.equal(w.remaining, 0);
        assert.deepEqual(decodeFrames(w.finish()), [...mergePadding(head), last]);
      }),
      { numRuns: 300 },
    );
  });

  test('consecutive padding bytes become one frame, between other frames', () => {
    const frames = decodeFrames(hex('0000 01 000000 1e'));
    assert.deepEqual(frames, [
      { type: 'padding', length: 2 },
      { type: 'ping' },
      { type: 'padding', length: 3 },
      { type: 'handshake_done' },
    ]);
  });

  test('empty payload and unknown types are malformed', () => {
    assert.throws(() => decodeFrames(new Uint8Array(0)), WireError);
    for (const t of [0x03, 0x06, 0x07, 0x13, 0x16, 0x1a, 0x1d, 0x1f, 0x30, 0x40, 0x80, 0xff]) {
      assert.throws(() => decodeFrames(Uint8Array.of(0x01, t)), WireError, `type 0x${t.toString(16)}`);
    }
    // A non-minimal two-byte encoding of PING is not accepted.
    assert.throws(() => decodeFrames(hex('4001')), WireError);
  });

  test('truncating any multi-byte frame is malformed', () => {
    fc.assert(
      fc.property(anyFrame, fc.nat(), (f, cutSeed) => {
        if (f.type === 'padding' || f.type === 'ping' || f.type === 'handshake_done') return;
        const bytes = encodeAll([f]);
        const cut = 1 + (cutSeed % (bytes.length - 1));
        // Truncated STREAM data with LEN, or any truncated field, must not decode.
        assert.throws(() => decodeFrames(bytes.subarray(0, cut)), WireError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('helpers', () => {
  test('isAckEliciting', () => {
    const expected: Record<Frame['type'], boolean> = {
      padding: false, ack: false, connection_close: false,
      ping: true, reset_stream: true, stop_sending: true, stream: true, max_data: true,
      max_stream_data: true, max_streams: true, data_blocked: true, stream_data_blocked: true,
      handshake_done: true, ack_frequency: true,
    };
    fc.assert(fc.property(anyFrame, (f) => assert.equal(isAckEliciting(f), expected[f.type])));
  });

  test('streamFrameHeaderSize is the frame size minus the data', () => {
    fc.assert(
      fc.property(frameArbs.stream, (f) => {
        assert.equal(streamFrameHeaderSize(f.id, f.offset, f.data.length), frameSize(f) - f.data.length);
      }),
    );
  });

  test('lastStreamFrameHeaderSize is the size without LEN minus the data, and such a frame runs to the end', () => {
    fc.assert(
      fc.property(frameArbs.stream, (f) => {
        assert.equal(lastStreamFrameHeaderSize(f.id, f.offset), streamFrameSize(f, false) - f.data.length);
        const w = new ByteWriter(streamFrameSize(f, false));
        encodeStreamFrame(w, f, false);
        const [got] = decodeFrames(w.finish());
        assert.ok(got?.type === 'stream');
        assert.deepEqual(got.data, f.data);
        assert.equal(got.offset, f.offset);
      }),
    );
  });
});
