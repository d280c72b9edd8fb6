import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { ConnectionHandle } from '../../src/core/api.js';
import { Driver } from '../../src/io/driver.js';
import type { DatagramPort } from '../../src/io/network.js';

/** A connection that always wants the clock again `waitMs` from now, like a pacer at speed. */
function pacedConnection(waitMs: number, counter: { timeouts: number }): ConnectionHandle {
  const partial: Partial<ConnectionHandle> = {
    handleDatagram: () => {},
    handleTimeout: () => {
      counter.timeouts++;
    },
    pollEvent: () => null,
    pollTransmit: () => null,
    pollTimeout: () => performance.now() + waitMs,
  };
  return partial as ConnectionHandle;
}

const port: DatagramPort = {
  send: () => {},
  setHandler: () => {},
  address: () => ({ address: '127.0.0.1', port: 1 }),
  close: async () => {},
};

test('sub-millisecond waits sleep on a timer instead of spinning the event loop', async () => {
  const counter = { timeouts: 0 };
  const driver = new Driver({
    conn: pacedConnection(0.05, counter),
    port,
    peer: { address: '127.0.0.1', port: 2 },
    follow: false,
    clock: () => performance.now(),
    onEvent: () => {},
  });
  driver.kick();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, 200));
  driver.stop();
  const elapsed = performance.now() - started;
  // A timer wakes at most about once per millisecond; spinning on setImmediate woke tens of
  // thousands of times in the same 200 ms (and kept a core busy).
  assert.ok(counter.timeouts >= 20, `only ${counter.timeouts} wake-ups in ${elapsed.toFixed(0)} ms`);
  assert.ok(counter.timeouts <= 1.5 * elapsed, `${counter.timeouts} wake-ups in ${elapsed.toFixed(0)} ms`);
});
