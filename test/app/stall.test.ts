import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../src/core/api.js';
import { peerAbortReason, Stalled, stallMessage, watchStall } from '../../src/app/stall.js';

test('watchStall fires once after the counter stood still for the period, not while it moves', async () => {
  let n = 0;
  let fired = 0;
  const stop = watchStall(80, () => n, () => fired++);
  for (let i = 0; i < 8; i++) {
    await sleep(25);
    n++;
  }
  assert.equal(fired, 0, 'moving for 200 ms > period');
  await sleep(200);
  assert.equal(fired, 1);
  await sleep(150);
  assert.equal(fired, 1, 'only once');
  stop();
});

test('watchStall with 0 watches nothing; stop() prevents the call', async () => {
  let fired = 0;
  watchStall(0, () => 0, () => fired++)();
  const stop = watchStall(30, () => 0, () => fired++);
  stop();
  await sleep(100);
  assert.equal(fired, 0);
});

test('a Stalled abort carries STALLED; messages and peer reasons read well', () => {
  const e = new Stalled(stallMessage(60_000, 'sent'));
  assert.equal(e.code, AppError.STALLED);
  assert.equal(e.message, 'no data sent for 60 s (--stall-timeout), gave up on it');
  assert.equal(peerAbortReason(AppError.WRITE_ERROR, 'receiver'), 'the receiver could not write it');
  assert.equal(peerAbortReason(AppError.SOURCE_ERROR, 'sender'), 'the sender could not read it');
  assert.equal(peerAbortReason(0x999, 'sender'), 'the sender abandoned it (code 0x999)');
});
