import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { XferError } from '../../src/app/api.js';
import { installInterruptHandlers } from '../../src/cli/signals.js';

function setup(graceMs = 30) {
  const source = new EventEmitter();
  const controller = new AbortController();
  const exits: number[] = [];
  let interrupted = 0;
  const uninstall = installInterruptHandlers({
    source, controller, graceMs, exit: (c) => void exits.push(c), onInterrupt: () => void interrupted++,
  });
  return { source, controller, exits, uninstall, interrupted: () => interrupted };
}

test('first SIGINT aborts; the deadline exits 130 if the app hangs', async () => {
  const s = setup(30);
  s.source.emit('SIGINT');
  assert.ok(s.controller.signal.aborted);
  assert.ok(s.controller.signal.reason instanceof XferError);
  assert.equal((s.controller.signal.reason as XferError).kind, 'interrupted');
  assert.equal(s.interrupted(), 1);
  assert.deepEqual(s.exits, []);
  await sleep(80);
  assert.deepEqual(s.exits, [130]);
  s.uninstall();
});

test('a second signal exits at once', () => {
  const s = setup(10_000);
  s.source.emit('SIGTERM');
  assert.deepEqual(s.exits, []);
  s.source.emit('SIGINT');
  assert.deepEqual(s.exits, [130]);
  s.uninstall();
});

test('uninstall removes the handlers and the deadline', async () => {
  const s = setup(20);
  s.source.emit('SIGINT');
  s.uninstall();
  assert.equal(s.source.listenerCount('SIGINT'), 0);
  assert.equal(s.source.listenerCount('SIGTERM'), 0);
  await sleep(50);
  assert.deepEqual(s.exits, []);
});
