// The CPace handshake seen from outside (issue 22): what a recorded hello gives away, and what
// injected or replayed hellos and REJECTs can do to a handshake (findings 1 and 5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../../src/core/connection.js';
import type { CloseReason, ConnectionEvent } from '../../../src/core/api.js';
import { SIM_CODE, randomSource } from '../../sim/harness.js';

const HEADER = 23;
const SHARE_END = HEADER + 32;

function client(code = SIM_CODE, seed = 1): Connection {
  return new Connection({ role: 'client', code, random: randomSource(seed), now: 0 });
}

function server(opts: { seed?: number; isFreshHello?: (share: Uint8Array) => boolean } = {}): Connection {
  return new Connection({ role: 'server', code: SIM_CODE, random: randomSource(opts.seed ?? 2), now: 0, ...opts });
}

function drain(c: Connection, now: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let d = c.pollTransmit(now); d; d = c.pollTransmit(now)) out.push(d.slice());
  return out;
}

function events(c: Connection): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let e = c.pollEvent(); e; e = c.pollEvent()) out.push(e);
  return out;
}

function closeOf(c: Connection): CloseReason | undefined {
  const e = events(c).find((x) => x.type === 'closed');
  return e?.type === 'closed' ? e.reason : undefined;
}

/** Runs the client's answer to `reply` back to the server: true once the server is connected. */
function confirms(c: Connection, s: Connection, reply: Uint8Array, now: number): boolean {
  c.handleDatagram(reply, now);
  assert.ok(c.isConnected, 'the client accepts the server hello');
  for (const d of drain(c, now + 1)) s.handleDatagram(d, now + 2);
  return s.isConnected;
}

describe('a recorded hello gives nothing to test a guess against', () => {
  test('hellos under two codes from the same randomness differ only in the 32-byte share', () => {
    const a = drain(client(SIM_CODE, 9), 0)[0]!;
    const b = drain(client('7-another-code-here', 9), 0)[0]!;
    assert.equal(a.length, b.length);
    const differ = [...a.keys()].filter((i) => a[i] !== b[i]);
    assert.ok(differ.length > 0);
    // The share is y·g(code) with a fresh secret y: a random group element whatever the code.
    // Every other byte is the same whatever the code, so no other field depends on it.
    assert.ok(differ.every((i) => i >= HEADER && i < SHARE_END), `bytes ${differ.filter((i) => i < HEADER || i >= SHARE_END).join(',')} depend on the code`);
  });

  test('two hellos under one code with different secrets have unrelated shares', () => {
    const a = drain(client(SIM_CODE, 3), 0)[0]!.subarray(HEADER, SHARE_END);
    const b = drain(client(SIM_CODE, 4), 0)[0]!.subarray(HEADER, SHARE_END);
    assert.notDeepEqual(a, b);
  });

  test('a server cannot tell a wrong-code hello from a right one: both get a server hello', () => {
    for (const code of [SIM_CODE, '1-wrong-code-guess']) {
      const s = server();
      const hello = drain(client(code), 0)[0]!;
      s.handleDatagram(hello, 1);
      const [reply] = drain(s, 1);
      assert.ok(reply, code);
      assert.equal(reply[0]! & 0x0f, 1, `${code}: SERVER_HELLO, not REJECT`);
      assert.equal(reply.length, HEADER + 64);
    }
  });
});

describe('injected and replayed hellos (finding 1)', () => {
  test('a copy of the accepted hello with a padding byte flipped changes nothing', () => {
    const c = client();
    const s = server();
    const hello = drain(c, 0)[0]!;
    s.handleDatagram(hello, 1);
    const [reply] = drain(s, 1);
    const forged = hello.slice();
    forged[600]! ^= 1;
    s.handleDatagram(forged, 2);
    assert.deepEqual(drain(s, 2), [], 'no second answer');
    assert.ok(confirms(c, s, reply!, 3), 'the real client completes');
  });

  test('a non-zero padding byte alone gets a hello refused', () => {
    const hello = drain(client(), 0)[0]!;
    hello[hello.length - 1] = 7;
    const s = server();
    s.handleDatagram(hello, 1);
    assert.deepEqual(drain(s, 1), []);
  });

  test('a different valid hello after one was accepted is told busy and swaps no keys', () => {
    const c = client();
    const s = server();
    s.handleDatagram(drain(c, 0)[0]!, 1);
    const [reply] = drain(s, 1);
    s.handleDatagram(drain(client(SIM_CODE, 5), 0)[0]!, 2);
    const answers = drain(s, 2);
    assert.equal(answers.length, 1);
    assert.equal(answers[0]![0]! & 0x0f, 2, 'REJECT (busy)');
    assert.equal(answers[0]!.length, HEADER + 1);
    assert.ok(confirms(c, s, reply!, 3));
  });

  test('the retransmitted hello gets the identical answer', () => {
    const c = client();
    const s = server();
    const hello = drain(c, 0)[0]!;
    s.handleDatagram(hello, 1);
    const first = drain(s, 1);
    s.handleDatagram(hello, 2);
    assert.deepEqual(drain(s, 2), first);
  });

  test('a hello answered in an earlier session is not answered again (replay, --keep-open)', () => {
    const seen = new Set<string>();
    const isFreshHello = (share: Uint8Array): boolean => {
      const k = Buffer.from(share).toString('hex');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
    const c = client();
    const hello = drain(c, 0)[0]!;
    const first = server({ isFreshHello });
    first.handleDatagram(hello, 1);
    assert.ok(confirms(c, first, drain(first, 1)[0]!, 2));
    const later = server({ isFreshHello, seed: 3 });
    later.handleDatagram(hello, 10);
    assert.deepEqual(drain(later, 10), [], 'the replay draws no answer');
    assert.equal(later.isClosed, false);
    // A fresh hello still gets in.
    const c2 = client(SIM_CODE, 6);
    later.handleDatagram(drain(c2, 11)[0]!, 12);
    assert.ok(confirms(c2, later, drain(later, 12)[0]!, 13));
  });

  test('a hello nobody confirms ends the server’s attempt after the handshake timeout', () => {
    const s = new Connection({ role: 'server', code: SIM_CODE, random: randomSource(2), now: 0, handshakeTimeoutMs: 3_000 });
    s.handleDatagram(drain(client(), 0)[0]!, 1);
    drain(s, 1);
    s.handleTimeout(3_001);
    const evs = events(s);
    assert.ok(evs.some((e) => e.type === 'auth_failed'));
    assert.ok(s.isClosed);
  });
});

describe('unauthenticated answers to the client (finding 5)', () => {
  /** A REJECT as someone who saw the client's hello can forge it: to the client's id, any reason. */
  function forgedReject(hello: Uint8Array, reason: number): Uint8Array {
    const r = new Uint8Array(HEADER + 1);
    r.set(hello.subarray(0, HEADER));
    r[0] = 0xc2;
    r.set(hello.subarray(15, 23), 6); // dcid = the client's scid
    r.set(hello.subarray(6, 14), 15);
    r[HEADER] = reason;
    return r;
  }

  test('a forged "wrong code" REJECT does not end the handshake; the real server hello still does', () => {
    const c = client();
    const s = server();
    const hello = drain(c, 0)[0]!;
    c.handleDatagram(forgedReject(hello, 1), 1);
    assert.equal(c.isClosed, false);
    assert.equal(closeOf(c), undefined);
    s.handleDatagram(hello, 2);
    assert.ok(confirms(c, s, drain(s, 2)[0]!, 3));
  });

  test('with nothing else, a REJECT only explains the timeout, as unauthenticated', () => {
    const c = new Connection({ role: 'client', code: SIM_CODE, random: randomSource(1), now: 0, handshakeTimeoutMs: 2_000 });
    const hello = drain(c, 0)[0]!;
    c.handleDatagram(forgedReject(hello, 2), 1);
    c.handleTimeout(2_000);
    assert.deepEqual(closeOf(c), { kind: 'handshake_timeout', rejectedWith: 2 });
  });

  test('a server hello under another code ends the client at once, and its ABORT ends the server’s attempt', () => {
    const c = client('1-wrong-code-guess');
    const s = server();
    s.handleDatagram(drain(c, 0)[0]!, 1);
    c.handleDatagram(drain(s, 1)[0]!, 2);
    assert.deepEqual(closeOf(c), { kind: 'wrong_code' });
    const abort = drain(c, 2);
    assert.equal(abort.length, 1);
    assert.equal(abort[0]![0]! & 0x0f, 3, 'ABORT');
    s.handleDatagram(abort[0]!, 3);
    const evs = events(s);
    assert.ok(evs.some((e) => e.type === 'auth_failed'));
    assert.ok(s.isClosed);
  });

  test('an ABORT without the token its hello committed to is ignored', () => {
    const c = client('1-wrong-code-guess');
    const s = server();
    s.handleDatagram(drain(c, 0)[0]!, 1);
    c.handleDatagram(drain(s, 1)[0]!, 2);
    const abort = drain(c, 2)[0]!;
    abort[abort.length - 1]! ^= 1;
    s.handleDatagram(abort, 3);
    assert.equal(s.isClosed, false);
  });
});
