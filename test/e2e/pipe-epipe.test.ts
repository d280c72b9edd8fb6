// `xfer pipe --listen ... | head -c 100`: the reader of the receiver's stdout goes away early.
// The receiver stops the stream and exits 0; the sender learns that not everything arrived.
import { afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { assertBuilt, BIN, freePort, killAll, randomCode, ROOT, xfer } from './helpers.js';

before(assertBuilt);
afterEach(killAll);

test('EPIPE on the receiver\'s stdout: receiver exits 0 with a warning, sender exits 1', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const code = randomCode();
  // Spawned by hand: stdout must be a real pipe that we close after 100 bytes, as `head -c 100` does.
  const recv = spawn(process.execPath, [BIN, 'pipe', '--listen', `127.0.0.1:${port}`, '--code', code], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  recv.stderr.on('data', (b: Buffer) => (err += b.toString()));
  let got = 0;
  recv.stdout.on('data', (b: Buffer) => {
    got += b.length;
    if (got >= 100) recv.stdout.destroy();
  });
  const recvDone = new Promise<number | null>((resolve) => recv.on('close', (c) => resolve(c)));
  while (!/Listening on/.test(err)) await new Promise((r) => setTimeout(r, 10));

  const send = xfer(['pipe', `127.0.0.1:${port}`, '--code', code], { timeoutMs: 50_000, stdin: 'pipe' });
  const stdin = send.child.stdin!;
  stdin.on('error', () => {});
  // Far more than the pipes and windows hold: the sender must be stopped, not run dry.
  let stop = false;
  void (async () => {
    for (let i = 0; i < 2000 && !stop; i++) {
      if (!stdin.write(randomBytes(256 * 1024))) await new Promise((r) => stdin.once('drain', r).once('close', r));
    }
    stdin.end();
  })();
  const [s, rc] = await Promise.all([send.done, recvDone]);
  stop = true;
  assert.equal(rc, 0, err);
  assert.match(err, /^xfer: warning: the output was closed after \d+ bytes; stopped the sender$/m);
  assert.doesNotMatch(err, /EPIPE|Error:|at /);
  assert.equal(s.code, 1, s.stderr);
  assert.match(s.stderr, /^failed: stdin: the receiver's output was closed after \d+ bytes$/m);
});
