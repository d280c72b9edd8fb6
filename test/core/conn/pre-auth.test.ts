// A listening server answers strangers only with less than they sent: a spoofed source address
// must not turn it into an amplifier (issue 22, finding 4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Connection } from '../../../src/core/connection.js';
import { VERSION } from '../../../src/core/wire/header.js';
import { SIM_CODE, randomSource } from '../../sim/harness.js';

const MIN_HELLO = 1200;

function server(seed = 2): Connection {
  return new Connection({ role: 'server', code: SIM_CODE, random: randomSource(seed), now: 0 });
}

/** Everything the server sends now, in bytes. */
function answered(s: Connection, now: number): number {
  let bytes = 0;
  for (let d = s.pollTransmit(now); d; d = s.pollTransmit(now)) bytes += d.length;
  return bytes;
}

/** A client hello of our version under another code: it draws a REJECT when it is whole. */
function wrongCodeHello(seed: number): Uint8Array {
  const c = new Connection({ role: 'client', code: 'ffffffffffffffffffffffffffffffff', random: randomSource(seed), now: 0 });
  return c.pollTransmit(0)!.slice();
}

/** A bare long header: CLIENT_HELLO, our version, two 8-byte ids, no body (23 bytes). */
function bareHeader(): Uint8Array {
  const b = new Uint8Array(23);
  b[0] = 0xc0;
  new DataView(b.buffer).setUint32(1, VERSION);
  b[5] = 8;
  b.fill(0xaa, 6, 14);
  b[14] = 8;
  b.fill(0xbb, 15, 23);
  return b;
}

describe('answers before the peer is authenticated', () => {
  test('a bare 23-byte hello header gets no answer at all', () => {
    const s = server();
    s.handleDatagram(bareHeader(), 1);
    assert.equal(answered(s, 1), 0);
    assert.equal(s.isClosed, false);
  });

  test('a wrong-code hello cut anywhere short of 1200 bytes gets no answer; a whole one a smaller server hello', () => {
    const hello = wrongCodeHello(7);
    assert.ok(hello.length >= MIN_HELLO);
    const s = server();
    for (let n = 0; n < MIN_HELLO; n++) {
      s.handleDatagram(hello.subarray(0, n), n);
      assert.equal(answered(s, n), 0, `${n} bytes drew an answer`);
    }
    s.handleDatagram(hello, MIN_HELLO);
    const reject = answered(s, MIN_HELLO);
    assert.ok(reject > 0 && reject <= hello.length, `REJECT of ${reject} bytes`);
  });

  test('the server hello is no larger than the hello it answers', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0 });
    const hello = c.pollTransmit(0)!;
    const s = server();
    s.handleDatagram(hello, 1);
    const reply = answered(s, 1);
    assert.ok(reply > 0 && reply <= hello.length, `server hello of ${reply} bytes for a ${hello.length}-byte hello`);
  });

  test('any datagram of any length: the answer is never larger than it', () => {
    const s = server();
    let now = 0;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 1400 }),
        fc.boolean(),
        (buf, asHello) => {
          // Half of them look like a hello of our version, so they reach the handshake.
          if (asHello && buf.length >= 23) buf.set(bareHeader());
          now++;
          s.handleDatagram(buf, now);
          return answered(s, now) <= buf.length;
        },
      ),
      { numRuns: 2_000, seed: 22 },
    );
  });
});
