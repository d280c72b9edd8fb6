// Aborts with real processes over UDP on 127.0.0.1: one file the receiver cannot write fails
// alone (the tests run as root, so a directory in the way stands in for "permission denied"),
// and Ctrl-C on a sender mid-transfer ends both sides promptly with clear messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { e2eScratch, freePort, randomCode, sha256File, startReceiver, writeRandomFile, xfer } from './helpers.js';

const MiB = 1024 * 1024;
const at = e2eScratch();

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('xfer: ') && !l.startsWith('xfer: warning'));
}

/** Resolves once a temp file shows up in `out`, i.e. the receiver is writing data. */
async function waitForPart(out: string, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (readdirSync(out).some((n) => n.endsWith('.xfer-part'))) return;
    await sleep(10);
  }
  throw new Error('the transfer never started');
}

describe('e2e aborts', () => {
  test('the receiver cannot write one file: it fails with a clear message, the other arrives, both exit 1', { timeout: 60_000 }, async () => {
    const src = at('src-w');
    const out = at('out-w');
    mkdirSync(src);
    mkdirSync(join(out, 'blocked.bin'), { recursive: true });
    writeRandomFile(join(src, 'blocked.bin'), 32 * MiB);
    const okHash = writeRandomFile(join(src, 'ok.bin'), 8 * MiB);
    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, out, [], 50_000);
    const send = await xfer(['send', join(src, 'blocked.bin'), join(src, 'ok.bin'), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 50_000 }).done;
    const r = await recv.done;
    const why = 'cannot write blocked.bin: a directory of that name exists';
    assert.equal(send.code, 1, send.stderr);
    assert.match(send.stderr, /^2 items \(1 failed\), 8\.00 MiB in /m);
    assert.ok(send.stderr.includes(`failed: blocked.bin: ${why}\n`), send.stderr);
    assert.deepEqual(errorLines(send.stderr), ['xfer: 1 of 2 items failed']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`failed: blocked.bin: ${why}\n`), r.stderr);
    assert.equal(await sha256File(join(out, 'ok.bin')), okHash);
    assert.deepEqual(readdirSync(out).sort(), ['blocked.bin', 'ok.bin']);
    assert.deepEqual(readdirSync(join(out, 'blocked.bin')), []);
  });

  test('Ctrl-C on the sender mid-transfer: sender exits 130 within 1 s, receiver 6 ("the sender cancelled"), nothing under a final name', { timeout: 60_000 }, async () => {
    const src = at('src-c');
    const out = at('out-c');
    mkdirSync(src);
    mkdirSync(out);
    writeRandomFile(join(src, 'one.bin'), 64 * MiB);
    writeRandomFile(join(src, 'two.bin'), 64 * MiB);
    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, out, [], 50_000);
    // Capped so the transfer is surely still running when the signal comes.
    const send = xfer(['send', join(src, 'one.bin'), join(src, 'two.bin'), `127.0.0.1:${port}`, '--code', code, '--rate', '40MB/s'], { timeoutMs: 50_000 });
    await waitForPart(out);
    await sleep(200);
    const t0 = performance.now();
    send.child.kill('SIGINT');
    const [s, r] = await Promise.all([
      send.done.then((x) => ({ ...x, after: performance.now() - t0 })),
      recv.done.then((x) => ({ ...x, after: performance.now() - t0 })),
    ]);
    assert.equal(s.code, 130, s.stderr);
    assert.deepEqual(errorLines(s.stderr), ['xfer: interrupted']);
    assert.ok(s.after < 1000, `sender took ${s.after} ms`);
    assert.equal(r.code, 6, r.stderr);
    assert.deepEqual(errorLines(r.stderr), ['xfer: the sender cancelled the transfer']);
    assert.ok(r.after < 1500, `receiver took ${r.after} ms`);
    // Nothing under a final name; only partials a rerun can resume from (issue 5) may stay.
    assert.deepEqual(readdirSync(out).filter((n) => !/^\..*\.xfer-(part|state)$/.test(n)), []);
    console.log(`# Ctrl-C: sender exit ${s.code} after ${s.after.toFixed(0)} ms, receiver exit ${r.code} after ${r.after.toFixed(0)} ms`);
  });

  test('Ctrl-C twice: the second signal exits at once', { timeout: 60_000 }, async () => {
    const src = at('src-2');
    const out = at('out-2');
    mkdirSync(src);
    mkdirSync(out);
    writeRandomFile(join(src, 'big.bin'), 64 * MiB);
    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, out, [], 50_000);
    const send = xfer(['send', join(src, 'big.bin'), `127.0.0.1:${port}`, '--code', code, '--rate', '40MB/s'], { timeoutMs: 50_000 });
    await waitForPart(out);
    send.child.kill('SIGINT');
    // Apart, or the kernel merges the two into one pending signal.
    await sleep(30);
    send.child.kill('SIGINT');
    const t0 = performance.now();
    const s = await send.done;
    const after = performance.now() - t0;
    assert.equal(s.code, 130, s.stderr);
    assert.match(s.stderr, /^xfer: interrupted$/m);
    assert.ok(after < 100, `took ${after} ms`);
    console.log(`# Ctrl-C twice: exit ${s.code} ${after.toFixed(0)} ms after the second signal`);
    const r = await recv.done;
    assert.equal(r.code, 6, r.stderr);
    // Nothing under a final name; only partials a rerun can resume from (issue 5) may stay.
    assert.deepEqual(readdirSync(out).filter((n) => !/^\..*\.xfer-(part|state)$/.test(n)), []);
  });
});
