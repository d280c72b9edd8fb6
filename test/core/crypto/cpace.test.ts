import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import {
  calculateGenerator,
  generatorString,
  intermediateSessionKey,
  lvCat,
  prependLen,
  sampleScalar,
  scalarFromBytes,
  scalarMult,
  scalarMultVfy,
  CPACE_DSI,
} from '../../../src/core/crypto/cpace.js';
import { nobleHashes } from '../../../src/core/crypto/hashes.js';
import { utf8 } from '../../../src/core/crypto/bytes.js';

interface Vectors {
  generatorStringHash: string;
  PRS: string; CI: string; sid: string; g: string;
  ya: string; ADa: string; Ya: string;
  yb: string; ADb: string; Yb: string;
  K: string; ISK_IR: string;
  scalarMultValid: { s: string; X: string; result: string };
  scalarMultInvalid: string[];
}
const v = JSON.parse(readFileSync(new URL('./vectors/cpace-ristretto255.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string): Uint8Array => hexToBytes(s);

describe('CPace string utilities (draft appendix vectors)', () => {
  test('prepend_len and lv_cat', () => {
    assert.equal(bytesToHex(prependLen(new Uint8Array(0))), '00');
    assert.equal(bytesToHex(prependLen(utf8('1234'))), '0431323334');
    assert.equal(bytesToHex(prependLen(Uint8Array.from({ length: 128 }, (_, i) => i))).slice(0, 8), '80010001');
    assert.equal(bytesToHex(lvCat(utf8('1234'), utf8('5'), new Uint8Array(0), utf8('678'))), '043132333401350003363738');
  });
});

describe('CPACE-RISTR255-SHA512 (draft test vectors)', () => {
  const g = calculateGenerator(nobleHashes, hex(v.PRS), hex(v.CI), hex(v.sid));

  test('generator string hash and generator', () => {
    const s = generatorString(CPACE_DSI, hex(v.PRS), hex(v.CI), hex(v.sid));
    assert.equal(s.length, 170);
    assert.equal(bytesToHex(nobleHashes.sha512([s])), v.generatorStringHash);
    assert.equal(bytesToHex(g.toBytes()), v.g);
  });

  test('both shares, the shared point and the ISK', () => {
    const ya = scalarFromBytes(hex(v.ya));
    const yb = scalarFromBytes(hex(v.yb));
    assert.equal(bytesToHex(scalarMult(ya, g)), v.Ya);
    assert.equal(bytesToHex(scalarMult(yb, g)), v.Yb);
    const ka = scalarMultVfy(ya, hex(v.Yb));
    const kb = scalarMultVfy(yb, hex(v.Ya));
    assert.equal(bytesToHex(ka!), v.K);
    assert.equal(bytesToHex(kb!), v.K);
    const isk = intermediateSessionKey(nobleHashes, hex(v.sid), ka!, hex(v.Ya), hex(v.ADa), hex(v.Yb), hex(v.ADb));
    assert.equal(bytesToHex(isk), v.ISK_IR.toLowerCase());
  });

  test('scalar_mult_vfy: a valid point, and the identity or a non-canonical encoding abort', () => {
    const { s, X, result } = v.scalarMultValid;
    assert.equal(bytesToHex(scalarMultVfy(scalarFromBytes(hex(s)), hex(X))!), result);
    for (const bad of v.scalarMultInvalid) assert.equal(scalarMultVfy(scalarFromBytes(hex(s)), hex(bad)), null);
    assert.equal(scalarMultVfy(5n, new Uint8Array(31)), null);
  });

  test('sampled scalars stay below 2^252 and are never zero', () => {
    let calls = 0;
    const y = sampleScalar((n) => (calls++ === 0 ? new Uint8Array(n) : new Uint8Array(n).fill(0xff)));
    assert.equal(calls, 2);
    assert.equal(y, 2n ** 252n - 1n);
  });
});
