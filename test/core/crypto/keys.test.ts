import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { deriveSessionKeys } from '../../../src/core/crypto/keys.js';

const isk = fc.uint8Array({ minLength: 64, maxLength: 64 });

/** The README's schedule, spelled out with node:crypto as an independent reference. */
function reference(ikm: Uint8Array, info: string, n: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, Buffer.from('xfer/4 handshake'), Buffer.from(info), n));
}

describe('deriveSessionKeys', () => {
  test('splits HKDF(salt "xfer/4 handshake", ISK, "xfer/4 keys") as c2s key, s2c key, c2s iv, s2c iv', () => {
    fc.assert(
      fc.property(isk, (k) => {
        const okm = reference(k, 'xfer/4 keys', 88);
        const { keys: client, confirm } = deriveSessionKeys('client', k);
        assert.deepEqual(client.send.key, okm.subarray(0, 32));
        assert.deepEqual(client.recv.key, okm.subarray(32, 64));
        assert.deepEqual(client.send.iv, okm.subarray(64, 76));
        assert.deepEqual(client.recv.iv, okm.subarray(76, 88));
        assert.deepEqual(confirm, reference(k, 'xfer/4 server confirm', 32));
      }),
      { numRuns: 30 },
    );
  });

  test('the server sends with what the client receives with, and the reverse', () => {
    const k = new Uint8Array(64).fill(1);
    const c = deriveSessionKeys('client', k);
    const s = deriveSessionKeys('server', k);
    assert.deepEqual(c.keys.send, s.keys.recv);
    assert.deepEqual(c.keys.recv, s.keys.send);
    assert.deepEqual(c.confirm, s.confirm);
  });
});
