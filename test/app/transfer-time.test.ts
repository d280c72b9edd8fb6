// What the summary's time covers: the transfer, not the handshake before it or the close after
// it (run.ts transferTime). Over a network with a long fixed delay both show as round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { createApp } from '../../src/app/index.js';
import { CODE, realHarness } from './abort-helpers.js';
import { Recorder, tempDir, transport } from './helpers.js';

const ONE_WAY_MS = 100;

test('a file transfer is timed from the connection to the last answer, without the close', async () => {
  const h = realHarness(ONE_WAY_MS);
  const src = await tempDir('time-src');
  const out = await tempDir('time-out');
  await writeFile(join(src, 'f'), Buffer.alloc(1000, 7));
  let listening!: (port: number) => void;
  const bound = new Promise<number>((resolve) => (listening = resolve));
  const received = createApp(h.deps).receiveFiles({
    ...transport(new Recorder(), undefined, { code: CODE }),
    listen: { host: '127.0.0.1', port: 0 },
    outDir: out,
    force: false,
    keepOpen: false,
    onListening: (a) => listening(a.port),
  });
  const port = await bound;
  const t = performance.now();
  const sent = await createApp(h.deps).sendFiles({
    ...transport(new Recorder(), undefined, { code: CODE }),
    remote: { host: 'localhost', port },
    files: [join(src, 'f')],
    concurrency: 1,
  });
  const wall = performance.now() - t;
  await received;
  assert.equal(sent.counts?.sent, 1);
  // The handshake (one round trip) is outside; the batch, whose small file goes out with its
  // request, and its answer (one round trip) are inside. The close costs no wait: the sender
  // hangs up once answered.
  assert.ok(wall - sent.elapsedMs >= 2 * ONE_WAY_MS, `wall ${wall.toFixed(0)} ms, timed ${sent.elapsedMs.toFixed(0)} ms`);
  assert.ok(sent.elapsedMs >= 2 * ONE_WAY_MS, `timed ${sent.elapsedMs.toFixed(0)} ms`);
});

test('a pipe is timed from the connection to the receiver’s verdict, without the close', async () => {
  const h = realHarness(ONE_WAY_MS);
  let listening!: (port: number) => void;
  const bound = new Promise<number>((resolve) => (listening = resolve));
  const chunks: Buffer[] = [];
  const received = createApp(h.deps).receivePipe({
    ...transport(new Recorder(), undefined, { code: CODE }),
    listen: { host: '127.0.0.1', port: 0 },
    output: new Writable({ write: (c, _e, cb) => (chunks.push(c as Buffer), cb()) }),
    onListening: (a) => listening(a.port),
  });
  const port = await bound;
  const t = performance.now();
  const sent = await createApp(h.deps).sendPipe({
    ...transport(new Recorder(), undefined, { code: CODE }),
    remote: { host: 'localhost', port },
    input: Readable.from([Buffer.alloc(1000, 3)]),
  });
  const wall = performance.now() - t;
  await received;
  assert.equal(Buffer.concat(chunks).length, 1000);
  // The handshake is outside; the close costs no wait (the sender hangs up once answered).
  assert.ok(wall - sent.elapsedMs >= 2 * ONE_WAY_MS, `wall ${wall.toFixed(0)} ms, timed ${sent.elapsedMs.toFixed(0)} ms`);
});
