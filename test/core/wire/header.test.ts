import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ByteWriter,
  CID_LEN,
  LONG_HEADER_SIZE,
  type LongPacketType,
  VERSION,
  describeVersion,
  WireError,
  encodeLongHeader,
  encodeShortHeader,
  parseHeader,
  shortHeaderSize,
} from '../../../src/core/wire/index.js';
import { cid, varintValue } from './arbitraries.js';

const longType = fc.constantFrom<LongPacketType>('client_hello', 'server_hello', 'reject');

function longPacket(type: LongPacketType, dcid: Uint8Array, scid: Uint8Array, body: Uint8Array): Uint8Array {
  const w = new ByteWriter(LONG_HEADER_SIZE + body.length);
  encodeLongHeader(w, type, dcid, scid);
  w.bytes(body);
  return w.finish();
}

function shortPacket(pn: number, body: Uint8Array): Uint8Array {
  const w = new ByteWriter(shortHeaderSize(pn) + body.length);
  encodeShortHeader(w, pn);
  w.bytes(body);
  return w.finish();
}

describe('long header', () => {
  test('round-trips and reports where the body starts', () => {
    fc.assert(
      fc.property(longType, cid, cid, fc.uint8Array({ maxLength: 64 }), (type, dcid, scid, body) => {
        const pkt = longPacket(type, dcid, scid, body);
        const { header, headerLength } = parseHeader(pkt);
        assert.equal(headerLength, LONG_HEADER_SIZE);
        assert.deepEqual(header, { form: 'long', packetType: type, version: VERSION, dcid, scid });
        assert.deepEqual(pkt.subarray(headerLength), body);
      }),
    );
  });

  test('layout: first byte, version, length-prefixed ids', () => {
    const dcid = new Uint8Array(CID_LEN).fill(1);
    const scid = new Uint8Array(CID_LEN).fill(2);
    const pkt = longPacket('server_hello', dcid, scid, new Uint8Array(0));
    assert.deepEqual([...pkt.subarray(0, 6)], [0xc1, 0x78, 0x66, 0x00, 0x04, 8]);
    assert.equal(pkt[14], 8);
    assert.equal(longPacket('reject', dcid, scid, new Uint8Array(0))[0], 0xc2);
  });

  test('parsed ids are copies, not views into the datagram', () => {
    const pkt = longPacket('client_hello', new Uint8Array(8).fill(3), new Uint8Array(8).fill(4), new Uint8Array(0));
    const { header } = parseHeader(pkt);
    pkt.fill(0);
    assert.ok(header.form === 'long');
    assert.deepEqual(header.scid, new Uint8Array(8).fill(4));
  });

  test('any version parses, with the same layout: the connection decides what to do with it', () => {
    const good = longPacket('client_hello', new Uint8Array(8).fill(1), new Uint8Array(8).fill(2), new Uint8Array(4));
    const other = good.slice();
    other[4] = 0x01;
    const { header } = parseHeader(other);
    assert.ok(header.form === 'long');
    assert.equal(header.version, 0x78660001);
    assert.deepEqual(header.scid, new Uint8Array(8).fill(2));
    assert.equal(describeVersion(VERSION), '4');
    assert.equal(describeVersion(0x78660001), '1');
    assert.equal(describeVersion(0xdeadbeef), '0xdeadbeef');
  });

  test('rejects a wrong cid length, unknown type, reserved bits, truncation', () => {
    const good = longPacket('client_hello', new Uint8Array(8), new Uint8Array(8), new Uint8Array(4));
    const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      f(b);
      return b;
    };
    assert.throws(() => parseHeader(mutate((b) => { b[5] = 7; })), WireError, 'dcid length');
    assert.throws(() => parseHeader(mutate((b) => { b[14] = 20; })), WireError, 'scid length');
    assert.throws(() => parseHeader(mutate((b) => { b[0] = 0xc4; })), WireError, 'type 4');
    assert.throws(() => parseHeader(mutate((b) => { b[0] = 0xcf; })), WireError, 'type 15');
    assert.throws(() => parseHeader(mutate((b) => { b[0] = 0xd0; })), WireError, 'reserved bits');
    assert.throws(() => parseHeader(mutate((b) => { b[0] = 0x80; })), WireError, 'fixed bit');
    for (let n = 0; n < LONG_HEADER_SIZE; n++) {
      assert.throws(() => parseHeader(good.subarray(0, n)), WireError, `truncated to ${n}`);
    }
    assert.doesNotThrow(() => parseHeader(good.subarray(0, LONG_HEADER_SIZE)));
  });

  test('encoder refuses ids of the wrong length', () => {
    const w = new ByteWriter(64);
    assert.throws(() => encodeLongHeader(w, 'client_hello', new Uint8Array(7), new Uint8Array(8)), RangeError);
    assert.throws(() => encodeLongHeader(w, 'client_hello', new Uint8Array(8), new Uint8Array(9)), RangeError);
    assert.equal(w.length, 0);
  });
});

describe('short header', () => {
  test('round-trips with the exact size', () => {
    fc.assert(
      fc.property(varintValue, fc.uint8Array({ maxLength: 64 }), (pn, body) => {
        const pkt = shortPacket(pn, body);
        const { header, headerLength } = parseHeader(pkt);
        assert.equal(headerLength, shortHeaderSize(pn));
        assert.deepEqual(header, { form: 'short', packetNumber: pn });
        assert.deepEqual(pkt.subarray(headerLength), body);
      }),
    );
  });

  test('layout: 0x40, varint packet number (no connection id)', () => {
    const pkt = shortPacket(300, new Uint8Array(0));
    assert.deepEqual([...pkt], [0x40, 0x41, 0x2c]);
    assert.equal(shortHeaderSize(0), 2);
    assert.equal(shortHeaderSize(100_000), 5);
    assert.equal(shortHeaderSize(2 ** 40), 9);
  });

  test('rejects fixed bit unset, reserved bits, truncation', () => {
    const good = shortPacket(70000, new Uint8Array(0));
    for (const first of [0x00, 0x3f, 0x41, 0x48, 0x60, 0x7f]) {
      const b = good.slice();
      b[0] = first;
      assert.throws(() => parseHeader(b), WireError, `first byte 0x${first.toString(16)}`);
    }
    for (let n = 0; n < good.length; n++) {
      assert.throws(() => parseHeader(good.subarray(0, n)), WireError, `truncated to ${n}`);
    }
  });

  test('encoder validates before writing', () => {
    const w = new ByteWriter(64);
    assert.throws(() => encodeShortHeader(w, -1), RangeError);
    assert.throws(() => encodeShortHeader(w, 2 ** 53), RangeError);
    assert.equal(w.length, 0);
  });
});
