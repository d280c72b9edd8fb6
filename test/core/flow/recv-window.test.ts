import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RecvWindow, WINDOW_BDP_GAIN } from '../../../src/core/flow/recv-window.js';
import { ReceiveRate } from '../../../src/core/flow/receive-rate.js';
import { SendCredit } from '../../../src/core/flow/send-credit.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('RecvWindow basics', () => {
  test('detects a peer sending beyond the limit', () => {
    const w = new RecvWindow(1000, 10_000);
    assert.equal(w.checkReceived(1000), true);
    assert.equal(w.checkReceived(1001), false);
  });

  test('advertises once the peer has used a quarter of the window', () => {
    const w = new RecvWindow(1000, 1000);
    assert.equal(w.onConsumed(200, 0, 100), null);
    assert.equal(w.onConsumed(249, 1, 100), null);
    assert.equal(w.onConsumed(250, 2, 100), 1250);
    assert.equal(w.limit, 1250);
    assert.equal(w.checkReceived(1250), true);
    assert.equal(w.onConsumed(400, 3, 100), null);
    assert.equal(w.onConsumed(400, 4, 100), null, 'consumption never goes backwards');
  });

  test('data behind a hole has used the peer\'s credit: it counts toward the update', () => {
    const w = new RecvWindow(1000, 1000);
    // Read up to 200, received up to 600: the peer has 400 left, though only 200 were read.
    assert.equal(w.onConsumed(200, 0, 100, 600), 1200);
    const plain = new RecvWindow(1000, 1000);
    assert.equal(plain.onConsumed(200, 0, 100), null, 'without a hole 800 are left: no update yet');
    assert.equal(w.onConsumed(250, 1, 100, 1000), null, 'would grant only 50');
  });

  test('a standing hole does not make every read an update: each grants at least an eighth of the window', () => {
    const w = new RecvWindow(1000, 1000);
    assert.equal(w.onConsumed(200, 0, 100, 700), 1200);
    assert.equal(w.onConsumed(250, 1, 100, 1150), null, 'would grant only 50');
    assert.equal(w.onConsumed(324, 2, 100, 1190), null, 'would grant 124');
    assert.equal(w.onConsumed(325, 3, 100, 1190), 1325);
    assert.equal(w.window, 1000, 'small grants close together do not mean the window is too small');
  });

  test('doubles when updates come less than 2 RTT apart, up to the max', () => {
    const w = new RecvWindow(1000, 3000);
    assert.equal(w.onConsumed(500, 0, 100), 1500);
    assert.equal(w.window, 1000, 'no earlier update to compare with');
    assert.equal(w.onConsumed(1000, 150, 100), 3000);
    assert.equal(w.window, 2000);
    assert.equal(w.onConsumed(2000, 250, 100), 5000);
    assert.equal(w.window, 3000, 'capped at maxWindow');
  });

  test('does not grow when updates are 2 RTT or more apart', () => {
    const w = new RecvWindow(1000, 100_000, 0);
    assert.equal(w.onConsumed(500, 200, 100), 1500);
    assert.equal(w.onConsumed(1000, 400, 100), 2000);
    assert.equal(w.window, 1000);
    assert.equal(w.onConsumed(1500, 450, 0), 2500, 'unknown RTT: no tuning');
    assert.equal(w.window, 1000);
  });

  test('forceUpdate grants credit at once; ensureWindow raises the size within the max', () => {
    const w = new RecvWindow(1000, 4000);
    assert.equal(w.forceUpdate(100), 1100);
    assert.equal(w.forceUpdate(50), 1100, 'never shrinks');
    w.ensureWindow(10_000);
    assert.equal(w.window, 4000);
    w.ensureWindow(2000);
    assert.equal(w.window, 4000);
    assert.equal(w.forceUpdate(100), 4100);
  });
});

interface SimResult {
  /** Time when the stream window first reached the threshold, or null. */
  reachedAt: number | null;
  streamWindow: number;
  connWindow: number;
  /** Bytes delivered per ms over the last `tail` ms. */
  tailRate: number;
}

/**
 * One stream over a 100 Mbit/s path with 100 ms RTT, simulated in 1 ms steps. The sender sends
 * as fast as the link and both credits allow; the receiver reads at most `readRate` bytes/ms and
 * advertises limits that reach the sender half an RTT later.
 */
function simulate(readRate: number, durationMs: number, threshold: number): SimResult {
  const linkRate = 12_500; // bytes per ms
  const oneWay = 50;
  const rtt = 2 * oneWay;
  const streamCredit = new SendCredit(512 * KiB);
  const connCredit = new SendCredit(1 * MiB);
  const streamWin = new RecvWindow(512 * KiB, 32 * MiB, 0);
  const connWin = new RecvWindow(1 * MiB, 48 * MiB, 0);
  const toReceiver: { at: number; bytes: number }[] = [];
  const toSender: { at: number; stream: number | null; conn: number | null }[] = [];
  let sent = 0;
  let received = 0;
  let consumed = 0;
  let reachedAt: number | null = null;
  const tail = 500;
  let tailStart = 0;
  for (let now = 0; now < durationMs; now++) {
    while (toSender.length > 0 && toSender[0]!.at <= now) {
      const u = toSender.shift()!;
      if (u.stream !== null) streamCredit.update(u.stream);
      if (u.conn !== null) connCredit.update(u.conn);
    }
    const n = Math.min(linkRate, streamCredit.available(sent), connCredit.available(sent));
    if (n > 0) {
      sent += n;
      toReceiver.push({ at: now + oneWay, bytes: n });
    }
    while (toReceiver.length > 0 && toReceiver[0]!.at <= now) received += toReceiver.shift()!.bytes;
    assert.ok(streamWin.checkReceived(received) && connWin.checkReceived(received), 'peer stayed within limits');
    consumed = Math.min(received, consumed + readRate);
    const stream = streamWin.onConsumed(consumed, now, rtt);
    // Keep the connection window ahead of the stream window, as the Connection is expected to.
    connWin.ensureWindow(streamWin.window * 1.5);
    const conn = connWin.onConsumed(consumed, now, rtt);
    if (stream !== null || conn !== null) toSender.push({ at: now + oneWay, stream, conn });
    if (reachedAt === null && streamWin.window >= threshold) reachedAt = now;
    if (now === durationMs - tail) tailStart = consumed;
  }
  return {
    reachedAt,
    streamWindow: streamWin.window,
    connWindow: connWin.window,
    tailRate: (consumed - tailStart) / tail,
  };
}

describe('RecvWindow auto-tuning', () => {
  const BDP = 1_250_000;

  test('a line-rate reader grows the window past the BDP within a few RTTs and fills the path', () => {
    const r = simulate(Infinity, 3000, BDP);
    assert.ok(r.reachedAt !== null && r.reachedAt <= 500, `window reached BDP at ${r.reachedAt} ms`);
    assert.ok(r.streamWindow <= 32 * MiB && r.connWindow <= 48 * MiB);
    assert.ok(r.connWindow >= r.streamWindow, 'connection window keeps up');
    assert.ok(r.tailRate >= 0.97 * 12_500, `steady rate ${r.tailRate} bytes/ms`);
  });

  test('a slow reader does not inflate the window', () => {
    const r = simulate(1000, 3000, 512 * KiB + 1); // reads at 8% of the line rate
    assert.equal(r.reachedAt, null, `grew to ${r.streamWindow}`);
    assert.equal(r.streamWindow, 512 * KiB);
  });
});

describe('RecvWindow follows the measured BDP up to its budget', () => {
  test('the window grows to WINDOW_BDP_GAIN x BDP at once, and past the base only that way', () => {
    const w = new RecvWindow(8 * MiB, 32 * MiB, 0, 128 * MiB);
    assert.equal(w.maxWindow, 32 * MiB, 'without a BDP the base bounds auto-tuning');
    w.ensureWindow(64 * MiB);
    assert.equal(w.window, 32 * MiB, 'doubling stops at the base');
    assert.equal(w.followBdp(1 * MiB), false, '6 x 1 MiB is below the window: nothing to do');
    assert.equal(w.window, 32 * MiB);
    assert.equal(w.followBdp(10 * MiB), true, 'a 10 MiB BDP needs 60 MiB: worth advertising');
    assert.equal(w.window, WINDOW_BDP_GAIN * 10 * MiB);
    assert.equal(w.maxWindow, WINDOW_BDP_GAIN * 10 * MiB, 'and doubling may now reach it too');
    assert.equal(w.followBdp(10.5 * MiB), false, 'a 5 % step is not advertised on its own');
    assert.equal(w.window, Math.floor(WINDOW_BDP_GAIN * 10.5 * MiB));
    assert.equal(w.forceUpdate(0), w.window, 'the next update grants the whole window');
  });

  test('the budget caps the window whatever the BDP (1 Gbit/s x 200 ms: 25 MB)', () => {
    const w = new RecvWindow(8 * MiB, 32 * MiB, 0, 128 * MiB);
    assert.equal(w.followBdp(25e6), true);
    assert.equal(w.window, 128 * MiB);
    assert.equal(w.maxWindow, 128 * MiB);
    assert.equal(w.followBdp(1e9), false, 'no further');
    w.ensureWindow(1 << 30);
    assert.equal(w.window, 128 * MiB);
    assert.ok(Number.isInteger(w.window));
  });

  test('a small BDP (loopback, LAN) leaves the window and its base alone', () => {
    const w = new RecvWindow(8 * MiB, 32 * MiB, 0, 128 * MiB);
    assert.equal(w.followBdp(125_000), false);
    assert.equal(w.window, 8 * MiB);
    assert.equal(w.maxWindow, 32 * MiB);
  });
});

describe('ReceiveRate', () => {
  test('arrivals at 1 Gbit/s over a 200 ms min RTT read as a 25 MB BDP, from whole intervals only', () => {
    const r = new ReceiveRate();
    let bytes = 0;
    assert.equal(r.onReceived(0, 0, 200), false);
    for (let ms = 1; ms <= 199; ms++) assert.equal(r.onReceived((bytes += 125_000), ms, 200), false, 'no whole interval yet');
    assert.equal(r.onReceived((bytes += 125_000), 200, 200), true);
    assert.equal(r.bdp, 25_000_000);
    for (let ms = 201; ms <= 1000; ms++) r.onReceived((bytes += 125_000), ms, 200);
    assert.equal(r.bdp, 25_000_000, 'a steady rate does not grow it');
  });

  test('it only grows: a slower stretch (a stalled reader, an idle link) keeps the estimate', () => {
    const r = new ReceiveRate();
    r.onReceived(0, 0, 50);
    r.onReceived(6_250_000, 50, 50);
    const bdp = r.bdp;
    r.onReceived(6_250_000, 500, 50);
    r.onReceived(6_300_000, 550, 50);
    assert.equal(r.bdp, bdp);
  });

  test('a batch read in one turn on a sub-millisecond path does not read as a huge rate', () => {
    const r = new ReceiveRate();
    r.onReceived(0, 0, 0.1);
    // 100 packets in the same millisecond, then nothing for 9 ms: the interval is 10 ms.
    r.onReceived(140_000, 1, 0.1);
    assert.equal(r.bdp, 0);
    r.onReceived(140_000, 10, 0.1);
    assert.ok(r.bdp <= 140_000 / 10 * 0.1 + 1, `bdp ${r.bdp}`);
  });

  test('no min RTT yet: nothing is measured', () => {
    const r = new ReceiveRate();
    r.onReceived(0, 0, 0);
    assert.equal(r.onReceived(1e9, 1000, 0), false);
    assert.equal(r.bdp, 0);
  });
});
