// Real directory transfers between two xfer processes over UDP on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeAwkwardTree, snapshot } from '../app/tree-helpers.js';
import { e2eScratch, freePort, randomCode, startReceiver, xfer } from './helpers.js';

const at = e2eScratch();

test('the awkward tree arrives identical with --symlinks; a rerun skips everything', { timeout: 60_000 }, async () => {
  const src = at('src', 'top');
  const out = at('out');
  await makeAwkwardTree(src);
  const env = { XFER_CACHE_DIR: at('cache') };
  for (const round of [1, 2]) {
    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, out, [], 50_000);
    const send = await xfer(['send', src, `127.0.0.1:${port}`, '--code', code, '--symlinks'], { timeoutMs: 50_000, env }).done;
    assert.equal(send.code, 0, send.stderr);
    const r = await recv.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await snapshot(join(out, 'top')), await snapshot(src));
    if (round === 1) assert.match(send.stderr, /; 9 sent, 0 skipped, 0 failed, 22 directories, 1 link\n/);
    else assert.match(send.stderr, /; 0 sent, 9 skipped, 0 failed, 22 directories, 1 link\n/);
  }
});
