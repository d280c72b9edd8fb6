import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StartupTrain, TRAIN_MIN_PACKETS, TRAIN_MIN_SPAN_MS } from '../../../src/core/congestion/startup-train.js';

const MDS = 1400;
const Mbps = (bytesPerSec: number): number => (bytesPerSec * 8) / 1e6;

/**
 * ACKs of `n` packets, one per two packets as a peer sends them: packet i left at
 * `sendGap * i` ms and reached the peer `arriveGap * (i + 1)` ms after the first left, plus `rtt`.
 */
function acks(n: number, sendGap: number, arriveGap: number, rtt = 50): { at: number; newestSent: number; delivered: number }[] {
  const out = [];
  for (let i = 1; i < n; i += 2) out.push({ at: rtt + arriveGap * (i + 1), newestSent: sendGap * i, delivered: (i + 1) * MDS });
  return out;
}

function feed(train: StartupTrain, list: ReturnType<typeof acks>): number[] {
  return list.map((a) => train.onAck(a.at, a.newestSent, a.delivered));
}

describe('StartupTrain: the bottleneck rate from a burst', () => {
  test('a burst that a 100 Mbit/s bottleneck spaced out reads as 100 Mbit/s', () => {
    const train = new StartupTrain(MDS);
    // Left 10 us apart, arrive 112 us apart (1400 bytes at 100 Mbit/s).
    feed(train, acks(10, 0.01, 0.112));
    assert.ok(Math.abs(Mbps(train.rate) - 100) < 1, `read ${Mbps(train.rate).toFixed(2)} Mbit/s`);
  });

  test('packets paced as slowly as they arrive say nothing about the bottleneck', () => {
    const train = new StartupTrain(MDS);
    // Paced at 20 Mbit/s (560 us apart) through a 100 Mbit/s bottleneck: ACKs are as far apart.
    const r = feed(train, acks(40, 0.56, 0.56));
    assert.deepEqual([...new Set(r)], [0]);
    assert.equal(train.rate, 0);
  });

  test('ACKs read in one batch (microseconds apart) are not believed', () => {
    const train = new StartupTrain(MDS);
    feed(train, acks(20, 0.001, 0.02));
    assert.equal(train.rate, 0, `the batch spans ${(0.02 * 20).toFixed(2)} ms < ${TRAIN_MIN_SPAN_MS} ms`);
  });

  test(`a train is believed once two readings over ${TRAIN_MIN_PACKETS}+ packets agree`, () => {
    const train = new StartupTrain(MDS);
    // 10 Mbit/s: 1.12 ms per packet; one ACK per two packets.
    const r = feed(train, acks(10, 0.01, 1.12));
    assert.deepEqual(r.slice(0, 3), [0, 0, 0], 'first ACK, 2 packets after it, the first reading at 4');
    assert.ok(Math.abs(Mbps(r[3]!) - 10) < 0.2, `read ${Mbps(r[3]!).toFixed(2)} Mbit/s at 6 packets`);
    assert.ok(Math.abs(Mbps(train.rate) - 10) < 0.2);
  });

  test('an ACK read late moves one reading, which is not believed; the next two agree', () => {
    const train = new StartupTrain(MDS);
    // 20 Mbit/s (0.56 ms per packet), but the ACK of packets 5-6 is read late, together with
    // that of 7-8: the reading at 6 packets says 13 Mbit/s, the one at 8 says 20.
    const list = acks(12, 0.01, 0.56);
    list[2]!.at = list[3]!.at - 0.01;
    const r = feed(train, list);
    assert.deepEqual(r.slice(0, 4), [0, 0, 0, 0], 'no reading believed until two agree');
    assert.ok(Math.abs(Mbps(r[4]!) - 20) < 0.3, `read ${Mbps(r[4]!).toFixed(2)} Mbit/s at 10 packets`);
  });

  test('a late ACK of a packet sent before the train does not break it', () => {
    const train = new StartupTrain(MDS);
    const list = acks(10, 0.01, 0.112);
    train.onAck(list[0]!.at, list[0]!.newestSent, list[0]!.delivered);
    assert.equal(train.onAck(list[0]!.at + 0.05, -5, list[0]!.delivered), 0);
    for (const a of list.slice(1)) train.onAck(a.at, a.newestSent, a.delivered);
    assert.ok(Math.abs(Mbps(train.rate) - 100) < 1, `read ${Mbps(train.rate).toFixed(2)} Mbit/s`);
  });

  test('reset forgets the rate and the train', () => {
    const train = new StartupTrain(MDS);
    feed(train, acks(10, 0.01, 0.112));
    train.reset();
    assert.equal(train.rate, 0);
  });
});
