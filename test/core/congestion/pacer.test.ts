import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CATCH_UP_GAIN, CONNECTION_CATCH_UP_MS, CONNECTION_MIN_BURST_MS, Pacer } from '../../../src/core/congestion/pacer.js';

const MDS = 1400;

/** Sends full datagrams for `ms` of virtual time, waking when the pacer says (no earlier than `tick`). */
function run(p: Pacer, from: number, ms: number, tick = 0): { bytes: number; maxBurst: number } {
  let now = from;
  let bytes = 0;
  let maxBurst = 0;
  while (now < from + ms) {
    let burst = 0;
    while (p.timeUntilSend(now, MDS) === 0) {
      p.onSend(now, MDS);
      bytes += MDS;
      burst++;
      assert.ok(burst <= 1000, 'runaway');
    }
    maxBurst = Math.max(maxBurst, burst);
    const wait = p.timeUntilSend(now, MDS);
    assert.ok(wait > 0);
    now += Math.max(wait, tick);
  }
  return { bytes, maxBurst };
}

describe('Pacer', () => {
  test('rate over 1 s of virtual time within 2%', () => {
    for (const rate of [1e6, 5e6, 12.5e6]) {
      const p = new Pacer(MDS);
      p.setRate(rate, 0);
      run(p, 0, 100); // drain the initial burst
      const { bytes } = run(p, 100, 1000);
      assert.ok(Math.abs(bytes - rate) / rate < 0.02, `rate ${rate}: sent ${bytes}`);
    }
  });

  test('late 1 ms timers still reach the rate while a tick fits in the bucket', () => {
    const p = new Pacer(MDS);
    p.setRate(4e6, 0);
    run(p, 0, 100, 1);
    const { bytes } = run(p, 100, 1000, 1);
    assert.ok(Math.abs(bytes - 4e6) / 4e6 < 0.02, `sent ${bytes}`);
  });

  test('burst after idle is capped at 10 datagrams', () => {
    const p = new Pacer(MDS);
    p.setRate(1e6, 0);
    run(p, 0, 50);
    // Idle for a long time, then see how many go back to back.
    let n = 0;
    while (p.timeUntilSend(10_000, MDS) === 0) {
      p.onSend(10_000, MDS);
      n++;
      assert.ok(n < 100);
    }
    assert.equal(n, 10);
  });

  test('waiting exactly the returned time is enough', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 1e9 }), fc.array(fc.integer({ min: 1, max: MDS }), { minLength: 1, maxLength: 50 }), (rate, sizes) => {
        const p = new Pacer(MDS);
        p.setRate(rate, 0);
        let now = 0;
        for (const s of sizes) {
          const w = p.timeUntilSend(now, s);
          assert.ok(w >= 0);
          now += w;
          assert.equal(p.timeUntilSend(now, s), 0);
          p.onSend(now, s);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('rate 0 or non-finite means unpaced', () => {
    const p = new Pacer(MDS);
    p.setRate(0, 0);
    for (let i = 0; i < 100; i++) p.onSend(0, MDS);
    assert.equal(p.timeUntilSend(0, MDS), 0);
    p.setRate(Infinity, 0);
    assert.equal(p.timeUntilSend(0, MDS), 0);
  });

  test('a probe sent over budget is paid back', () => {
    const p = new Pacer(MDS);
    p.setRate(1.4e6, 0); // one datagram per ms
    for (let i = 0; i < 12; i++) p.onSend(0, MDS);
    assert.ok(Math.abs(p.timeUntilSend(0, MDS) - 3) < 1e-9);
  });

  test('minBurstMs sizes the bucket to that many ms of the rate', () => {
    const p = new Pacer(MDS, { minBurstMs: 2 });
    p.setRate(100e6, 0);
    assert.equal(p.capacity(), 200_000);
    p.setRate(1e6, 0);
    assert.equal(p.capacity(), 10 * MDS);
  });

  test("the connection's bucket holds the rate when 1 ms timers fire 1.3 ms apart", () => {
    // 100 Mbit/s with one datagram per 0.112 ms: a 10-packet bucket lasts 1.12 ms, less than
    // the 1.3 ms between the late timer ticks, so tokens spill on every tick.
    const rate = 12.5e6;
    const got = (p: Pacer): { share: number; maxBurst: number } => {
      p.setRate(rate, 0);
      run(p, 0, 100, 1.3);
      const r = run(p, 100, 1000, 1.3);
      return { share: r.bytes / rate, maxBurst: r.maxBurst };
    };
    const plain = got(new Pacer(MDS));
    const conn = got(new Pacer(MDS, { minBurstMs: CONNECTION_MIN_BURST_MS }));
    assert.ok(plain.share < 0.9, `a 10-packet bucket keeps ${plain.share}`);
    assert.ok(conn.share > 0.98, `the connection's bucket keeps ${conn.share}`);
    assert.ok(conn.maxBurst <= Math.ceil((rate * CONNECTION_MIN_BURST_MS) / 1000 / MDS), `burst ${conn.maxBurst}`);
    // Below ~56 Mbit/s the bursts stay at 10 packets.
    const slow = new Pacer(MDS, { minBurstMs: CONNECTION_MIN_BURST_MS });
    slow.setRate(5e6, 0);
    assert.equal(slow.capacity(), 10 * MDS);
  });
});

describe('Pacer catch-up after a late wake-up', () => {
  const RATE = 12.5e6; // 100 Mbit/s
  const opts = { minBurstMs: CONNECTION_MIN_BURST_MS, catchUpMs: CONNECTION_CATCH_UP_MS };
  const ms = (bytes: number): number => (bytes / RATE) * 1000;

  /** Paces with 1 ms ticks until 100, wakes next at 100 + stall, then paces on for 30 ms. */
  function stalled(stall: number, p: Pacer, restAtStall = false): { bytes: number; maxBurst: number } {
    p.setRate(RATE, 0);
    run(p, 0, 100, 1);
    if (restAtStall) p.rest(100);
    return run(p, 100 + stall, 30, 1);
  }

  test('credit a 6 ms stall cost is paid back within the next 30 ms; bursts stay at the bucket', () => {
    const caught = stalled(6, new Pacer(MDS, opts));
    const lost = stalled(6, new Pacer(MDS, { minBurstMs: CONNECTION_MIN_BURST_MS }));
    // 30 ms of pacing after the stall carry 30 ms of the rate; the stall's 6 ms come on top only
    // with catch-up (measured 36.1 and 30.9).
    assert.ok(Math.abs(ms(caught.bytes) - 36) < 0.5, `with catch-up: ${ms(caught.bytes).toFixed(1)} ms of the rate`);
    assert.ok(ms(lost.bytes) < 31.5, `without: ${ms(lost.bytes).toFixed(1)} ms of the rate`);
    const bucket = Math.ceil((RATE * CONNECTION_MIN_BURST_MS) / 1000 / MDS);
    assert.ok(caught.maxBurst <= bucket, `burst ${caught.maxBurst} > ${bucket} datagrams`);
  });

  test('the debt is paid at no more than (1 + gain) x the rate', () => {
    const p = new Pacer(MDS, opts);
    p.setRate(RATE, 0);
    run(p, 0, 100, 1);
    const early = ms(run(p, 106, 4, 1).bytes);
    // The bucket (2 ms of the rate), then 4 ms at up to (1 + gain) x the rate, one datagram of slack.
    assert.ok(early <= 2 + 4 * (1 + CATCH_UP_GAIN) + ms(MDS), `${early.toFixed(2)} ms of the rate in 4 ms`);
    assert.ok(early > 2 + 4 + ms(MDS), `${early.toFixed(2)} ms of the rate in 4 ms: no faster than the rate`);
  });

  test('idle time owes nothing: after rest() only the bucket goes at once', () => {
    const idle = stalled(6, new Pacer(MDS, opts), true);
    const lost = stalled(6, new Pacer(MDS, { minBurstMs: CONNECTION_MIN_BURST_MS }));
    assert.equal(idle.bytes, lost.bytes);
  });

  test('a long stall owes at most catchUpMs of the rate', () => {
    const p = new Pacer(MDS, opts);
    const long = stalled(200, p);
    const lost = stalled(200, new Pacer(MDS, { minBurstMs: CONNECTION_MIN_BURST_MS }));
    const extra = ms(long.bytes - lost.bytes);
    assert.ok(Math.abs(extra - CONNECTION_CATCH_UP_MS) < 0.5, `${extra.toFixed(1)} ms of the rate paid back`);
    assert.equal(p.owed, 0, 'paid back');
  });
});
