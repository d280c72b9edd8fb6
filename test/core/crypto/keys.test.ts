import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { deriveSessionKeys } from '../../../src/core/crypto/keys.js';
import { openPayload, sealPayload } from '../../../src/core/crypto/aead.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const datagram = fc.uint8Array({ minLength: 1, maxLength: 1300 });

/** The README's schedule, spelled out with node:crypto as an independent reference. */
function referenceOkm(psk: Uint8Array, ss: Uint8Array, ch: Uint8Array, sh: Uint8Array): Buffer {
  const th = createHash('sha256').update(ch).update(sh).digest();
  const info = Buffer.concat([Buffer.from('xfer/1 keys'), th]);
  return Buffer.from(hkdfSync('sha256', ss, psk, info, 88));
}

describe('deriveSessionKeys', () => {
  test('splits HKDF(psk, ss, "xfer/1 keys" || SHA-256(CH || SH)) as c2s key, s2c key, c2s iv, s2c iv', () => {
    fc.assert(
      fc.property(bytes32, bytes32, datagram, datagram, (psk, ss, ch, sh) => {
        const okm = referenceOkm(psk, ss, ch, sh);
        const client = deriveSessionKeys('client', psk, ss, ch, sh);
        assert.deepEqual(client.send.key, new Uint8Array(okm.subarray(0, 32)));
        assert.deepEqual(client.recv.key, new Uint8Array(okm.subarray(32, 64)));
        assert.deepEqual(client.send.iv, new Uint8Array(okm.subarray(64, 76)));
        assert.deepEqual(client.recv.iv, new Uint8Array(okm.subarray(76, 88)));
      }),
      { numRuns: 50 },
    );
  });

  test('client.send == server.recv and client.recv == server.send', () => {
    fc.assert(
      fc.property(bytes32, bytes32, datagram, datagram, (psk, ss, ch, sh) => {
        const c = deriveSessionKeys('client', psk, ss, ch, sh);
        const s = deriveSessionKeys('server', psk, ss, ch, sh);
        assert.deepEqual(c.send, s.recv);
        assert.deepEqual(c.recv, s.send);
        assert.notDeepEqual(c.send.key, c.recv.key);
        assert.notDeepEqual(c.send.iv, c.recv.iv);
        const aad = new Uint8Array([0x40]);
        const msg = new Uint8Array([1, 2, 3]);
        assert.deepEqual(openPayload(s.recv, 0, aad, sealPayload(c.send, 0, aad, msg)), msg);
      }),
      { numRuns: 30 },
    );
  });

  test('every input changes the keys (psk, shared secret, either hello)', () => {
    fc.assert(
      fc.property(bytes32, bytes32, datagram, datagram, fc.nat(3), fc.nat(), (psk, ss, ch, sh, which, at) => {
        const inputs = [psk, ss, ch, sh].map((x) => x.slice());
        const target = inputs[which]!;
        target[at % target.length]! ^= 0x01;
        const base = deriveSessionKeys('client', psk, ss, ch, sh);
        const changed = deriveSessionKeys('client', inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!);
        assert.notDeepEqual(changed.send.key, base.send.key);
        assert.notDeepEqual(changed.recv.key, base.recv.key);
      }),
      { numRuns: 50 },
    );
  });

  test('the CH/SH boundary matters only through the hash of their concatenation', () => {
    // Moving a byte from the end of CH to the start of SH leaves CH || SH unchanged: this pins
    // that the transcript is the plain concatenation (as the README says), nothing more.
    const ch = new Uint8Array([1, 2, 3]);
    const sh = new Uint8Array([4, 5]);
    const psk = new Uint8Array(32).fill(9);
    const ss = new Uint8Array(32).fill(7);
    const a = deriveSessionKeys('client', psk, ss, ch, sh);
    const b = deriveSessionKeys('client', psk, ss, ch.subarray(0, 2), new Uint8Array([3, 4, 5]));
    assert.deepEqual(a, b);
  });
});
