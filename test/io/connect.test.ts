import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { XferError } from '../../src/app/api.js';
import { connectClient } from '../../src/io/client.js';
import { Listener } from '../../src/io/server.js';
import type { XferStream } from '../../src/io/stream.js';
import { udpNetwork } from '../../src/io/udp.js';
import { delay, memoryHarness, params, sessionPair } from './harness.js';

function isXfer(kind: string, pattern: RegExp) {
  return (e: unknown): boolean => e instanceof XferError && e.kind === kind && pattern.test(e.message);
}

describe('client and server setup', () => {
  test('a wrong code is rejected on both sides and the server keeps waiting', async () => {
    const h = memoryHarness();
    const listener = await Listener.open(h.deps, '127.0.0.1', 0);
    const warnings: string[] = [];
    const accepted = listener.accept({ ...params(), onWrongCode: (r) => warnings.push(`${r.attempts} from ${r.peer}`) });
    const port = listener.address().port;
    await assert.rejects(
      connectClient(h.deps, { ...params({ code: 'nope' }), host: 'localhost', port }),
      isXfer('wrong_code', /^the code is wrong \(the receiver answered under another code\)$/),
    );
    assert.deepEqual(warnings, ['1 from 127.0.0.1:40001']);
    const client = await connectClient(h.deps, { ...params(), host: 'localhost', port });
    const server = await accepted;
    assert.equal(server.conn.isConnected, true);
    await client.close(0, 'done');
    await listener.close();
  });

  test('the listener stops after --max-attempts failed handshakes, with its own error', async () => {
    const h = memoryHarness();
    const listener = await Listener.open(h.deps, '127.0.0.1', 0);
    const reports: number[] = [];
    const accepted = listener.accept({ ...params(), maxAttempts: 2, onWrongCode: (r) => reports.push(r.attempts) });
    const stopped = assert.rejects(accepted, isXfer('attempts', /^stopped listening after 2 failed attempts to connect/));
    const port = listener.address().port;
    for (const guess of ['1-wrong-guess', '2-wrong-guess']) {
      await assert.rejects(connectClient(h.deps, { ...params({ code: guess }), host: 'localhost', port }), isXfer('wrong_code', /wrong/));
    }
    await stopped;
    assert.equal(reports.reduce((a, b) => a + b, 0), 2, 'both attempts reported');
    await listener.close();
  });

  test('nobody listening: unreachable after the handshake timeout', async () => {
    const h = memoryHarness();
    const phases: string[] = [];
    await assert.rejects(
      connectClient(h.deps, { ...params({ handshakeTimeoutMs: 150 }), host: 'box', port: 4999, onPhase: (p) => phases.push(p) }),
      isXfer('unreachable', /^no answer from box:4999 after 0\.2 s \(no receiver listening there/),
    );
    assert.deepEqual(phases, ['resolving', 'handshake']);
  });

  test('an unresolvable host is unreachable', async () => {
    const h = memoryHarness();
    await assert.rejects(
      connectClient(h.deps, { ...params(), host: 'nowhere.invalid', port: 1 }),
      isXfer('unreachable', /^cannot resolve nowhere\.invalid$/),
    );
  });

  test('a busy or forbidden port is a bind error', async () => {
    const h = memoryHarness();
    const first = await Listener.open(h.deps, '127.0.0.1', 5000);
    await assert.rejects(Listener.open(h.deps, '127.0.0.1', 5000), isXfer('bind', /^port 5000 is already in use$/));
    await assert.rejects(Listener.open(h.deps, '127.0.0.1', 80), isXfer('bind', /^not allowed to listen on port 80$/));
    await first.close();
  });

  test('aborting during the handshake rejects with interrupted', async () => {
    const h = memoryHarness();
    const ac = new AbortController();
    const p = connectClient(h.deps, { ...params({ signal: ac.signal }), host: 'box', port: 4999 });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, isXfer('interrupted', /^interrupted$/));
  });

  test('aborting a waiting server rejects with interrupted', async () => {
    const h = memoryHarness();
    const listener = await Listener.open(h.deps, '127.0.0.1', 0);
    const ac = new AbortController();
    const p = listener.accept(params({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, isXfer('interrupted', /^interrupted$/));
    await listener.close();
  });

  test('once connected, the server ignores datagrams from other addresses', async () => {
    const h = memoryHarness();
    const { client, listener } = await sessionPair(h);
    const serverConn = h.made.find((c) => c.role === 'server')!;
    const before = serverConn.packetsReceived;
    const stranger = await h.net.rawPort();
    stranger.send(new Uint8Array([11, 0, 0, 0, 0, 0, 0, 0, 0]), listener.address());
    await delay(10);
    assert.equal(serverConn.packetsReceived, before);
    await client.close(0, 'done');
    await listener.close();
  });

  test('peer silence ends the session with idle_timeout', async () => {
    const h = memoryHarness();
    const listener = await Listener.open(h.deps, '127.0.0.1', 0);
    const accepted = listener.accept(params({ idleTimeoutMs: 100 }));
    const client = await connectClient(h.deps, { ...params(), host: 'localhost', port: listener.address().port });
    const server = await accepted;
    await client.dispose(); // vanishes without a word
    assert.deepEqual(await server.closed, { kind: 'idle_timeout' });
    await listener.close();
  });
});

describe('over real UDP (loopback)', () => {
  test('connects and moves a stream through node:dgram', async () => {
    const h = memoryHarness({ bufferLimit: 16384 });
    const deps = { ...h.deps, network: udpNetwork };
    const listener = await Listener.open(deps, '127.0.0.1', 0);
    const accepted = listener.accept(params());
    const client = await connectClient(deps, { ...params(), host: 'localhost', port: listener.address().port });
    const server = await accepted;
    const payload = Buffer.alloc(200_000, 7);
    const got = new Promise<Buffer>((resolve) => {
      server.once('stream', (s: XferStream) => {
        const parts: Buffer[] = [];
        s.on('data', (c: Buffer) => parts.push(c));
        s.on('end', () => {
          s.end();
          resolve(Buffer.concat(parts));
        });
      });
    });
    const s = await client.openStream();
    s.end(payload);
    s.resume();
    assert.ok((await got).equals(payload));
    await once(s, 'end');
    await client.close(0, 'done');
    assert.equal((await server.closed).kind, 'peer');
    await listener.close();
  });

  test('binding a port in use fails with a bind error', async () => {
    const h = memoryHarness();
    const deps = { ...h.deps, network: udpNetwork };
    const a = await Listener.open(deps, '127.0.0.1', 0);
    const port = a.address().port;
    await assert.rejects(Listener.open(deps, '127.0.0.1', port), isXfer('bind', new RegExp(`^port ${port} is already in use$`)));
    await a.close();
  });
});
