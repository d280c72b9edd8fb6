import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Connection } from '../../src/core/connection.js';
import type { CloseReason, ConnectionEvent } from '../../src/core/api.js';
import { Sim, SIM_CODE, randomSource } from '../sim/harness.js';
import { VERSION } from '../../src/core/wire/header.js';

function events(c: Connection): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let e = c.pollEvent(); e; e = c.pollEvent()) out.push(e);
  return out;
}

function closeOf(evs: ConnectionEvent[]): CloseReason | undefined {
  const e = evs.find((x) => x.type === 'closed');
  return e && e.type === 'closed' ? e.reason : undefined;
}

describe('Connection lifecycle', () => {
  test('handshake completes and both sides report connected', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    const seen: string[] = [];
    sim.onEvent = (side, e) => seen.push(`${side}:${e.type}`);
    assert.ok(sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000));
    assert.ok(seen.includes('a:connected') && seen.includes('b:connected'));
    assert.ok(sim.now < 100, `handshake took ${sim.now} ms on a 20 ms RTT link`);
  });

  test('the handshake is the first RTT sample on both sides, so the first flight is paced', () => {
    const sim = new Sim({ link: { rateMbps: 100, delayMs: 50 }, congestion: 'bbr' });
    assert.ok(sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000));
    for (const side of ['a', 'b'] as const) {
      const s = sim.conn(side).stats();
      assert.ok(s.minRttMs >= 100 && s.minRttMs < 105, `${side}: min RTT ${s.minRttMs} ms on a 100 ms link`);
    }
    // 32 packets spread over the 100 ms the handshake measured (x the startup gain), not one burst.
    const rate = sim.a.stats().pacingRateBytesPerSec;
    assert.ok(rate < 2e6, `first-flight pacing rate ${rate} B/s`);
  });

  test('a retransmitted hello gives no RTT sample (which copy was answered?)', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, congestion: 'bbr' });
    const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0 });
    assert.ok(c.pollTransmit(0), 'first hello (lost)');
    assert.ok(c.pollTransmit(0), 'its copy (lost too)');
    assert.equal(c.pollTransmit(0), null);
    const retry = c.pollTimeout()!;
    const hello = c.pollTransmit(retry);
    assert.ok(hello, 'second hello');
    s.handleDatagram(hello, retry + 50);
    const reply = s.pollTransmit(retry + 50);
    assert.ok(reply);
    c.handleDatagram(reply, retry + 100);
    assert.ok(c.isConnected);
    assert.equal(c.stats().minRttMs, 0, 'no sample from an ambiguous handshake');
    // The server sent its hello once, so the client's first packet is a clean sample for it.
    for (let d = c.pollTransmit(retry + 100); d; d = c.pollTransmit(retry + 100)) s.handleDatagram(d, retry + 150);
    assert.ok(s.isConnected);
    assert.equal(s.stats().minRttMs, 100);
  });

  test("the server's first RTT sample starts when its hello leaves: its key exchange is not the path", () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, congestion: 'bbr' });
    const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0, congestion: 'bbr' });
    const hello = c.pollTransmit(0);
    assert.ok(hello);
    s.handleDatagram(hello, 50);
    // A process that just started took 60 ms to compute its reply (seen on linkem: 50-72 ms).
    const reply = s.pollTransmit(110);
    assert.ok(reply);
    c.handleDatagram(reply, 160);
    for (let d = c.pollTransmit(160); d; d = c.pollTransmit(160)) s.handleDatagram(d, 210);
    assert.ok(s.isConnected);
    assert.equal(s.stats().minRttMs, 100, 'from the hello leaving (110) to the answer (210)');
    assert.equal(c.stats().minRttMs, 160, 'the client cannot tell the server was slow');
  });

  test('each hello goes twice; the server answers both copies, and either alone completes the handshake with a clean RTT sample', () => {
    for (const lost of ['hello', 'reply'] as const) {
      const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, congestion: 'bbr' });
      const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0, congestion: 'bbr' });
      const first = c.pollTransmit(0);
      const copy = c.pollTransmit(0);
      assert.ok(first && copy);
      const hellos = [first, copy];
      assert.deepEqual(hellos[1], hellos[0]);
      assert.equal(c.pollTransmit(0), null, 'two copies, no more');
      const replies: Uint8Array[] = [];
      for (const [i, h] of hellos.entries()) {
        if (lost === 'hello' && i === 0) continue;
        s.handleDatagram(h, 50 + i * 0.1);
        for (let d = s.pollTransmit(50 + i * 0.1); d; d = s.pollTransmit(50 + i * 0.1)) replies.push(d);
      }
      assert.equal(replies.length, lost === 'hello' ? 1 : 2, `${lost} lost: the server answers each copy that came`);
      c.handleDatagram(lost === 'reply' ? replies[1]! : replies[0]!, 100);
      assert.ok(c.isConnected, `${lost} lost: connected in one round trip`);
      assert.equal(c.stats().minRttMs, 100, `${lost} lost: the copies left together, so the sample stands`);
      for (let d = c.pollTransmit(100); d; d = c.pollTransmit(100)) s.handleDatagram(d, 150);
      assert.ok(s.isConnected);
      // From its first answer leaving (50, or 50.1 when only the copy came) to the client's packet.
      assert.equal(s.stats().minRttMs, lost === 'hello' ? 150 - 50.1 : 100, `${lost} lost: a copy is not a retry for the server either`);
    }
  });

  test('the server makes its key pair with the connection, while idle, not when the hello arrives', () => {
    let drawn = 0;
    const base = randomSource(2);
    const counting = (n: number): Uint8Array => {
      drawn += n;
      return base(n);
    };
    const s = new Connection({ role: 'server', code: SIM_CODE, random: counting, now: 0 });
    const atStart = drawn;
    assert.ok(atStart >= 32, `${atStart} random bytes drawn when the connection was made`);
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0 });
    s.handleDatagram(c.pollTransmit(0)!, 10);
    const reply = s.pollTransmit(10);
    assert.ok(reply, 'server hello');
    assert.ok(drawn - atStart < 32, `${drawn - atStart} more for the hello: no key pair made then`);
    c.handleDatagram(reply, 20);
    assert.ok(c.isConnected, 'and the handshake completes with it');
  });

  test('another protocol version: the server names its own, the client stops at once, the server keeps listening', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0 });
    const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0 });
    // A hello of version 7 as a future client would send it: same layout, another number.
    const hello = c.pollTransmit(0)!.slice();
    new DataView(hello.buffer).setUint32(1, 0x78660007);
    s.handleDatagram(hello, 10);
    assert.deepEqual(events(s), [{ type: 'version_mismatch', peerVersion: 0x78660007 }]);
    const reply = s.pollTransmit(10);
    assert.ok(reply && reply.length < hello.length, 'a small answer (no amplification)');
    assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(1), 0x78660007, "in the client's version");
    assert.equal(s.isClosed, false);
    assert.equal(s.stats().droppedMalformed, 0);

    // The same answer, as it reaches a client of that version, this one playing it: patch the
    // header's version back to ours (the client was built with ours).
    const back = reply.slice();
    new DataView(back.buffer).setUint32(1, VERSION);
    c.handleDatagram(back, 20);
    assert.deepEqual(closeOf(events(c)), { kind: 'version_mismatch', peerVersion: VERSION });

    // Then a client of our version still gets in.
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 5 } });
    assert.ok(sim.run(() => sim.a.isConnected && sim.b.isConnected, 2_000));
  });

  test('other-version datagrams that are not a full hello get no answer', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0 });
    const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0 });
    const hello = c.pollTransmit(0)!.slice();
    new DataView(hello.buffer).setUint32(1, 0x78660001);
    s.handleDatagram(hello.subarray(0, 600), 1);
    const reject = hello.slice();
    reject[0] = 0xc2;
    s.handleDatagram(reject, 2);
    assert.equal(s.pollTransmit(3), null);
    assert.deepEqual(events(s), []);
    assert.equal(s.stats().droppedMalformed, 2);
    // A client drops other-version packets too: nothing it could be waiting for.
    c.handleDatagram(hello, 4);
    assert.equal(c.isClosed, false);
  });

  test('a wrong code ends the client within 2 s, and its ABORT ends the server’s attempt at once', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 50 }, clientOptions: { code: 'ffffffffffffffffffffffffffffffff' } });
    let reason: CloseReason | undefined;
    let serverReason: CloseReason | undefined;
    let authFailed = 0;
    sim.onEvent = (side, e) => {
      if (side === 'a' && e.type === 'closed') reason = e.reason;
      if (side === 'b' && e.type === 'closed') serverReason = e.reason;
      if (side === 'b' && e.type === 'auth_failed') authFailed++;
    };
    sim.run(() => reason !== undefined && serverReason !== undefined, 10_000);
    assert.deepEqual(reason, { kind: 'wrong_code' });
    assert.deepEqual(serverReason, { kind: 'wrong_code' });
    assert.ok(sim.now < 2_000, `took ${sim.now} ms`);
    assert.equal(authFailed, 1);
  });

  test('the wrong code is still detected when server hellos are lost', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 50 }, reverse: { rateMbps: 10, delayMs: 50, lossPct: 60 }, seed: 5, clientOptions: { code: 'ffffffffffffffffffffffffffffffff' } });
    let reason: CloseReason | undefined;
    sim.onEvent = (side, e) => { if (side === 'a' && e.type === 'closed') reason = e.reason; };
    sim.run(() => reason !== undefined, 10_000);
    assert.deepEqual(reason, { kind: 'wrong_code' });
  });

  test('no answer: the client gives up after the handshake timeout', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, handshakeTimeoutMs: 3_000 });
    let now = 0;
    let sent = 0;
    let reason: CloseReason | undefined;
    while (!reason && now < 60_000) {
      while (c.pollTransmit(now)) sent++;
      const t = c.pollTimeout();
      assert.ok(t !== null);
      now = t;
      c.handleTimeout(now);
      reason = closeOf(events(c));
    }
    assert.deepEqual(reason, { kind: 'handshake_timeout' });
    assert.equal(now, 3_000);
    // Two copies per try, and the tries back off.
    assert.ok(sent >= 6 && sent < 20 && sent % 2 === 0, `client hello retransmitted with backoff (${sent} sends)`);
  });

  test('the hello backoff stops at 1 s: a 10 s handshake makes 12 tries, so a burst of loss cannot eat them all', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, handshakeTimeoutMs: 10_000 });
    const at: number[] = [];
    let now = 0;
    while (!c.isClosed && now < 60_000) {
      while (c.pollTransmit(now)) at.push(now);
      const t = c.pollTimeout();
      if (t === null) break;
      now = t;
      c.handleTimeout(now);
    }
    // Each try is two copies, sent at the same moment.
    assert.equal(at.length, 24, `hellos at ${at.join(', ')}`);
    const tries = at.filter((_, i) => i % 2 === 0);
    assert.deepEqual(at.filter((_, i) => i % 2 === 1), tries);
    assert.deepEqual(tries.slice(0, 5), [0, 250, 750, 1750, 2750]);
    assert.ok(tries.slice(1).every((t, i) => t - tries[i]! <= 1_000), 'no gap above 1 s');
  });

  test('idle timeout when the peer vanishes after the handshake', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 }, clientOptions: { idleTimeoutMs: 4_000 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    const start = sim.now;
    // Cut the link: nothing from b reaches a any more.
    sim.ba.send = () => {};
    let reason: CloseReason | undefined;
    sim.onEvent = (side, e) => { if (side === 'a' && e.type === 'closed') reason = e.reason; };
    sim.run(() => reason !== undefined, 60_000);
    assert.deepEqual(reason, { kind: 'idle_timeout' });
    // Counted from the last packet a heard: b's answer to a's first PING (acked at once) may
    // still be on its way when the link is cut: one 10 ms delay plus its serialisation.
    assert.ok(sim.now - start >= 3_900 && sim.now - start <= 4_011, `after ${sim.now - start} ms`);
  });

  test('graceful close reaches the peer with its code and reason', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    let peerReason: CloseReason | undefined;
    let localReason: CloseReason | undefined;
    sim.onEvent = (side, e) => {
      if (e.type !== 'closed') return;
      if (side === 'b') peerReason = e.reason;
      else localReason = e.reason;
    };
    const closedAt = sim.now;
    sim.a.close(0, 'done', sim.now);
    sim.run(() => peerReason !== undefined && localReason !== undefined, 10_000);
    assert.deepEqual(peerReason, { kind: 'peer', errorCode: 0, reason: 'done' });
    assert.deepEqual(localReason, { kind: 'local', errorCode: 0, reason: 'done' });
    // The peer answers the close, so the closer is done after one round trip (20 ms here)
    // instead of lingering three PTOs.
    assert.ok(sim.now - closedAt < 30, `closing took ${sim.now - closedAt} ms`);
  });

  test('a lost answer to the close: the closer still ends, after its linger', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    let localReason: CloseReason | undefined;
    sim.onEvent = (side, e) => {
      if (side === 'a' && e.type === 'closed') localReason = e.reason;
    };
    // From now on everything b sends is lost: a must end on its own timer.
    sim.ba.send = () => {};
    const closedAt = sim.now;
    sim.a.close(0, 'done', sim.now);
    sim.run(() => localReason !== undefined, 10_000);
    assert.ok(sim.b.isClosed);
    assert.deepEqual(localReason, { kind: 'local', errorCode: 0, reason: 'done' });
    assert.ok(sim.now - closedAt >= 50, `closing took ${sim.now - closedAt} ms`);
  });
});

describe('closing on a lossy path', () => {
  test('a closer that hears nothing sends its close six times over its linger', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    sim.run(() => false, sim.now + 200); // the handshake's last ACKs go first
    sim.ba.send = () => {};
    let closes = 0;
    sim.ab.send = () => void closes++;
    let ended = false;
    sim.onEvent = (side, e) => { if (side === 'a' && e.type === 'closed') ended = true; };
    sim.a.close(0, 'done', sim.now);
    sim.run(() => ended, 10_000);
    assert.equal(closes, 6);
  });

  test('the peer still learns of a graceful close when the first five copies are lost', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 }, serverOptions: { idleTimeoutMs: 5_000 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    // Nothing b says reaches a, so a's closes go by its timer only.
    sim.ba.send = () => {};
    let lose = 5;
    const send = sim.ab.send.bind(sim.ab);
    sim.ab.send = (d: Uint8Array, now: number) => (lose-- > 0 ? undefined : send(d, now));
    let peerReason: CloseReason | undefined;
    sim.onEvent = (side, e) => { if (side === 'b' && e.type === 'closed') peerReason = e.reason; };
    sim.a.close(0, 'done', sim.now);
    sim.run(() => peerReason !== undefined, 10_000);
    assert.deepEqual(peerReason, { kind: 'peer', errorCode: 0, reason: 'done' });
  });
});

describe('garbage datagrams', () => {
  test('random bytes never throw and are counted, before and after the handshake', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    const fresh = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(9), now: 0 });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), (buf) => {
        for (const c of [sim.a, sim.b, fresh]) c.handleDatagram(buf, sim.now);
      }),
      { numRuns: 2_000 },
    );
    const s = sim.b.stats();
    assert.ok(s.droppedMalformed + s.droppedUnauthenticated >= 1_900, JSON.stringify(s));
    assert.ok(sim.a.isConnected && sim.b.isConnected, 'garbage did not break the connection');
  });

  test('mutated real packets are dropped as unauthenticated, never processed', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    const id = sim.a.openStream()!;
    sim.a.streamWrite(id, new Uint8Array(5000).fill(7));
    const packets: Uint8Array[] = [];
    for (let d = sim.a.pollTransmit(sim.now); d; d = sim.a.pollTransmit(sim.now)) packets.push(d);
    assert.ok(packets.length > 0);
    const before = sim.b.stats().droppedUnauthenticated;
    let mutated = 0;
    for (const p of packets) {
      for (let i = 0; i < 50; i++) {
        const m = p.slice();
        // Flip a bit past the header's first byte and dcid, where parsing still succeeds.
        const pos = 9 + ((i * 131) % (m.length - 9));
        m[pos]! ^= 1 << (i % 8);
        sim.b.handleDatagram(m, sim.now);
        mutated++;
      }
    }
    const after = sim.b.stats();
    assert.ok(after.droppedUnauthenticated + after.droppedMalformed - before >= mutated * 0.9);
    assert.equal(events(sim.b).filter((e) => e.type === 'stream_opened').length, 0, 'no stream from forged data');
  });
});

describe('ACK batching', () => {
  test('holdAcks keeps a bare ACK back; the one ACK sent afterwards covers the whole burst', () => {
    // At the base size there is no path MTU probe, whose PING would ask for an ACK at once.
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 }, clientOptions: { maxDatagramSize: 1200 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    events(sim.b);
    const id = sim.a.openStream()!;
    sim.a.streamWrite(id, new Uint8Array(20_000).fill(1));
    const packets: Uint8Array[] = [];
    for (let d = sim.a.pollTransmit(sim.now); d; d = sim.a.pollTransmit(sim.now)) packets.push(d);
    assert.ok(packets.length >= 10, `${packets.length} packets`);
    for (const p of packets) {
      sim.b.handleDatagram(p, sim.now);
      assert.equal(sim.b.pollTransmit(sim.now, true), null, 'a bare ACK waits while the burst is handled');
    }
    events(sim.b);
    const ack = sim.b.pollTransmit(sim.now);
    assert.ok(ack, 'the ACK goes out once asked without holdAcks');
    assert.equal(sim.b.pollTransmit(sim.now), null, 'one ACK for the whole burst');
    const inFlight = sim.a.stats().bytesInFlight;
    sim.a.handleDatagram(ack, sim.now);
    assert.equal(sim.a.stats().bytesInFlight, 0, `all ${inFlight} bytes acknowledged by it`);
  });
});

describe('streams', () => {
  test('a frame for peer stream n opens the lower streams too; their late frames still land', () => {
    const sim = new Sim({ link: { rateMbps: 10, delayMs: 10 } });
    sim.run(() => sim.a.isConnected && sim.b.isConnected, 5_000);
    events(sim.b);
    const s0 = sim.a.openStream()!;
    const s2 = sim.a.openStream()!;
    sim.a.streamWrite(s0, new Uint8Array([1, 2, 3]));
    sim.a.streamFinish(s0);
    sim.a.streamWrite(s2, new Uint8Array([4, 5]));
    sim.a.streamFinish(s2);
    const packets: Uint8Array[] = [];
    for (let d = sim.a.pollTransmit(sim.now); d; d = sim.a.pollTransmit(sim.now)) packets.push(d);
    assert.ok(packets.length >= 2, 'one packet per stream');
    // Deliver in reverse: stream 2's data arrives before stream 0's.
    for (const p of packets.reverse()) sim.b.handleDatagram(p, sim.now);
    const evs = events(sim.b);
    const opened = evs.filter((e) => e.type === 'stream_opened').map((e) => (e as { id: number }).id);
    assert.deepEqual(opened.sort(), [s0, s2].sort());
    const r0 = sim.b.streamRead(s0);
    const r2 = sim.b.streamRead(s2);
    assert.deepEqual([...r0!.data], [1, 2, 3]);
    assert.equal(r0!.fin, true);
    assert.deepEqual([...r2!.data], [4, 5]);
  });
});
