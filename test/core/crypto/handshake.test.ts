import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { x25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import {
  HELLO_FIELDS_LEN,
  MIN_CLIENT_HELLO,
  REJECT_AUTH,
  REJECT_BUSY,
  buildClientHelloBody,
  buildRejectBody,
  buildServerHelloBody,
  generateKeyPair,
  openClientHello,
  openServerHello,
  parseRejectBody,
  sharedSecret,
  type KeyPair,
} from '../../../src/core/crypto/handshake.js';
import { deriveCodeSecrets, type CodeSecrets } from '../../../src/core/crypto/code.js';
import { deriveSessionKeys } from '../../../src/core/crypto/keys.js';
import { openPayload, sealPayload } from '../../../src/core/crypto/aead.js';

const x25519Vector = JSON.parse(readFileSync(new URL('./vectors/rfc7748-x25519.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

const CODE = 'abcde-fghij-klmn-opqr-stuv-wxyz';
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });

/** A long header as in wire/README.md: type byte, version, dcid len, dcid, scid len, scid. */
function longHeader(type: number, dcid: Uint8Array, scid: Uint8Array): Uint8Array {
  const h = new Uint8Array(23);
  h[0] = 0xc0 | type;
  h.set([0x78, 0x66, 0x00, 0x01], 1);
  h[5] = 8;
  h.set(dcid, 6);
  h[14] = 8;
  h.set(scid, 15);
  return h;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function keyPairFrom(seed: Uint8Array): KeyPair {
  return generateKeyPair(() => seed.slice());
}

interface Run {
  clientHello: Uint8Array;
  serverHello: Uint8Array;
  clientKp: KeyPair;
  serverKp: KeyPair;
  chHeaderLen: number;
  shHeaderLen: number;
}

function runHellos(client: CodeSecrets, server: CodeSecrets, seeds: Uint8Array[]): Run {
  const [cSeed, sSeed, cRand, sRand, cid1, cid2, cid3] = seeds as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const clientKp = keyPairFrom(cSeed);
  const serverKp = keyPairFrom(sSeed);
  const chHeader = longHeader(0, cid1, cid2);
  const clientHello = concat(chHeader, buildClientHelloBody(client, clientKp, cRand, chHeader));
  const shHeader = longHeader(1, cid2, cid3);
  const serverHello = concat(shHeader, buildServerHelloBody(server, serverKp, sRand, clientHello, shHeader));
  return { clientHello, serverHello, clientKp, serverKp, chHeaderLen: chHeader.length, shHeaderLen: shHeader.length };
}

const handshakeSeeds = fc.tuple(bytes(32), bytes(32), bytes(16), bytes(16), bytes(8), bytes(8), bytes(8));

describe('X25519', () => {
  test(`${x25519Vector.source}`, () => {
    const alice = keyPairFrom(hexToBytes(x25519Vector.alicePrivate!));
    const bob = keyPairFrom(hexToBytes(x25519Vector.bobPrivate!));
    assert.equal(bytesToHex(alice.publicKey), x25519Vector.alicePublic);
    assert.equal(bytesToHex(bob.publicKey), x25519Vector.bobPublic);
    assert.equal(bytesToHex(sharedSecret(alice.privateKey, bob.publicKey)!), x25519Vector.sharedSecret);
    assert.equal(bytesToHex(sharedSecret(bob.privateKey, alice.publicKey)!), x25519Vector.sharedSecret);
  });

  test("generateKeyPair's ladder gives noble's getPublicKey key", () => {
    fc.assert(
      fc.property(bytes(32), (k) => assert.deepEqual(keyPairFrom(k).publicKey, x25519.getPublicKey(k))),
      { numRuns: 20 },
    );
  });

  test('both sides agree on the shared secret', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), (a, b) => {
        const ka = keyPairFrom(a);
        const kb = keyPairFrom(b);
        assert.deepEqual(sharedSecret(ka.privateKey, kb.publicKey), sharedSecret(kb.privateKey, ka.publicKey));
      }),
      { numRuns: 20 },
    );
  });

  test('low-order and malformed peer keys give null, never a throw', () => {
    const kp = keyPairFrom(new Uint8Array(32).fill(0x42));
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    // A point of order 8 (RFC 7748 §7 mentions these): u = 325606250916557431795983626356110631294008115727848805560023387167927233504.
    const order8 = hexToBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
    const pMinus1 = hexToBytes('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    for (const bad of [zero, one, order8, pMinus1, new Uint8Array(31), new Uint8Array(33)]) {
      assert.equal(sharedSecret(kp.privateKey, bad), null, bytesToHex(bad));
    }
    assert.equal(sharedSecret(new Uint8Array(5), kp.publicKey), null);
  });

  test('generateKeyPair refuses a short random source and copies what it gets', () => {
    assert.throws(() => generateKeyPair(() => new Uint8Array(16)), RangeError);
    const buf = new Uint8Array(32).fill(3);
    const kp = generateKeyPair(() => buf);
    buf.fill(0);
    assert.deepEqual(kp.privateKey, new Uint8Array(32).fill(3));
  });
});

describe('hellos', () => {
  const client = deriveCodeSecrets(CODE);

  test('a full handshake gives matching session keys', () => {
    fc.assert(
      fc.property(handshakeSeeds, (seeds) => {
        const r = runHellos(client, client, seeds);
        const ch = openClientHello(client, r.clientHello, r.chHeaderLen);
        assert.ok(ch);
        assert.deepEqual(ch.clientPublic, r.clientKp.publicKey);
        assert.deepEqual(ch.clientRandom, seeds[2]);
        const sh = openServerHello(client, r.clientHello, r.serverHello, r.shHeaderLen);
        assert.ok(sh);
        assert.deepEqual(sh.serverPublic, r.serverKp.publicKey);

        const serverSs = sharedSecret(r.serverKp.privateKey, ch.clientPublic)!;
        const clientSs = sharedSecret(r.clientKp.privateKey, sh.serverPublic)!;
        const serverKeys = deriveSessionKeys('server', client.psk, serverSs, r.clientHello, r.serverHello);
        const clientKeys = deriveSessionKeys('client', client.psk, clientSs, r.clientHello, r.serverHello);
        assert.deepEqual(clientKeys.send, serverKeys.recv);
        assert.deepEqual(clientKeys.recv, serverKeys.send);
        const aad = new Uint8Array([0x40, 1, 2]);
        const msg = new Uint8Array([104, 105]);
        assert.deepEqual(openPayload(clientKeys.recv, 0, aad, sealPayload(serverKeys.send, 0, aad, msg)), msg);
      }),
      { numRuns: 15 },
    );
  });

  test('the MACs are HMAC-SHA256(authKey, transcript) as the README says', () => {
    fc.assert(
      fc.property(handshakeSeeds, (seeds) => {
        const r = runHellos(client, client, seeds);
        const h = r.chHeaderLen;
        const chMac = createHmac('sha256', client.authKey).update(r.clientHello.subarray(0, h + 48)).digest();
        assert.deepEqual(r.clientHello.subarray(h + 48, h + 80), new Uint8Array(chMac));
        const s = r.shHeaderLen;
        const shMac = createHmac('sha256', client.authKey).update(r.clientHello).update(r.serverHello.subarray(0, s + 48)).digest();
        assert.deepEqual(r.serverHello.subarray(s + 48), new Uint8Array(shMac));
      }),
      { numRuns: 10 },
    );
  });

  test('client hello datagrams are at least 1200 bytes, padded with zeros; server hellos are not padded', () => {
    fc.assert(
      fc.property(fc.nat(1400), bytes(16), (headerLen, rand) => {
        const kp = keyPairFrom(new Uint8Array(32).fill(1));
        const header = new Uint8Array(headerLen).fill(0xc0);
        const body = buildClientHelloBody(client, kp, rand, header);
        assert.ok(header.length + body.length >= MIN_CLIENT_HELLO);
        assert.ok(body.length >= HELLO_FIELDS_LEN);
        if (headerLen + HELLO_FIELDS_LEN < MIN_CLIENT_HELLO) assert.equal(header.length + body.length, MIN_CLIENT_HELLO);
        assert.ok(body.subarray(HELLO_FIELDS_LEN).every((b) => b === 0));
        const sh = buildServerHelloBody(client, kp, rand, new Uint8Array(1200), header);
        assert.equal(sh.length, HELLO_FIELDS_LEN);
      }),
      { numRuns: 50 },
    );
  });

  test('a client with another code is refused by the server, and vice versa', () => {
    const other = deriveCodeSecrets('zyxw-vuts-rqpo-nmlk-jihg-fedcb');
    fc.assert(
      fc.property(handshakeSeeds, (seeds) => {
        const wrongClient = runHellos(other, client, seeds);
        assert.equal(openClientHello(client, wrongClient.clientHello, wrongClient.chHeaderLen), null);
        const wrongServer = runHellos(client, other, seeds);
        assert.equal(openServerHello(client, wrongServer.clientHello, wrongServer.serverHello, wrongServer.shHeaderLen), null);
      }),
      { numRuns: 10 },
    );
  });

  test('the same code typed differently still authenticates', () => {
    const r = runHellos(deriveCodeSecrets(' ABCDE FGHIJ klmn-opqr-stuv-wxyz'), client, [
      new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(16), new Uint8Array(16), new Uint8Array(8), new Uint8Array(8), new Uint8Array(8),
    ]);
    assert.ok(openClientHello(client, r.clientHello, r.chHeaderLen));
  });

  test('any flipped bit in the authenticated part of a client hello is detected', () => {
    fc.assert(
      fc.property(handshakeSeeds, fc.nat(), fc.integer({ min: 0, max: 7 }), (seeds, at, bit) => {
        const r = runHellos(client, client, seeds);
        r.clientHello[at % (r.chHeaderLen + HELLO_FIELDS_LEN)]! ^= 1 << bit;
        assert.equal(openClientHello(client, r.clientHello, r.chHeaderLen), null);
      }),
      { numRuns: 50 },
    );
  });

  test('client hello padding content is not checked', () => {
    const r = runHellos(client, client, [
      new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(16), new Uint8Array(16), new Uint8Array(8), new Uint8Array(8), new Uint8Array(8),
    ]);
    r.clientHello[r.clientHello.length - 1] = 0xff;
    assert.ok(openClientHello(client, r.clientHello, r.chHeaderLen));
  });

  test('any flipped bit in a server hello, or in the client hello it answers, is detected', () => {
    fc.assert(
      fc.property(handshakeSeeds, fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), (seeds, inCh, at, bit) => {
        const r = runHellos(client, client, seeds);
        const target = inCh ? r.clientHello : r.serverHello;
        target[at % target.length]! ^= 1 << bit;
        assert.equal(openServerHello(client, r.clientHello, r.serverHello, r.shHeaderLen), null);
      }),
      { numRuns: 80 },
    );
  });

  test('short, long or misframed hellos are refused', () => {
    const r = runHellos(client, client, [
      new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(16), new Uint8Array(16), new Uint8Array(8), new Uint8Array(8), new Uint8Array(8),
    ]);
    // A client hello cut below 1200 bytes is refused even though its MAC part is intact.
    assert.equal(openClientHello(client, r.clientHello.subarray(0, MIN_CLIENT_HELLO - 1), r.chHeaderLen), null);
    assert.ok(openClientHello(client, r.clientHello.subarray(0, MIN_CLIENT_HELLO), r.chHeaderLen));
    assert.equal(openClientHello(client, r.clientHello, r.chHeaderLen + 1), null);
    assert.equal(openClientHello(client, r.clientHello, -1), null);
    assert.equal(openClientHello(client, r.clientHello, 1.5), null);
    assert.equal(openClientHello(client, r.clientHello, r.clientHello.length), null);
    assert.equal(openServerHello(client, r.clientHello, r.serverHello.subarray(0, r.serverHello.length - 1), r.shHeaderLen), null);
    assert.equal(openServerHello(client, r.clientHello, concat(r.serverHello, new Uint8Array(1)), r.shHeaderLen), null);
    assert.equal(openServerHello(client, r.clientHello, r.serverHello, r.shHeaderLen - 1), null);
    assert.ok(openServerHello(client, r.clientHello, r.serverHello, r.shHeaderLen));
  });

  test('opening arbitrary bytes never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), fc.integer({ min: -5, max: 1500 }), (dg, h) => {
        assert.equal(openClientHello(client, dg, h), null);
        assert.equal(openServerHello(client, dg, dg, h), null);
      }),
      { numRuns: 200 },
    );
  });

  test('builders refuse wrong-sized inputs', () => {
    const kp = keyPairFrom(new Uint8Array(32).fill(1));
    assert.throws(() => buildClientHelloBody(client, kp, new Uint8Array(15), new Uint8Array(23)), RangeError);
    assert.throws(() => buildServerHelloBody(client, { ...kp, publicKey: new Uint8Array(31) }, new Uint8Array(16), new Uint8Array(0), new Uint8Array(23)), RangeError);
  });
});

describe('reject', () => {
  test('round trips every reason byte', () => {
    for (let r = 0; r < 256; r++) assert.equal(parseRejectBody(buildRejectBody(r)), r);
    assert.deepEqual(buildRejectBody(REJECT_AUTH), new Uint8Array([1]));
    assert.deepEqual(buildRejectBody(REJECT_BUSY), new Uint8Array([2]));
  });

  test('malformed bodies and reasons', () => {
    assert.equal(parseRejectBody(new Uint8Array(0)), null);
    assert.equal(parseRejectBody(new Uint8Array([1, 0])), null);
    for (const bad of [-1, 256, 1.5, Number.NaN]) assert.throws(() => buildRejectBody(bad), RangeError);
  });
});
