import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ReceiveOptions, TransferSummary } from '../../src/app/api.js';
import { createApp } from '../../src/app/index.js';
import { sendItem } from '../../src/app/send-item.js';
import { connectClient } from '../../src/io/client.js';
import { memoryHarness, params } from '../io/harness.js';
import { Recorder, tempDir, transport } from './helpers.js';

test('the receiver refuses unsafe names and writes nothing for them', async () => {
  const h = memoryHarness();
  const parent = await tempDir('outer');
  const out = join(parent, 'out');
  const recv = new Recorder();
  let port = 0;
  let received!: Promise<TransferSummary>;
  await new Promise<void>((resolve) => {
    const o: ReceiveOptions = {
      ...transport(recv), listen: { host: '127.0.0.1', port: 0 }, outDir: out, force: true, keepOpen: false,
      onListening: (a) => { port = a.port; resolve(); },
    };
    received = createApp(h.deps).receiveFiles(o);
  });
  const session = await connectClient(h.deps, { ...params(), host: 'localhost', port });
  const names = ['../evil', 'a/b', '..', '.', '', 'x\\y', 'nul\0byte', 'ok-name'];
  const outcomes = [];
  for (const name of names) {
    const s = await session.openStream();
    const data = Buffer.from(`content of ${name}`);
    const header = { v: 1, kind: 'file', name, size: data.length, mode: 0o644, mtime: 0 } as const;
    outcomes.push(await sendItem(s, header, async function* () { yield data; }, () => undefined));
  }
  await session.close(0, 'done');
  const got = await received;
  assert.deepEqual(outcomes.map((o) => o.ok), [false, false, false, false, false, false, false, true]);
  for (const o of outcomes.slice(0, 7)) assert.match(o.error!, /unsafe file name|empty file name/);
  assert.deepEqual(await readdir(out), ['ok-name']);
  assert.deepEqual((await readdir(parent)).sort(), ['out']);
  assert.equal(dirname(out), parent);
  assert.deepEqual(got.items.map((i) => i.ok), outcomes.map((o) => o.ok));
  assert.equal(recv.failed.length, 7);
});
