import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamOps } from '../../../src/core/conn/stream-ops.js';
import { EventQueue } from '../../../src/core/conn/event-queue.js';
import { Recovery } from '../../../src/core/conn/recovery-glue.js';
import { INITIAL_MAX_STREAM_DATA } from '../../../src/core/conn/streams.js';
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
