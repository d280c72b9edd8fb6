import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  MAX_REQUESTED_ACK_DELAY_MICROS,
  WireError,
  ackFrequencyFrameSize,
  decodeFrames,
  encodeAckFrequencyFrame,
  isAckEliciting,
  type AckFrequencyFrame,
} from '../../../../src/core/wire/index.js';
import { frameArbs, hex } from '../arbitraries.js';

function encode(f: AckFrequencyFrame): Uint8Array {
  const w = new ByteWriter(ackFrequencyFrameSize(f));
  encodeAckFrequencyFrame(w, f);
  return w.finish();
}

const frame = (seq: number, threshold: number, delayMicros: number, reorder: number): AckFrequencyFrame => ({
  type: 'ack_frequency',
  seq,
  ackElicitingThreshold: threshold,
  requestedMaxAckDelayMicros: delayMicros,
  reorderThreshold: reorder,
});

describe('ACK_FREQUENCY frame', () => {
  test('wire layout: type 0x2f, then sequence, threshold, delay (µs) and reordering threshold as varints', () => {
    const f = frame(1, 15, 10_000, 3);
    // 10000 = 0x2710 fits a 2-byte varint: 0x40 | 0x27, 0x10.
    assert.deepEqual(encode(f), hex('2f 01 0f 6710 03'));
    assert.deepEqual(decodeFrames(hex('2f 01 0f 6710 03')), [f]);
    assert.equal(ackFrequencyFrameSize(f), 6);
  });

  test('every field survives a round trip', () => {
    fc.assert(
      fc.property(frameArbs.ack_frequency, (f) => {
        const bytes = encode(f);
        assert.equal(bytes.length, ackFrequencyFrameSize(f));
        assert.deepEqual(decodeFrames(bytes), [f]);
      }),
    );
  });

  test('a requested max ack delay of 2^14 ms or more is malformed (RFC 9000 §18.2)', () => {
    const limit = MAX_REQUESTED_ACK_DELAY_MICROS;
    assert.doesNotThrow(() => decodeFrames(encode(frame(0, 1, limit, 1))));
    const w = new ByteWriter(16);
    w.u8(0x2f);
    w.varint(0);
    w.varint(1);
    w.varint(limit + 1);
    w.varint(1);
    assert.throws(() => decodeFrames(w.finish()), WireError);
    assert.throws(() => encode(frame(0, 1, limit + 1, 1)), RangeError, 'the encoder refuses it too');
  });

  test('any truncation is malformed, never a throw of another kind', () => {
    const bytes = encode(frame(300, 70_000, 25_000, 5));
    for (let n = 1; n < bytes.length; n++) assert.throws(() => decodeFrames(bytes.subarray(0, n)), WireError, `${n} bytes`);
  });

  test('arbitrary bytes after the type decode or fail with WireError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (tail) => {
        const bytes = new Uint8Array(1 + tail.length);
        bytes[0] = 0x2f;
        bytes.set(tail, 1);
        try {
          for (const f of decodeFrames(bytes)) if (f.type === 'ack_frequency') assert.ok(f.requestedMaxAckDelayMicros <= MAX_REQUESTED_ACK_DELAY_MICROS);
        } catch (err) {
          assert.ok(err instanceof WireError, String(err));
        }
      }),
    );
  });

  test('is ack-eliciting (draft §4): the receiver must answer the packet that carries it', () => {
    assert.equal(isAckEliciting(frame(0, 1, 25_000, 1)), true);
  });
});
