import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  type Frame,
  type LongPacketType,
  WireError,
  decodeFrames,
  encodeFrame,
  encodeLongHeader,
  encodeShortHeader,
  frameSize,
  parseHeader,
  shortHeaderSize,
} from '../../../src/core/wire/index.js';
import { anyFrame, cid, varintValue } from './arbitraries.js';

/** Runs the full cleartext decode path; returns normally or throws whatever the decoder threw. */
function decodePacket(buf: Uint8Array): void {
  const { header, headerLength } = parseHeader(buf);
  if (header.form === 'short') decodeFrames(buf.subarray(headerLength));
}

/** The property: decoding either succeeds or fails with WireError, never anything else. */
function onlyWireErrors(run: () => void): void {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof WireError, `unexpected ${String(e)}`);
  }
}

const shortPacket = fc
  .tuple(varintValue, fc.array(anyFrame, { minLength: 1, maxLength: 6 }))
  .map(([pn, frames]: [number, Frame[]]) => {
    const w = new ByteWriter(shortHeaderSize(pn) + frames.reduce((n, f) => n + frameSize(f), 0));
    encodeShortHeader(w, pn);
    for (const f of frames) encodeFrame(w, f);
    return w.finish();
  });

const longPacket = fc
  .tuple(fc.constantFrom<LongPacketType>('client_hello', 'server_hello', 'reject'), cid, cid, fc.uint8Array({ maxLength: 40 }))
  .map(([type, dcid, scid, body]) => {
    const w = new ByteWriter(23 + body.length);
    encodeLongHeader(w, type, dcid, scid);
    w.bytes(body);
    return w.finish();
  });

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'cut'; at: number } | { kind: 'set'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
);

function mutate(buf: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = buf.slice();
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at]! ^= 1 << m.bit;
    else if (m.kind === 'set') out[at] = m.value;
    else out = out.slice(0, at);
  }
  return out;
}

describe('decoder robustness', () => {
  test('random bytes only ever raise WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyWireErrors(() => decodePacket(bytes));
        onlyWireErrors(() => decodeFrames(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  test('random bytes behind a valid short header only ever raise WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => {
        const w = new ByteWriter(2 + payload.length);
        encodeShortHeader(w, 0);
        w.bytes(payload);
        onlyWireErrors(() => decodePacket(w.finish()));
      }),
      { numRuns: 5000 },
    );
  });

  test('mutated valid packets only ever raise WireError', () => {
    fc.assert(
      fc.property(fc.oneof(shortPacket, longPacket), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pkt, ms) => {
        onlyWireErrors(() => decodePacket(mutate(pkt, ms)));
      }),
      { numRuns: 5000 },
    );
  });

  test('mutations are actually caught sometimes and pass sometimes', () => {
    // Guards the property above against a decoder that accepts everything or rejects everything.
    let rejected = 0;
    let accepted = 0;
    fc.assert(
      fc.property(shortPacket, fc.array(mutation, { minLength: 1, maxLength: 2 }), (pkt, ms) => {
        try {
          decodePacket(mutate(pkt, ms));
          accepted++;
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          rejected++;
        }
      }),
      { numRuns: 1000, seed: 42 },
    );
    assert.ok(rejected > 50, `rejected ${rejected}`);
    assert.ok(accepted > 50, `accepted ${accepted}`);
  });
});
