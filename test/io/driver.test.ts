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

test('a burst of datagrams: data goes out as each is handled, one bare ACK after the burst', async () => {
  const wire: string[] = [];
  let unacked = 0;
  let dataReady = 0;
  const conn = {
    handleDatagram: (buf: Uint8Array) => {
      unacked++;
      dataReady += buf[0]!; // each datagram "frees" this many data packets, as an ACK would
    },
    handleTimeout: () => {},
    pollEvent: () => null,
    pollTransmit: (_now: number, holdAcks?: boolean) => {
      if (dataReady > 0) {
        dataReady--;
        unacked = 0; // ACKs ride along on data
        return new Uint8Array([0xd]);
      }
      if (unacked > 0 && !holdAcks) {
        unacked = 0;
        return new Uint8Array([0xa]);
      }
      return null;
    },
    pollTimeout: () => null,
  } as Partial<ConnectionHandle> as ConnectionHandle;
  let deliver: ((buf: Uint8Array, from: { address: string; port: number }) => void) | null = null;
  const driver = new Driver({
    conn,
    port: { ...port, setHandler: (h) => (deliver = h), send: (d) => wire.push(d[0] === 0xd ? 'data' : 'ack') },
    peer: { address: '127.0.0.1', port: 2 },
    follow: false,
    clock: () => performance.now(),
    onEvent: () => {},
  });
  const from = { address: '127.0.0.1', port: 2 };
  deliver!(new Uint8Array([1]), from);
  assert.deepEqual(wire, ['data'], 'data freed by a datagram leaves at once');
  for (let i = 0; i < 9; i++) deliver!(new Uint8Array([0]), from);
  assert.deepEqual(wire, ['data'], 'no bare ACK while the burst is being handled');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(wire, ['data', 'ack'], 'one ACK after the burst');
  driver.stop();
});

test('a connection that closes still gets its last datagram (the answer to the close) out', () => {
  const wire: Uint8Array[] = [];
  let closed = false;
  let answer: Uint8Array | null = new Uint8Array([0xcc]);
  const conn = {
    handleDatagram: () => {
      closed = true;
    },
    handleTimeout: () => {},
    pollEvent: () => {
      if (!closed) return null;
      closed = false;
      return { type: 'closed', reason: { kind: 'peer', errorCode: 0, reason: 'done' } };
    },
    pollTransmit: () => {
      const d = answer;
      answer = null;
      return d;
    },
    pollTimeout: () => null,
  } as Partial<ConnectionHandle> as ConnectionHandle;
  let deliver: ((buf: Uint8Array, from: { address: string; port: number }) => void) | null = null;
  new Driver({
    conn,
    port: { ...port, setHandler: (h) => (deliver = h ?? deliver), send: (d) => wire.push(d) },
    peer: { address: '127.0.0.1', port: 2 },
    follow: false,
    clock: () => performance.now(),
    onEvent: () => {},
  });
  deliver!(new Uint8Array([1]), { address: '127.0.0.1', port: 2 });
  assert.deepEqual(wire, [new Uint8Array([0xcc])]);
});
