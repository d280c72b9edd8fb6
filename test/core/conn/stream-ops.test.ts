import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamOps } from '../../../src/core/conn/stream-ops.js';
import { EventQueue } from '../../../src/core/conn/event-queue.js';
import { Recovery } from '../../../src/core/conn/recovery-glue.js';
import { INITIAL_MAX_STREAM_DATA, MAX_STREAM_WINDOW } from '../../../src/core/conn/streams.js';
import type { ControlFrame } from '../../../src/core/conn/control-queue.js';

const KiB = 1024;

function receiver(): StreamOps {
  return new StreamOps('server', new EventQueue(), new Recovery('newreno', 1400, 0));
}

function takeControl(ops: StreamOps): ControlFrame[] {
  return ops.control.take(() => true);
}

function maxStreamData(frames: ControlFrame[]): number | null {
  const f = frames.find((x) => x.type === 'max_stream_data');
  return f && f.type === 'max_stream_data' ? f.max : null;
}

const data = (n: number): Uint8Array => new Uint8Array(n).fill(7);

test('data stuck behind a hole doubles the stream window and grants it at once', () => {
  const ops = receiver();
  const W = INITIAL_MAX_STREAM_DATA;
  ops.onFrame({ type: 'stream', id: 0, offset: 0, data: data(1000), fin: false }, 0);
  assert.equal(maxStreamData(takeControl(ops)), null);
  // A hole at [1000, 0.3 W): what arrives beyond it cannot be read.
  ops.onFrame({ type: 'stream', id: 0, offset: Math.round(0.3 * W), data: data(Math.round(0.15 * W)), fin: false }, 10);
  assert.equal(maxStreamData(takeControl(ops)), null, 'under half the window behind the hole');
  ops.onFrame({ type: 'stream', id: 0, offset: Math.round(0.5 * W), data: data(Math.round(0.05 * W)), fin: false }, 20);
  const frames = takeControl(ops);
  assert.equal(maxStreamData(frames), 2 * W, 'nothing read yet: the limit is the doubled window');
  assert.ok(frames.some((f) => f.type === 'max_data'), 'the connection window follows');
});

test('an unread in-order backlog (a slow reader) does not grow the window', () => {
  const ops = receiver();
  for (let off = 0; off < 1800 * KiB; off += 100 * KiB) {
    ops.onFrame({ type: 'stream', id: 0, offset: off, data: data(100 * KiB), fin: false }, off / KiB);
  }
  assert.equal(maxStreamData(takeControl(ops)), null);
});

test('a BLOCKED report below the granted limit sends that limit again (the update was lost)', () => {
  const ops = receiver();
  ops.onFrame({ type: 'stream', id: 0, offset: 0, data: data(1000), fin: false }, 0);
  ops.onFrame({ type: 'stream', id: 0, offset: Math.round(0.6 * INITIAL_MAX_STREAM_DATA), data: data(100 * KiB), fin: false }, 10);
  const granted = maxStreamData(takeControl(ops));
  assert.ok(granted !== null && granted > INITIAL_MAX_STREAM_DATA);
  // The frame carrying `granted` is lost; the sender stops at the old limit and says so.
  ops.onFrame({ type: 'stream_data_blocked', id: 0, limit: INITIAL_MAX_STREAM_DATA }, 100);
  assert.equal(maxStreamData(takeControl(ops)), granted);
});

test('a BLOCKED report at the granted limit doubles the window', () => {
  const ops = receiver();
  ops.onFrame({ type: 'stream', id: 0, offset: 0, data: data(1000), fin: false }, 0);
  takeControl(ops);
  ops.onFrame({ type: 'stream_data_blocked', id: 0, limit: INITIAL_MAX_STREAM_DATA }, 100);
  assert.equal(maxStreamData(takeControl(ops)), 2 * INITIAL_MAX_STREAM_DATA);
});

/** Frames of 125 KB every ms (1 Gbit/s) on a 200 ms path for `ms` ms; the app reads `readPerMs` bytes a ms. */
function gigabit(ms: number, readPerMs: number): { ops: StreamOps; window: number } {
  const recovery = new Recovery('newreno', 1400, 0);
  recovery.rtt.update(200, 0, 0);
  const ops = new StreamOps('server', new EventQueue(), recovery);
  let limit = INITIAL_MAX_STREAM_DATA;
  let off = 0;
  for (let now = 1; now <= ms; now++) {
    const n = Math.min(125_000, limit - off);
    if (n > 0) ops.onFrame({ type: 'stream', id: 0, offset: off, data: data(n), fin: false }, now);
    off += Math.max(0, n);
    for (let budget = readPerMs, r = ops.read(0, Math.min(budget, 1 << 20), now); r; r = ops.read(0, Math.min(budget, 1 << 20), now)) {
      budget -= r.data.length;
      if (budget <= 0) break;
    }
    limit = Math.max(limit, maxStreamData(takeControl(ops)) ?? 0);
  }
  const table = (ops as unknown as { table: { get(id: number): { recvWindow: { window: number } } } }).table;
  return { ops, window: table.get(0).recvWindow.window };
}

test('windows follow the measured BDP while the application keeps up, not while it falls behind', () => {
  const fast = gigabit(400, Infinity);
  // 125 KB/ms x 200 ms = 25 MB; 6 x that is beyond the 128 MiB budget.
  assert.equal(fast.window, MAX_STREAM_WINDOW, `window ${(fast.window / 1e6).toFixed(1)} MB`);
  // A reader at 80 Mbit/s: the sender fills the window and arrivals follow the reads.
  const slow = gigabit(400, 10_000);
  assert.equal(slow.window, INITIAL_MAX_STREAM_DATA, 'a reader that falls behind gets no larger window');
});
