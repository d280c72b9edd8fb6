// What a receiver holds in memory for stream data: the blocks of its connection's pool, which
// flow control must bound (src/core/flow/README.md), whatever the datagram size, loss or reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamOps } from '../../../src/core/conn/stream-ops.js';
import { EventQueue } from '../../../src/core/conn/event-queue.js';
import { Recovery } from '../../../src/core/conn/recovery-glue.js';
import { INITIAL_MAX_DATA, INITIAL_MAX_STREAM_DATA } from '../../../src/core/conn/streams.js';
import { RECV_BLOCK_SIZE, type BlockPool } from '../../../src/core/stream/block-pool.js';

const MiB = 1 << 20;

interface Internals {
  table: { recvBlocks: BlockPool; get(id: number): { recvWindow: { window: number } } | undefined };
}

interface Run {
  /** Bytes of stream data per frame (a 64 KB datagram carries ~65,000). */
  frame: number;
  /** Every lossEvery-th frame is lost and arrives again `repairAfter` frames later. */
  lossEvery: number;
  repairAfter: number;
  /** The application reads this much after every frame that arrives. */
  readPerFrame: number;
  total: number;
}

function byteAt(i: number): number {
  return (i * 31 + (i >>> 13)) & 0xff;
}

function payload(offset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = byteAt(offset + i);
  return out;
}

/**
 * A sender that sends up to the credit granted (MAX_STREAM_DATA and MAX_DATA) into one
 * receiver; returns the most pool memory seen against the window at that moment.
 */
function transfer(r: Run): { worstOverWindow: number; allocated: number; maxWindow: number; read: number; inUseAfter: number } {
  const recovery = new Recovery('newreno', 1400, 0);
  recovery.rtt.update(10, 0, 0);
  const ops = new StreamOps('server', new EventQueue(), recovery);
  const table = (ops as unknown as Internals).table;
  let streamLimit = INITIAL_MAX_STREAM_DATA;
  let connLimit = INITIAL_MAX_DATA;
  let sent = 0;
  let read = 0;
  let now = 0;
  let worstOverWindow = -Infinity;
  let maxWindow = 0;
  const repairs: { due: number; offset: number; n: number }[] = [];
  const deliver = (offset: number, n: number): void => {
    ops.onFrame({ type: 'stream', id: 0, offset, data: payload(offset, n), fin: offset + n === r.total }, now);
  };
  for (let k = 0; read < r.total; k++) {
    now += 0.05;
    const n = Math.min(r.frame, streamLimit - sent, connLimit - sent, r.total - sent);
    if (n > 0) {
      if (k % r.lossEvery === r.lossEvery - 1) repairs.push({ due: k + r.repairAfter, offset: sent, n });
      else deliver(sent, n);
      sent += n;
    }
    while (repairs.length > 0 && (repairs[0]!.due <= k || n <= 0)) {
      const p = repairs.shift()!;
      deliver(p.offset, p.n);
    }
    for (let left = r.readPerFrame; left > 0;) {
      const got = ops.read(0, Math.min(left, 256 * 1024), now);
      if (!got || got.data.length === 0) break;
      assert.deepEqual(got.data.subarray(0, 64), payload(read, Math.min(64, got.data.length)));
      read += got.data.length;
      left -= got.data.length;
    }
    for (const f of ops.control.take(() => true)) {
      if (f.type === 'max_stream_data') streamLimit = Math.max(streamLimit, f.max);
      if (f.type === 'max_data') connLimit = Math.max(connLimit, f.max);
    }
    const window = table.get(0)?.recvWindow.window ?? maxWindow;
    maxWindow = Math.max(maxWindow, window);
    worstOverWindow = Math.max(worstOverWindow, table.recvBlocks.inUseBytes - window);
  }
  return { worstOverWindow, allocated: table.recvBlocks.allocatedBytes, maxWindow, read, inUseAfter: table.recvBlocks.inUseBytes };
}

const cases: [string, Run][] = [
  ['64 KB datagrams, a reader slower than the sender', { frame: 65_000, lossEvery: 1000, repairAfter: 1, readPerFrame: 40_000, total: 96 * MiB }],
  ['64 KB datagrams, 2 % loss repaired 60 frames later', { frame: 65_000, lossEvery: 50, repairAfter: 60, readPerFrame: 60_000, total: 96 * MiB }],
  ['1400-byte datagrams, loss and a slow reader', { frame: 1400, lossEvery: 40, repairAfter: 300, readPerFrame: 1000, total: 24 * MiB }],
];

for (const [name, run] of cases) {
  test(`received data holds no more memory than the flow-control window: ${name}`, () => {
    const r = transfer(run);
    assert.equal(r.read, run.total);
    // A stream's bytes span its window; the partly filled blocks at either end add at most two.
    assert.ok(r.worstOverWindow <= 2 * RECV_BLOCK_SIZE, `blocks in use exceeded the window by ${r.worstOverWindow} bytes`);
    assert.ok(r.allocated <= r.maxWindow + 2 * RECV_BLOCK_SIZE, `pool ${r.allocated} bytes for a window of ${r.maxWindow}`);
    assert.equal(r.inUseAfter, 0, 'every block is back in the pool once all was read');
  });
}
