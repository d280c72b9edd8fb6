import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  COMMIT_LEN,
  CONFIRM_LEN,
  CpaceParty,
  MIN_CLIENT_HELLO,
  REJECT_BUSY,
  SHARE_LEN,
  abortCommitment,
  abortMatches,
  buildClientHelloBody,
  buildRejectBody,
  buildServerHelloBody,
  codeBytes,
  parseClientHello,
  parseRejectBody,
  parseServerHello,
} from '../../../src/core/crypto/handshake.js';
import { deriveSessionKeys } from '../../../src/core/crypto/keys.js';
import { nobleHashes as h } from '../../../src/core/crypto/hashes.js';
import { openPayload, sealPayload } from '../../../src/core/crypto/aead.js';

const CODE = '7-amber-falcon-river';
const HEADER = 23;
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
/** A random source that hands out `seed`, then counts on from it. */
const source = (seed: Uint8Array) => (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => seed[i % seed.length]! ^ i);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One exchange of shares; the ISKs both sides compute over the same two hellos. */
function exchange(clientCode: string, serverCode: string, cSeed: Uint8Array, sSeed: Uint8Array) {
  const client = new CpaceParty(h, clientCode, source(cSeed));
  const server = new CpaceParty(h, serverCode, source(sSeed));
  const ch = concat(new Uint8Array(HEADER), buildClientHelloBody(client.share, new Uint8Array(COMMIT_LEN), HEADER));
  const serverAd = concat(new Uint8Array(HEADER).fill(1), server.share);
  const serverIsk = server.isk(client.share, client.share, ch, server.share, serverAd)!;
  const clientIsk = client.isk(server.share, client.share, ch, server.share, serverAd)!;
  return { client, server, ch, serverIsk, clientIsk };
}

describe('CPace hellos', () => {
  test('the same code gives both sides the same ISK, keys and confirmation; another code does not', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), (cSeed, sSeed) => {
        const same = exchange(CODE, '7 AMBER falcon-river', cSeed, sSeed);
        assert.deepEqual(same.clientIsk, same.serverIsk);
        const c = deriveSessionKeys('client', same.clientIsk);
        const s = deriveSessionKeys('server', same.serverIsk);
        assert.deepEqual(c.confirm, s.confirm);
        const sealed = sealPayload(c.keys.send, 0, new Uint8Array(1), new Uint8Array([1, 2, 3]));
        assert.deepEqual(openPayload(s.keys.recv, 0, new Uint8Array(1), sealed), new Uint8Array([1, 2, 3]));
        const other = exchange(CODE, '8-amber-falcon-river', cSeed, sSeed);
        assert.notDeepEqual(other.clientIsk, other.serverIsk);
      }),
      { numRuns: 4 },
    );
  });

  test('a recorded exchange checks no guess: the right code without a secret scalar matches no better than a wrong one', () => {
    const r = exchange(CODE, CODE, new Uint8Array([6]), new Uint8Array([7]));
    const serverAd = concat(new Uint8Array(HEADER).fill(1), r.server.share);
    const recorded = deriveSessionKeys('server', r.serverIsk).confirm;
    // An eavesdropper knows both hellos and tries guesses with scalars of its own.
    for (const guess of [CODE, '8-wrong-guess-here']) {
      const attacker = new CpaceParty(h, guess, source(new Uint8Array([8])));
      const isk = attacker.isk(r.server.share, r.client.share, r.ch, r.server.share, serverAd)!;
      assert.notDeepEqual(deriveSessionKeys('client', isk).confirm, recorded, guess);
    }
    // Only the holder of the client's scalar gets the recorded confirmation.
    assert.deepEqual(deriveSessionKeys('client', r.clientIsk).confirm, recorded);
  });

  test('a share is a fresh group element: two hellos under one code share nothing', () => {
    const a = new CpaceParty(h, CODE, source(new Uint8Array([1])));
    const b = new CpaceParty(h, CODE, source(new Uint8Array([2])));
    assert.equal(a.share.length, SHARE_LEN);
    assert.notDeepEqual(a.share, b.share);
    // ya·g(code) for a guessed code, with the same scalar: all that differs is the share.
    const guess = new CpaceParty(h, 'another-code', source(new Uint8Array([1])));
    assert.notDeepEqual(a.share, guess.share);
  });

  test('the ISK covers every byte of the client hello and of the server hello before its confirmation', () => {
    const r = exchange(CODE, CODE, new Uint8Array([3]), new Uint8Array([4]));
    const serverAd = concat(new Uint8Array(HEADER).fill(1), r.server.share);
    for (const at of [0, HEADER, HEADER + SHARE_LEN, MIN_CLIENT_HELLO - 1]) {
      const ch = r.ch.slice();
      ch[at]! ^= 1;
      assert.notDeepEqual(r.server.isk(r.client.share, r.client.share, ch, r.server.share, serverAd), r.serverIsk, `byte ${at}`);
    }
    const ad = serverAd.slice();
    ad[5]! ^= 1;
    assert.notDeepEqual(r.server.isk(r.client.share, r.client.share, r.ch, r.server.share, ad), r.serverIsk);
  });

  test('an identity or non-canonical share yields no ISK', () => {
    const p = new CpaceParty(h, CODE, source(new Uint8Array([5])));
    assert.equal(p.isk(new Uint8Array(32), p.share, new Uint8Array(0), p.share, new Uint8Array(0)), null);
    assert.equal(p.isk(new Uint8Array(32).fill(0xff), p.share, new Uint8Array(0), p.share, new Uint8Array(0)), null);
  });

  test('the code is normalised before it becomes the password string', () => {
    assert.deepEqual(codeBytes(' 7 Amber-FALCON  river '), codeBytes('7-amber-falcon-river'));
  });
});

describe('hello bodies', () => {
  const share = new Uint8Array(SHARE_LEN).fill(7);
  const commit = new Uint8Array(COMMIT_LEN).fill(8);

  test('a client hello is share | commitment | zeros to 1200 bytes and parses back', () => {
    const dg = concat(new Uint8Array(HEADER), buildClientHelloBody(share, commit, HEADER));
    assert.equal(dg.length, MIN_CLIENT_HELLO);
    assert.deepEqual(parseClientHello(dg, HEADER), { share, commitment: commit });
  });

  test('a client hello with any non-zero padding byte, or shorter than 1200 bytes, is refused', () => {
    const dg = concat(new Uint8Array(HEADER), buildClientHelloBody(share, commit, HEADER));
    for (const at of [HEADER + SHARE_LEN + COMMIT_LEN, 600, MIN_CLIENT_HELLO - 1]) {
      const bad = dg.slice();
      bad[at] = 1;
      assert.equal(parseClientHello(bad, HEADER), null, `padding byte ${at}`);
    }
    assert.equal(parseClientHello(dg.subarray(0, MIN_CLIENT_HELLO - 1), HEADER), null);
  });

  test('a server hello is exactly share | confirmation', () => {
    const confirm = new Uint8Array(CONFIRM_LEN).fill(9);
    const dg = concat(new Uint8Array(HEADER).fill(1), buildServerHelloBody(share, confirm));
    const sh = parseServerHello(dg, HEADER)!;
    assert.deepEqual(sh.share, share);
    assert.deepEqual(sh.confirm, confirm);
    assert.deepEqual(sh.ad, dg.subarray(0, HEADER + SHARE_LEN));
    assert.equal(parseServerHello(concat(dg, new Uint8Array(1)), HEADER), null);
    assert.equal(parseServerHello(dg.subarray(1), HEADER), null);
  });

  test('an abort opens only its own hello’s commitment', () => {
    const token = new Uint8Array(16).fill(3);
    const c = abortCommitment(h, token);
    assert.ok(abortMatches(h, token, c));
    assert.ok(!abortMatches(h, new Uint8Array(16).fill(4), c));
    assert.ok(!abortMatches(h, token.subarray(1), c));
  });

  test('REJECT is one reason byte', () => {
    assert.equal(parseRejectBody(buildRejectBody(REJECT_BUSY)), REJECT_BUSY);
    assert.equal(parseRejectBody(new Uint8Array(2)), null);
  });
});
