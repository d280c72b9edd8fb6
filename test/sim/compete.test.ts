// BBR next to a loss-based flow (issue 21): a fair share where NewReno holds a deep queue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { queueShareScenarios, runShare } from '../../bench/lib/sharing.js';

describe('BBR next to one NewReno flow (100 Mbit/s, 50 ms, both from 0 s)', () => {
  // NewReno's slow start fills a 4-BDP buffer; the model's window, sized on the min RTT, then
  // covered less and less of the RTT and xfer slid to 0.11 x an equal share (bbr-compete.ts).
  test('4 BDP of queue: xfer takes 0.8-1.25 x an equal share over 10-20 s', () => {
    const spec = queueShareScenarios('bbr').find((s) => s.queueBdp === 4);
    assert.ok(spec, "bench:sim's 4-BDP scenario");
    const r = runShare(spec, () => 0);
    const [xfer = 0, reno = 0] = r.lateMbps;
    const ratio = xfer / ((xfer + reno) / 2);
    assert.ok(ratio >= 0.8 && ratio <= 1.25, `xfer ${xfer.toFixed(1)}, NewReno ${reno.toFixed(1)} Mbit/s: ${ratio.toFixed(2)} x`);
    assert.ok(r.lateUtilisationPct >= 90, `utilisation ${r.lateUtilisationPct.toFixed(1)} %`);
  });
});
