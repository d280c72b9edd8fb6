import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StartupJump } from '../../../src/core/congestion/startup-jump.js';
import { TRAIN_JUMP_MAX_PACKETS } from '../../../src/core/congestion/bbr-constants.js';

const MDS = 1400;
const RTT = 50;
/** 100 Mbit/s in bytes per second. */
const B = 12.5e6;

/**
 * A burst of 10 packets at t=0 whose ACKs come back spaced by a 100 Mbit/s bottleneck, then
 * `sentShare` x 1.25 x B sent over the next min RTT, then the ACK of a packet sent a min RTT
 * after the jump with the model's estimate at `bwShare` x B. Returns the verdict and the round.
 */
function run(sentShare: number, bwShare: number, cwnd = 32 * MDS, rtt = RTT): { full: boolean; window: number } {
  const jump = new StartupJump(MDS);
  const ctx = { cwnd, minRttMs: rtt, bandwidth: 0.1 * B };
  let t = rtt;
  for (let i = 1; i < 10; i += 2) {
    t = rtt + (i + 1) * 0.112;
    assert.equal(jump.onAck(t, 0.001 * i, (i + 1) * MDS, ctx), false);
  }
  const round = jump.active;
  assert.ok(round, 'the train started a round');
  const window = round.window;
  const packets = Math.round((sentShare * 1.25 * B * rtt) / 1000 / MDS);
  for (let i = 0; i < packets; i++) jump.onSent(t + (i * rtt) / packets, MDS, rtt);
  const full = jump.onAck(t + 2 * rtt, t + rtt + 1, 20 * MDS, { ...ctx, bandwidth: bwShare * B });
  assert.equal(jump.active, null, 'the round is over');
  return { full, window };
}

describe('StartupJump: the 1.25 x round after a train', () => {
  test('opens the window to 1.25 x the train rate x min RTT', () => {
    const { window } = run(1, 1);
    assert.ok(Math.abs(window - (1.25 * B * RTT) / 1000) < 1, `window ${window}`);
  });

  test('no more than the train rate came back, though the host sent it all: the pipe is full', () => {
    assert.equal(run(1, 1.02).full, true);
  });

  test('more came back: STARTUP goes on', () => {
    assert.equal(run(1, 1.2).full, false);
  });

  test('the host sent only 70 % of the round: its samples prove nothing', () => {
    assert.equal(run(0.7, 1).full, false);
  });

  test('a capped round (a longer path than the cap covers) proves nothing', () => {
    const { full, window } = run(1, 1, 32 * MDS, 200);
    assert.equal(window, TRAIN_JUMP_MAX_PACKETS * MDS);
    assert.equal(full, false);
  });

  test('a train that would not open the window starts nothing', () => {
    const jump = new StartupJump(MDS);
    const ctx = { cwnd: 10_000 * MDS, minRttMs: RTT, bandwidth: 0 };
    for (let i = 1; i < 10; i += 2) jump.onAck(RTT + (i + 1) * 0.112, 0.001 * i, (i + 1) * MDS, ctx);
    assert.equal(jump.active, null);
  });
});
