// When the ACKs stop getting through, the sender's only way to learn anything is its probes; the
// receiver answers each one at once (probes carry a PING) instead of pairing them as it pairs
// ordinary data packets, and twice. On a path whose losses come in bursts per packet, each answer
// is one more chance for the reverse path to leave its bad state, so stalls end sooner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from './harness.js';

test('each probe that reaches the receiver draws two ACKs of its own', () => {
  const sim = new Sim({ link: { rateMbps: 20, delayMs: 25 }, seed: 3, congestion: 'bbr' });
  const DOWN_FROM = 600;
  const UP_AT = 4600;
  // Only the reverse path dies: probes arrive, their ACKs do not.
  const dead = (now: number): boolean => now >= DOWN_FROM && now < UP_AT;
  const quiet = (now: number): boolean => now >= DOWN_FROM + 300 && now < UP_AT;
  let acksTried = 0;
  let probesArrived = 0;
  const send = sim.ba.send.bind(sim.ba);
  sim.ba.send = (d: Uint8Array, now: number) => {
    if (quiet(now)) acksTried++;
    if (!dead(now)) send(d, now);
  };
  const pop = sim.ab.popDue.bind(sim.ab);
  sim.ab.popDue = (now: number) => {
    const out = pop(now);
    if (quiet(now)) probesArrived += out.length;
    return out;
  };
  let received = 0;
  sim.onEvent = (side, e) => {
    if (side === 'a' && e.type === 'connected') {
      const id = sim.a.openStream()!;
      sim.a.streamWrite(id, new Uint8Array(4 << 20));
    } else if (side === 'b' && e.type === 'stream_readable') {
      for (let r = sim.b.streamRead(e.id); r; r = sim.b.streamRead(e.id)) received += r.data.length;
    }
  };
  sim.run(() => sim.now > UP_AT, UP_AT + 1);
  // In 4 s of dead ACK path the probe timeout fires several times, two probes each.
  assert.ok(probesArrived >= 6, `${probesArrived} probes arrived`);
  assert.equal(acksTried, 2 * probesArrived, 'two ACKs per probe');
  assert.ok(received > 0);
});
