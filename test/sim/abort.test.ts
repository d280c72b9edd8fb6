// Aborting one stream in virtual time: its in-flight bytes leave the congestion window in the
// same step, for every way a stream can be aborted, and the surviving stream gets the link.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, type ConnectionEvent } from '../../src/core/api.js';
import type { Connection } from '../../src/core/connection.js';
import type { StreamTable } from '../../src/core/conn/streams.js';
import { applyReleaseMode, inFlightByStream, inFlightOf, trackerOf, TwoStreams, type ReleaseMode } from './abort-sim.js';

const LINK_MBPS = 50;
const DELAY_MS = 20;
const LINK_BPS = (LINK_MBPS * 1e6) / 8;
const MIN_RTT = 2 * DELAY_MS;
const ABORT_AT = 1000;
/** Window over which "B reaches 90 % of the link rate" is judged. */
const RATE_WINDOW_MS = 20;
const pct = (bps: number): string => `${Math.round((bps / LINK_BPS) * 100)} %`;

interface Outcome {
  mode: ReleaseMode;
  srtt: number;
  cwnd: number;
  inFlightBefore: number;
  inFlightAfter: number;
  aShare: number;
  othersBefore: number;
  /** First time after the abort at which B's goodput over RATE_WINDOW_MS was >= 90 % of the link. */
  recoveryMs: number | null;
  /** B's goodput in [abort + 1 srtt, abort + 2 srtt] and [abort + 2 srtt, abort + 600 ms]. */
  secondRtt: number;
  after: number;
  before: number;
}

/** A runs alone, B opens `bLeadMs` before A is reset; measures what the issue asks for. */
function abortScenario(mode: ReleaseMode, bLeadMs: number): Outcome {
  const s = new TwoStreams({ link: { rateMbps: LINK_MBPS, delayMs: DELAY_MS }, seed: 5, openBAt: ABORT_AT - bLeadMs });
  applyReleaseMode(s.sim.a, mode);
  s.runUntil(ABORT_AT);
  const c = s.sim.a;
  const a = s.a!;
  const b = s.b!;
  const st = c.stats();
  const aShare = inFlightOf(c, a);
  const inFlightBefore = st.bytesInFlight;
  c.streamReset(a, AppError.CANCELLED);
  const inFlightAfter = c.stats().bytesInFlight;
  s.stopWriting(a);
  s.runUntil(ABORT_AT + 600);
  const g = s.goodputOf(b);
  const reached = g.reaches(0.9 * LINK_BPS, ABORT_AT, RATE_WINDOW_MS);
  return {
    mode,
    srtt: st.rttMs,
    cwnd: st.cwndBytes,
    inFlightBefore,
    inFlightAfter,
    aShare,
    othersBefore: inFlightBefore - aShare,
    recoveryMs: reached === null ? null : reached - ABORT_AT,
    secondRtt: g.rate(ABORT_AT + st.rttMs, ABORT_AT + 2 * st.rttMs),
    after: g.rate(ABORT_AT + 2 * st.rttMs, ABORT_AT + 600),
    before: g.rate(ABORT_AT - 200, ABORT_AT),
  };
}

function report(t: TestContext, o: Outcome): void {
  const rec = o.recoveryMs === null ? 'never (within 600 ms)' : `${o.recoveryMs.toFixed(1)} ms = ${(o.recoveryMs / o.srtt).toFixed(2)} srtt = ${(o.recoveryMs / MIN_RTT).toFixed(2)} min-RTT`;
  t.diagnostic(
    `${o.mode.padEnd(8)} cwnd ${o.cwnd} B, srtt ${o.srtt.toFixed(1)} ms; in flight ${o.inFlightBefore} -> ${o.inFlightAfter} B (A held ${o.aShare} B = ${pct((o.aShare / o.inFlightBefore) * LINK_BPS)}); ` +
      `B goodput before ${pct(o.before)}, 2nd srtt after ${pct(o.secondRtt)}, then ${pct(o.after)}; B reaches 90 %: ${rec}`,
  );
}

describe(`abort one stream on a ${LINK_MBPS} Mbit/s, ${MIN_RTT} ms RTT link, window-limited (NewReno, 1-BDP queue)`, () => {
  test('A holds most of the window: its bytes leave flight in the same step, B gets the link within 2 RTT; without the release B stalls', (t) => {
    const release = abortScenario('release', 20);
    const pinned = abortScenario('pinned', 20);
    const deferred = abortScenario('deferred', 20);
    for (const o of [release, pinned, deferred]) report(t, o);

    assert.ok(release.aShare > 0.7 * release.inFlightBefore, `A held most of the window (${release.aShare} of ${release.inFlightBefore})`);
    assert.ok(release.inFlightBefore >= 0.9 * release.cwnd, 'the connection was window-limited');
    // Same step: nothing was sent or received between the two readings.
    assert.equal(release.inFlightAfter, release.inFlightBefore - release.aShare);
    assert.equal(release.inFlightAfter, release.othersBefore);
    assert.ok(release.recoveryMs !== null && release.recoveryMs <= 2 * release.srtt, `B recovered after ${release.recoveryMs} ms (srtt ${release.srtt})`);

    // The variant that forgets A's packets without releasing their bytes: B is stuck with what
    // is left of the window, far below the link rate, for as long as we look.
    assert.equal(pinned.inFlightAfter, pinned.inFlightBefore);
    assert.equal(pinned.recoveryMs, null);
    assert.ok(pinned.after < 0.5 * LINK_BPS, `pinned: B at ${pct(pinned.after)}`);
    assert.ok(release.after - pinned.after > 0.5 * LINK_BPS, `difference ${pct(release.after - pinned.after)}`);
  });

  test('B already shares the link: its rate goes from about half to the link rate', (t) => {
    const release = abortScenario('release', 500);
    const pinned = abortScenario('pinned', 500);
    for (const o of [release, pinned]) report(t, o);
    assert.ok(release.before > 0.35 * LINK_BPS && release.before < 0.65 * LINK_BPS, `B before: ${pct(release.before)}`);
    assert.equal(release.inFlightAfter, release.othersBefore);
    assert.ok(release.recoveryMs !== null && release.recoveryMs <= 2 * release.srtt, `B recovered after ${release.recoveryMs} ms`);
    assert.ok(release.after > 0.85 * LINK_BPS, `B after: ${pct(release.after)}`);
  });
});

// ------------------------------------------------------------------ every abort source

/** Bytes in flight must be exactly what the survivors and control packets hold. */
function assertOnlySurvivors(c: Connection, gone: number[]): void {
  const by = inFlightByStream(c);
  for (const id of gone) assert.equal(by.get(id) ?? 0, 0, `stream ${id} still has packets in flight`);
  let sum = 0;
  for (const v of by.values()) sum += v;
  assert.equal(c.stats().bytesInFlight, sum);
}

function streamsOf(c: Connection): StreamTable {
  return (c as unknown as { streams: { table: StreamTable } }).streams.table;
}

describe('abort sources at the core (the app-level ones are in test/app/abort.test.ts)', () => {
  const link = { rateMbps: LINK_MBPS, delayMs: DELAY_MS };

  test('local reset (source error, stall, one file cancelled): only the survivors stay in flight', () => {
    for (const code of [AppError.SOURCE_ERROR, AppError.STALLED]) {
      const s = new TwoStreams({ link, seed: 7, openBAt: 300 });
      const peerSaw: number[] = [];
      s.extra = (side, e) => {
        if (side === 'b' && e.type === 'stream_reset') peerSaw.push(e.errorCode);
      };
      s.runUntil(600);
      const [a, b] = [s.a!, s.b!];
      assert.ok(inFlightOf(s.sim.a, a) > 0 && inFlightOf(s.sim.a, b) > 0);
      s.sim.a.streamReset(a, code);
      s.stopWriting(a);
      assertOnlySurvivors(s.sim.a, [a]);
      assert.ok(inFlightOf(s.sim.a, b) > 0);
      s.runUntil(800);
      assert.deepEqual(peerSaw, [code], 'RESET_STREAM carried the code');
      assertOnlySurvivors(s.sim.a, [a]);
    }
  });

  test('receiver write error: STOP_SENDING makes the sender reset, its bytes leave flight when it arrives', () => {
    const s = new TwoStreams({ link, seed: 8, openBAt: 300 });
    const seen: string[] = [];
    let checked = false;
    let stoppedAt = 0;
    s.extra = (side, e) => {
      if (side === 'a' && e.type === 'stream_stop_sending') {
        stoppedAt = s.sim.now;
        // The event is drained right after the datagram that carried STOP_SENDING.
        assertOnlySurvivors(s.sim.a, [e.id]);
        assert.ok(inFlightOf(s.sim.a, s.b!) > 0);
        checked = true;
      }
      if (e.type === 'stream_stop_sending' || e.type === 'stream_reset') seen.push(`${side}:${e.type}:${e.id}:${e.errorCode}`);
    };
    s.runUntil(600);
    // The error comes while the bottleneck queue has room (sRTT near the min RTT). When A's bytes
    // fill the queue, B's packets queue behind them, and refilling the freed window on top of a
    // full queue overflows it: then B's goodput waits on the queue and a loss, not on the window.
    for (let st = s.sim.a.stats(); st.rttMs > 1.25 * st.minRttMs && s.sim.now < 5000; st = s.sim.a.stats()) s.runUntil(s.sim.now + 5);
    const errorAt = s.sim.now;
    const a = s.a!;
    s.sim.b.streamStopSending(a, AppError.WRITE_ERROR);
    s.runUntil(errorAt + 100);
    assert.ok(checked);
    // The receiver asked for the stop, so the RESET_STREAM it gets back needs no event; it only
    // fixes the final size so the stream's bytes can be written off.
    assert.deepEqual(seen, [`a:stream_stop_sending:${a}:${AppError.WRITE_ERROR}`]);
    assert.equal(streamsOf(s.sim.b).get(a)?.recv.finalSize, streamsOf(s.sim.a).get(a)?.send.highestSent);
    const reached = s.goodputOf(s.b!).reaches(0.9 * LINK_BPS, stoppedAt, RATE_WINDOW_MS);
    const srtt = s.sim.a.stats().rttMs;
    assert.ok(reached !== null && reached - stoppedAt <= 2 * srtt, `B reached 90 % ${reached === null ? 'never' : `${reached - stoppedAt} ms`} after the stop`);
  });

  test('peer reset: the receiver writes off the unread data and re-grants the connection credit', () => {
    const s = new TwoStreams({ link, seed: 9, openBAt: 100 });
    // The server's app never reads A: its bytes pile up and hold connection credit.
    s.extra = () => undefined;
    const readA = (e: ConnectionEvent): boolean => 'id' in e && e.id === s.a;
    const orig = s.sim.onEvent;
    s.sim.onEvent = (side, e, sim) => {
      if (side === 'b' && (e.type === 'stream_readable' || e.type === 'stream_opened') && readA(e)) return;
      orig(side, e, sim);
    };
    s.runUntil(800);
    const server = streamsOf(s.sim.b);
    const held = server.connReceived - server.connConsumed;
    assert.ok(held > 100_000, `A's unread bytes hold ${held} B of connection credit`);
    const clientLimitBefore = streamsOf(s.sim.a).connCredit.limit;
    s.sim.a.streamReset(s.a!, AppError.CANCELLED);
    s.stopWriting(s.a!);
    s.runUntil(1000);
    assert.equal(server.connReceived, server.connConsumed, 'everything received was consumed or written off');
    assert.ok(streamsOf(s.sim.a).connCredit.limit >= clientLimitBefore + held, 'the written-off bytes came back as MAX_DATA');
    const b = s.goodputOf(s.b!);
    assert.ok(b.rate(900, 1000) > 0.9 * LINK_BPS, `B after: ${pct(b.rate(900, 1000))}`);
  });

  test('Ctrl-C: every stream reset at once leaves only control packets in flight; CONNECTION_CLOSE reaches the peer', () => {
    const s = new TwoStreams({ link, seed: 10, openBAt: 300 });
    const closed: Partial<Record<'a' | 'b', ConnectionEvent>> = {};
    s.extra = (side, e) => {
      if (e.type === 'closed') closed[side] = e;
    };
    s.runUntil(600);
    const c = s.sim.a;
    for (const id of [s.a!, s.b!]) {
      c.streamReset(id, AppError.CANCELLED);
      s.stopWriting(id);
    }
    assertOnlySurvivors(c, [s.a!, s.b!]);
    assert.ok(c.stats().bytesInFlight < 2 * 1400, `only control packets left: ${c.stats().bytesInFlight} B`);
    c.close(AppError.CANCELLED, 'cancelled', s.sim.now);
    s.sim.run(() => closed.a !== undefined && closed.b !== undefined, 600 + 1000);
    assert.deepEqual(closed.b, { type: 'closed', reason: { kind: 'peer', errorCode: AppError.CANCELLED, reason: 'cancelled' } });
    assert.ok(closed.a, 'the client finished closing');
  });

  test('RESET_STREAM is retransmitted until it gets through a 30 % lossy link; nothing of A comes back into flight', () => {
    const s = new TwoStreams({ link: { ...link, lossPct: 30 }, seed: 11, openBAt: 200 });
    let reset: number | null = null;
    s.extra = (side, e) => {
      if (side === 'b' && e.type === 'stream_reset') reset = e.errorCode;
    };
    s.runUntil(1500);
    const a = s.a!;
    s.sim.a.streamReset(a, AppError.SOURCE_ERROR);
    s.stopWriting(a);
    assertOnlySurvivors(s.sim.a, [a]);
    let maxA = 0;
    s.sim.onStep = () => (maxA = Math.max(maxA, inFlightOf(s.sim.a, a)));
    s.sim.run(() => reset !== null, 1500 + 20_000);
    assert.equal(reset, AppError.SOURCE_ERROR);
    assert.equal(maxA, 0);
    assert.ok(trackerOf(s.sim.a).isStreamDropped(a));
  });
});
