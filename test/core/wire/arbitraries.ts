// fast-check generators for wire values, shared by the wire tests (not a test file itself).
import fc from 'fast-check';
import type { AckRange, Frame } from '../../../src/core/wire/index.js';
import { CID_LEN, MAX_REQUESTED_ACK_DELAY_MICROS, MAX_VARINT } from '../../../src/core/wire/index.js';

/** Varint values biased towards every length class and its edges. */
export const varintValue: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 0x3f }),
  fc.integer({ min: 0x40, max: 0x3fff }),
  fc.integer({ min: 0x4000, max: 0x3fff_ffff }),
  fc.integer({ min: 0x4000_0000, max: MAX_VARINT }),
  fc.constantFrom(0, 0x3f, 0x40, 0x3fff, 0x4000, 0x3fff_ffff, 0x4000_0000, 2 ** 32 - 1, 2 ** 32, MAX_VARINT),
);

export const cid: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: CID_LEN, maxLength: CID_LEN });

/** Builds valid ranges top-down from `largest`, stopping when the next range would drop below 0. */
export const ackRanges: fc.Arbitrary<AckRange[]> = fc
  .tuple(
    fc.oneof(fc.nat(5000), varintValue),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.nat(300)), { minLength: 1, maxLength: 40 }),
  )
  .map(([largest, steps]) => {
    const ranges: AckRange[] = [];
    let end = largest;
    for (const [gap, len] of steps) {
      const start = Math.max(0, end - len);
      ranges.push({ start, end });
      end = start - 1 - gap;
      if (end < 0) break;
    }
    return ranges;
  });

/** Stream offset and data whose end stays within 2^53-1. */
const streamFrame = fc
  .record({
    id: varintValue,
    offset: fc.oneof(fc.constant(0), varintValue),
    fin: fc.boolean(),
    data: fc.uint8Array({ maxLength: 300 }),
  })
  .filter((f) => f.offset + f.data.length <= MAX_VARINT)
  .map((f) => ({ type: 'stream' as const, ...f }));

export const frameArbs = {
  padding: fc.integer({ min: 1, max: 1500 }).map((length) => ({ type: 'padding' as const, length })),
  ping: fc.constant({ type: 'ping' as const }),
  ack: fc.record({ ranges: ackRanges, ackDelayMicros: varintValue }).map((f) => ({ type: 'ack' as const, ...f })),
  reset_stream: fc
    .record({ id: varintValue, errorCode: varintValue, finalSize: varintValue })
    .map((f) => ({ type: 'reset_stream' as const, ...f })),
  stop_sending: fc
    .record({ id: varintValue, errorCode: varintValue })
    .map((f) => ({ type: 'stop_sending' as const, ...f })),
  stream: streamFrame,
  max_data: varintValue.map((max) => ({ type: 'max_data' as const, max })),
  max_stream_data: fc
    .record({ id: varintValue, max: varintValue })
    .map((f) => ({ type: 'max_stream_data' as const, ...f })),
  max_streams: varintValue.map((max) => ({ type: 'max_streams' as const, max })),
  data_blocked: varintValue.map((limit) => ({ type: 'data_blocked' as const, limit })),
  stream_data_blocked: fc
    .record({ id: varintValue, limit: varintValue })
    .map((f) => ({ type: 'stream_data_blocked' as const, ...f })),
  connection_close: fc
    .record({ errorCode: varintValue, reason: fc.string({ unit: 'binary', maxLength: 200 }) })
    .map((f) => ({ type: 'connection_close' as const, ...f })),
  handshake_done: fc.constant({ type: 'handshake_done' as const }),
  ack_frequency: fc
    .record({
      seq: varintValue,
      ackElicitingThreshold: varintValue,
      requestedMaxAckDelayMicros: fc.integer({ min: 0, max: MAX_REQUESTED_ACK_DELAY_MICROS }),
      reorderThreshold: varintValue,
    })
    .map((f) => ({ type: 'ack_frequency' as const, ...f })),
} satisfies { [K in Frame['type']]: fc.Arbitrary<Extract<Frame, { type: K }>> };

export const anyFrame: fc.Arbitrary<Frame> = fc.oneof(...Object.values(frameArbs)) as fc.Arbitrary<Frame>;

/** What decodeFrames returns for an encoded list: adjacent padding runs merge into one frame. */
export function mergePadding(frames: readonly Frame[]): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    const prev = out[out.length - 1];
    if (f.type === 'padding' && prev?.type === 'padding') {
      out[out.length - 1] = { type: 'padding', length: prev.length + f.length };
    } else {
      out.push(f);
    }
  }
  return out;
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
