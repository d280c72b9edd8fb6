// A path that goes dead for a while and comes back: the probe timeout backs off while nothing
// gets through, but no further than PTO_CEILING_MS, so the connection notices the path is back
// within about a second instead of one doubled interval later (seconds, after a long outage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PTO_CEILING_MS } from '../../src/core/recovery/pto.js';
import { Sim } from './harness.js';

const RTT = 50;
const REQUEST = 300;

/** ms from the path coming back to the request having arrived whole. */
function recovery(outageMs: number): number {
  const sim = new Sim({ link: { rateMbps: 20, delayMs: RTT / 2 }, seed: 5, congestion: 'bbr' });
  let downFrom = Infinity;
  const upAt = (): number => downFrom + outageMs;
  for (const link of [sim.ab, sim.ba]) {
    const send = link.send.bind(link);
    link.send = (d: Uint8Array, now: number) => {
      if (now >= downFrom && now < upAt()) return;
      send(d, now);
    };
  }
  let heard = 0;
  let arrivedAt: number | null = null;
  sim.onEvent = (side, e) => {
    if (side === 'a' && e.type === 'connected') {
      // Some traffic first, so the RTT is known; then the path dies as the request goes out.
      sim.onStep = () => {
        if (downFrom === Infinity && sim.now > 500) {
          downFrom = sim.now;
          const id = sim.a.openStream()!;
          assert.equal(sim.a.streamWrite(id, new Uint8Array(REQUEST).fill(7)), REQUEST);
        }
      };
    } else if (side === 'b' && e.type === 'stream_readable') {
      for (let r = sim.b.streamRead(e.id); r; r = sim.b.streamRead(e.id)) heard += r.data.length;
      if (heard === REQUEST) arrivedAt = sim.now;
    }
  };
  assert.ok(sim.run(() => arrivedAt !== null, 60_000), 'the request arrived');
  assert.ok(arrivedAt! >= upAt(), 'nothing crossed the dead path');
  return arrivedAt! - upAt();
}

test('after an outage the first probe that gets through comes within the PTO ceiling', () => {
  for (const outage of [3000, 8000, 20_000]) {
    const late = recovery(outage);
    // The next probe is at most one ceiling away, and needs half a round trip to arrive.
    assert.ok(late <= PTO_CEILING_MS + RTT, `${outage} ms outage: the request arrived ${late.toFixed(0)} ms after the path was back`);
  }
});
