import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { TurnBudget } from '../../src/app/turn.js';

test('a loop that checks its turn budget lets the event loop run every few ms, and only then', async () => {
  const turn = new TurnBudget(2);
  let ran = 0;
  const tick = (): void => {
    ran++;
    if (performance.now() < end) setImmediate(tick);
  };
  const end = performance.now() + 30;
  setImmediate(tick);
  let checks = 0;
  while (performance.now() < end) {
    await turn.check();
    checks++;
  }
  // ~30 ms of work in 2 ms stretches: the other callback got its turn about 15 times, not
  // after every check (they are many thousands) and not never.
  assert.ok(ran >= 3 && ran <= 40, `other work ran ${ran} times`);
  assert.ok(checks > 10 * ran, `${checks} checks for ${ran} turns`);
});
