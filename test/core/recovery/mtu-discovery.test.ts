import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DATAGRAM, BLACK_HOLE_LOSSES, MAX_PROBES, MtuDiscovery, RAISE_AFTER_MS } from '../../../src/core/recovery/mtu-discovery.js';

const sized = (sizes: number[]): { size: number }[] => sizes.map((size) => ({ size }));

/** Runs the search against a path that carries `pathMtu`; returns the sizes probed. */
function search(d: MtuDiscovery, pathMtu: number, now = 0): number[] {
  const probed: number[] = [];
  for (let s = d.probeSize(now); s !== null; s = d.probeSize(now)) {
    probed.push(s);
    d.onProbeSent(s);
    if (s <= pathMtu) d.onProbeAcked(s);
    else d.onProbeLost(s);
    assert.ok(probed.length < 100, 'the search ends');
  }
  return probed;
}

test('starts at the base size and tries the cap first: one probe where the path carries it', () => {
  const d = new MtuDiscovery(65_507);
  assert.equal(d.current, BASE_DATAGRAM);
  assert.deepEqual(search(d, 65_507), [65_507]);
  assert.equal(d.current, 65_507);
});

test('a cap at or below the base means no probing at all', () => {
  const d = new MtuDiscovery(1100);
  assert.equal(d.current, BASE_DATAGRAM);
  assert.equal(d.probeSize(0), null);
});

test('a size counts as too large only after MAX_PROBES lost probes, then the gap is halved', () => {
  const d = new MtuDiscovery(1452);
  for (let i = 0; i < MAX_PROBES; i++) {
    assert.equal(d.probeSize(0), 1452, `try ${i + 1} is the cap again`);
    d.onProbeSent(1452);
    assert.equal(d.probeSize(0), null, 'one probe at a time');
    d.onProbeLost(1452);
  }
  assert.equal(d.probeSize(0), Math.floor((1200 + 1452) / 2));
});

test('binary search settles within 20 bytes below a path MTU of 1300, never above it', () => {
  const d = new MtuDiscovery(1452);
  const probed = search(d, 1300);
  assert.ok(d.current <= 1300 && d.current > 1280, `settled at ${d.current} after ${probed.join(', ')}`);
});

test('one random loss of a probe that fits does not lower the result', () => {
  const d = new MtuDiscovery(1452);
  d.onProbeSent(1452);
  d.onProbeLost(1452);
  assert.deepEqual(search(d, 1452), [1452]);
  assert.equal(d.current, 1452);
});

test('a search that ended below the cap tries the cap again after the raise timer', () => {
  const d = new MtuDiscovery(1452);
  search(d, 1300, 0);
  assert.equal(d.probeSize(RAISE_AFTER_MS - 1), null);
  assert.equal(d.probeSize(RAISE_AFTER_MS), 1452);
});

test('black hole: full-size losses and then a small packet acknowledged send the size back to the base', () => {
  const d = new MtuDiscovery(1452);
  search(d, 1452);
  assert.equal(d.current, 1452);
  const lost = sized(new Array<number>(BLACK_HOLE_LOSSES).fill(1452));
  assert.equal(d.onPackets([], lost.slice(1), 100), false, 'losses alone convict nothing');
  assert.equal(d.onPackets(sized([BASE_DATAGRAM]), sized([1452]), 200), true);
  assert.equal(d.current, BASE_DATAGRAM);
  assert.equal(d.stats().blackHoles, 1);
  // The search starts over below the size that vanished.
  const probed = search(d, 1300, 300);
  assert.ok(probed[0]! < 1452, `first probe after the black hole ${probed[0]}`);
  assert.ok(d.current <= 1300 && d.current > 1280);
});

test('a full-size packet acknowledged clears the suspicion: random loss is no black hole', () => {
  const d = new MtuDiscovery(1452);
  search(d, 1452);
  for (let i = 0; i < 10; i++) {
    assert.equal(d.onPackets([], sized(new Array<number>(BLACK_HOLE_LOSSES - 1).fill(1452)), i), false);
    assert.equal(d.onPackets(sized([1452, BASE_DATAGRAM]), [], i), false);
  }
  assert.equal(d.current, 1452);
});

test('lowering the cap below the size in use takes effect at once; raising it re-opens the search', () => {
  const d = new MtuDiscovery(65_507);
  search(d, 65_507);
  d.setMax(1372);
  assert.equal(d.current, 1372);
  assert.equal(d.probeSize(0), null);
  d.setMax(8972);
  assert.deepEqual(search(d, 8972), [8972]);
  assert.equal(d.current, 8972);
});

test('lost path MTU probes are no evidence of a black hole', () => {
  const d = new MtuDiscovery(1452);
  search(d, 1452);
  const lostProbes = Array.from({ length: BLACK_HOLE_LOSSES }, () => ({ size: 1452, probe: true }));
  assert.equal(d.onPackets([{ size: BASE_DATAGRAM, probe: false }], lostProbes, 0, (p) => p.probe), false);
  assert.equal(d.current, 1452);
});
