// Real transfers between two xfer processes over UDP on 127.0.0.1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eScratch, freePort, randomCode, sha256File, startReceiver, writeRandomFile, xfer } from './helpers.js';

const MiB = 1024 * 1024;
const at = e2eScratch();

describe('e2e transfers', () => {
  test('three files (empty, 64 MiB random, small) arrive intact', { timeout: 120_000 }, async () => {
    const src = at('src3');
    const out = at('out3');
    mkdirSync(src);
    const files = { 'empty.bin': 0, 'big.bin': 64 * MiB, 'small.txt': 1234 };
    const hashes: Record<string, string> = {};
    for (const [name, size] of Object.entries(files)) hashes[name] = writeRandomFile(join(src, name), size);

    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, out, [], 110_000);
    const send = await xfer(['send', ...Object.keys(files).map((f) => join(src, f)), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 110_000 }).done;
    assert.equal(send.code, 0, send.stderr);
    const r = await recv.done;
    assert.equal(r.code, 0, r.stderr);
    for (const name of Object.keys(files)) {
      assert.equal(await sha256File(join(out, name)), hashes[name], name);
    }
    assert.match(send.stderr, /3 items, 64\.0 MiB in/);
  });

  test('50 MiB through a pipe, stdout carries only the data', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const code = randomCode();
    const recv = xfer(['pipe', '--listen', `127.0.0.1:${port}`, '--code', code], { timeoutMs: 110_000 });
    await recv.waitStderr(/Listening on/);
    const send = xfer(['pipe', `127.0.0.1:${port}`, '--code', code], { timeoutMs: 110_000, stdin: 'pipe' });
    const stdin = send.child.stdin;
    assert.ok(stdin);
    stdin.on('error', () => {}); // reported through the exit status instead
    const hash = createHash('sha256');
    const total = 50 * MiB;
    for (let sent = 0; sent < total; ) {
      const chunk = randomBytes(Math.min(MiB, total - sent));
      hash.update(chunk);
      sent += chunk.length;
      if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
    }
    stdin.end();
    const [s, r] = await Promise.all([send.done, recv.done]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdoutBytes, total);
    assert.equal(r.stdoutSha256, hash.digest('hex'));
  });

  test('an existing file is refused without --force and replaced with it', { timeout: 60_000 }, async () => {
    const src = at('src-ow');
    const out = at('out-ow');
    mkdirSync(src);
    mkdirSync(out);
    writeFileSync(join(src, 'f.txt'), 'NEW CONTENT');
    writeFileSync(join(out, 'f.txt'), 'OLD');

    const code = randomCode();
    let port = await freePort();
    let recv = await startReceiver(port, code, out, [], 25_000);
    const refused = await xfer(['send', join(src, 'f.txt'), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 25_000 }).done;
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^xfer: .*failed/m);
    assert.equal(readFileSync(join(out, 'f.txt'), 'utf8'), 'OLD');
    recv.child.kill('SIGINT');
    await recv.done;

    port = await freePort();
    recv = await startReceiver(port, code, out, ['--force'], 25_000);
    const forced = await xfer(['send', join(src, 'f.txt'), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 25_000 }).done;
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await recv.done).code, 0);
    assert.equal(readFileSync(join(out, 'f.txt'), 'utf8'), 'NEW CONTENT');
  });
});
