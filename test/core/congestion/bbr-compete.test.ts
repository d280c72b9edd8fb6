import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPETE_ALPHA, COMPETE_BETA, COMPETE_ENTER_QUEUE, COMPETE_ENTER_ROUNDS, COMPETE_SEARCH_GROWTH, Compete, type CompeteRound,
} from '../../../src/core/congestion/bbr-compete.js';
import { RoundStats } from '../../../src/core/congestion/bbr-loss.js';

const MDS = 1000;
const BASE = 50;
/** A round's smallest RTT with the queue this many base RTTs deep. */
const DEEP = BASE * (1 + COMPETE_ENTER_QUEUE) + 10;

function round(minRtt: number, maxInflight = 100 * MDS, windowLimited = true): RoundStats {
  const rs = new RoundStats();
  rs.minRtt = minRtt;
  rs.maxRtt = minRtt;
  rs.windowLimited = windowLimited;
  rs.maxInflight = maxInflight;
  return rs;
}

const cruise: CompeteRound = { probing: true, congested: false, window: 80 * MDS, mds: MDS, now: 0 };

function competing(): Compete {
  const c = new Compete();
  c.onRound(round(BASE), { ...cruise, probing: false });
  for (let i = 0; i < COMPETE_ENTER_ROUNDS; i++) c.onRound(round(DEEP), cruise);
  assert.equal(c.isActive, true);
  return c;
}

describe('Compete (AIMD next to loss-based flows)', () => {
  test('a queue deeper than model-based flows hold, for a gain cycle and more, switches it on', () => {
    const c = new Compete();
    c.onRound(round(BASE), { ...cruise, probing: false });
    for (let i = 0; i < COMPETE_ENTER_ROUNDS - 1; i++) c.onRound(round(DEEP), cruise);
    assert.equal(c.isActive, false);
    c.onRound(round(DEEP), cruise);
    assert.equal(c.isActive, true);
    assert.equal(c.window, 100 * MDS, 'starts at the larger of window and inflight');
  });

  test('a standing queue of a min RTT (what model-based flows can hold together) does not', () => {
    const c = new Compete();
    c.onRound(round(BASE), { ...cruise, probing: false });
    for (let i = 0; i < 10 * COMPETE_ENTER_ROUNDS; i++) c.onRound(round(2 * BASE + 5), cruise);
    assert.equal(c.isActive, false);
  });

  test('a round whose queue was shallower starts the count again; STARTUP and DRAIN do not count', () => {
    const c = new Compete();
    c.onRound(round(BASE), { ...cruise, probing: false });
    for (let i = 0; i < 3 * COMPETE_ENTER_ROUNDS; i++) c.onRound(round(i % 8 === 7 ? 1.5 * BASE : DEEP), cruise);
    for (let i = 0; i < 3 * COMPETE_ENTER_ROUNDS; i++) c.onRound(round(DEEP), { ...cruise, probing: false });
    assert.equal(c.isActive, false);
  });

  test('searches by 25 % per round it filled, then AIMD; a window it did not fill does not grow', () => {
    const c = competing();
    const w0 = c.window;
    c.onRound(round(DEEP, w0), cruise);
    assert.equal(c.window, w0 * COMPETE_SEARCH_GROWTH);
    c.onRound(round(DEEP, w0 / 2), cruise);
    assert.equal(c.window, w0 * COMPETE_SEARCH_GROWTH, 'half the window in flight');
    c.onRound(round(DEEP, c.window), { ...cruise, congested: true });
    const cut = w0 * COMPETE_SEARCH_GROWTH * COMPETE_BETA;
    assert.equal(c.window, cut);
    c.onRound(round(DEEP, cut), cruise);
    assert.equal(c.window, cut + COMPETE_ALPHA * MDS);
    c.onRound(round(DEEP, cut), { ...cruise, congested: true });
    assert.equal(c.window, (cut + COMPETE_ALPHA * MDS) * COMPETE_BETA);
  });

  test('the search ends at half of what the competitor held, from the rate the queue grew at', () => {
    const c = competing();
    // 1000 bytes per ms: each 10 kB more in flight raises the smallest RTT by 10 ms.
    c.onRound(round(DEEP, 100 * MDS), cruise);
    c.onRound(round(DEEP + 25, 125 * MDS), cruise);
    c.onRound(round(DEEP + 56.25, 156.25 * MDS), cruise);
    // Overflow at 300 ms: the pipe and queue hold 300 kB, ours ~195 kB, theirs ~105 kB.
    const ours = c.window;
    const rs = round(DEEP + 80, ours);
    rs.maxRtt = 300;
    c.onRound(rs, { ...cruise, congested: true });
    assert.ok(Math.abs(c.window - COMPETE_BETA * (300 * MDS - ours)) < 1, `window ${c.window}`);
  });

  test('switches back once a round sees the queue drained (our PROBE_RTT drains our part)', () => {
    const c = competing();
    c.onRound(round(BASE + 20), cruise);
    assert.equal(c.isActive, true, 'a queue of 0.4 base RTT is still the competitor');
    c.onRound(round(BASE + 2), { ...cruise, probing: false });
    assert.equal(c.isActive, false);
  });

  test("the base RTT outlives a PROBE_RTT that measured the competitor's queue", () => {
    const c = competing();
    c.onRound(round(DEEP), { ...cruise, now: 12_000 });
    assert.equal(c.isActive, true);
    assert.ok(c.pacingRate() > (c.window * 1000) / DEEP, 'paces faster than the window per RTT');
  });
});
