import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recovery } from '../../../src/core/conn/recovery-glue.js';
import { CONNECTION_MIN_BURST_MS } from '../../../src/core/congestion/pacer.js';

const MDS = 1400;
const TEN_PACKETS = 10 * MDS;

function send(r: Recovery, pns: number[], now: number): void {
  for (const pn of pns) r.onPacketSent(pn, now, MDS, 0, [], true);
}

test('the pacer bucket holds 2 ms of the rate, but only once slow start is over', () => {
  const r = new Recovery('newreno', MDS, 0);
  send(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0);
  // A 1 ms RTT: NewReno's pacing rate (window / RTT) is far above 10 packets per 2 ms.
  r.onAck([{ start: 0, end: 9 }], 0, 1);
  assert.ok(r.cc.inSlowStart());
  const slowStartRate = r.pacer.bytesPerSec;
  assert.ok((slowStartRate * CONNECTION_MIN_BURST_MS) / 1000 > TEN_PACKETS, `rate ${slowStartRate}`);
  assert.equal(r.pacer.capacity(), TEN_PACKETS, 'slow start keeps 10-packet bursts');

  // Packets 10..12 are lost (13..20 acknowledged past them): the window is cut, slow start ends.
  send(r, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 1);
  r.onAck([{ start: 13, end: 20 }], 0, 2);
  assert.ok(!r.cc.inSlowStart(), 'the loss ended slow start');
  const rate = r.pacer.bytesPerSec;
  assert.ok(rate > 0);
  assert.equal(r.pacer.capacity(), Math.max(TEN_PACKETS, (rate * CONNECTION_MIN_BURST_MS) / 1000));
  assert.ok(r.pacer.capacity() > TEN_PACKETS, `rate ${rate}: bucket ${r.pacer.capacity()}`);
});
