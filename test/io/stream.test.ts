import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { AppError } from '../../src/core/api.js';
import { ConnectionClosedError, StreamAbort, StreamResetError } from '../../src/io/errors.js';
import type { XferStream } from '../../src/io/stream.js';
import { delay, memoryHarness, sessionPair } from './harness.js';

function nextStream(server: { once(ev: 'stream', cb: (s: XferStream) => void): unknown }): Promise<XferStream> {
  return new Promise((resolve) => server.once('stream', resolve));
}

/** Reads to the end without destroying (for-await would reset our still-open sending side). */
async function collect(s: XferStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s.iterator({ destroyOnReturn: false })) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('stream adapter', () => {
  test('a slow reader holds the writer back; nothing is lost or reordered', async () => {
    const h = memoryHarness({ bufferLimit: 4096 });
    const { client, server, listener } = await sessionPair(h);
    const total = 4 * 1024 * 1024;
    const data = randomBytes(total);
    let produced = 0;
    const source = Readable.from((function* () {
      for (let off = 0; off < total; off += 16384) {
        produced += Math.min(16384, total - off);
        yield data.subarray(off, off + 16384);
      }
    })());
    const out = client.openStream().then((s) => pipeline(source, s));
    const incoming = await nextStream(server);
    const first = incoming.read(0); // start, then stall the reader for a while
    assert.equal(first, null);
    await delay(150);
    // Everything the producer got rid of is bounded by the buffers in between, far below 4 MiB.
    assert.ok(produced < 1024 * 1024, `producer ran ahead: ${produced}`);
    const clientConn = h.made.find((c) => c.role === 'client')!;
    assert.ok(clientConn.writes.some((n) => n === 0), 'streamWrite never pushed back');
    const got = await collect(incoming);
    await out;
    assert.equal(got.length, total);
    assert.ok(got.equals(data));
    await client.close(0, 'done');
    await listener.close();
  });

  test('random chunkings arrive intact (property)', async () => {
    const h = memoryHarness({ bufferLimit: 1500, chunk: 333 });
    const { client, server, listener } = await sessionPair(h);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 12 }), async (chunks) => {
        const got = nextStream(server).then(collect);
        const s = await client.openStream();
        await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), s);
        assert.ok((await got).equals(Buffer.concat(chunks)));
      }),
      { numRuns: 25 },
    );
    await client.close(0, 'done');
    await listener.close();
  });

  test("'finish' means the peer has everything, FIN included", async () => {
    const h = memoryHarness();
    const { client, server, listener } = await sessionPair(h);
    const s = await client.openStream();
    const incoming = nextStream(server);
    s.end(Buffer.from('hello'));
    await once(s, 'finish');
    const serverConn = h.made.find((c) => c.role === 'server')!;
    const r = serverConn.streamRead(s.id);
    assert.deepEqual(r && { text: Buffer.from(r.data).toString(), fin: r.fin }, { text: 'hello', fin: true });
    (await incoming).destroy();
    await client.close(0, 'done');
    await listener.close();
  });

  test('a peer reset destroys the stream with its code; our destroy resets with CANCELLED', async () => {
    const h = memoryHarness();
    const { client, server, listener } = await sessionPair(h);
    const s = await client.openStream();
    const incoming = nextStream(server);
    s.write('x');
    const peer = await incoming;
    const peerErr = once(peer, 'error');
    s.on('error', () => undefined);
    s.destroy(new StreamAbort(AppError.SOURCE_ERROR));
    const [err] = await peerErr;
    assert.ok(err instanceof StreamResetError);
    assert.equal(err.code, AppError.SOURCE_ERROR);

    const s2 = await client.openStream();
    const incoming2 = nextStream(server);
    s2.write('y');
    const peer2 = await incoming2;
    const err2 = once(peer2, 'error');
    s2.destroy();
    assert.equal((await err2)[0].code, AppError.CANCELLED);
    await client.close(0, 'done');
    await listener.close();
  });

  test('stopReading tells the writer, whose pending writes are released', async () => {
    const h = memoryHarness({ bufferLimit: 1024 });
    const { client, server, listener } = await sessionPair(h);
    const s = await client.openStream();
    const incoming = nextStream(server);
    const writable = s.write(Buffer.alloc(600 * 1024));
    assert.equal(writable, false);
    const peer = await incoming;
    const stopped = once(s, 'stopSending');
    const drained = once(s, 'drain');
    peer.stopReading(AppError.REFUSED);
    assert.deepEqual(await stopped, [AppError.REFUSED]);
    assert.equal(s.sendStopped, AppError.REFUSED);
    await drained;
    // The reverse direction still works: the refusing side can answer.
    peer.end('no thanks');
    s.end();
    assert.equal((await collect(s)).toString(), 'no thanks');
    await client.close(0, 'done');
    await listener.close();
  });

  test('closing the connection fails open streams and stream waiters', async () => {
    const h = memoryHarness({ maxStreams: 1 });
    const { client, server, listener } = await sessionPair(h);
    const s = await client.openStream();
    const waiting = client.openStream();
    s.write('x');
    const err = once(s, 'error');
    await server.close(AppError.NONE, 'bye');
    await assert.rejects(waiting, ConnectionClosedError);
    const [e] = await err;
    assert.ok(e instanceof ConnectionClosedError);
    assert.equal(e.reason.kind, 'peer');
    await listener.close();
  });

  test('openStream waits while the peer stream limit is reached', async () => {
    const h = memoryHarness({ maxStreams: 1 });
    const { client, server, listener } = await sessionPair(h);
    server.on('stream', (p: XferStream) => {
      p.resume();
      p.on('end', () => p.end());
    });
    const a = await client.openStream();
    let second: XferStream | null = null;
    const pending = client.openStream().then((s) => (second = s));
    await delay(20);
    assert.equal(second, null);
    a.end('done');
    a.resume();
    await pending;
    assert.ok(second);
    assert.notEqual((second as XferStream).id, a.id);
    await client.close(0, 'done');
    await listener.close();
  });
});
