// Generated spoken codes end to end (issue 22): the receiver prints one, a sender typing it in
// another case and with spaces gets the file across, and wrong guesses end the listener.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { e2eScratch, freePort, sha256File, writeRandomFile, xfer } from './helpers.js';

const at = e2eScratch();

/** The code the receiver printed: a number, then dash-separated words. */
const CODE_LINE = /Code: (\d{1,2}(?:-[a-z]+){3})\n/;

describe('e2e spoken codes', () => {
  test('a generated code, read aloud and retyped, carries a file', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const src = at('spoken.bin');
    const hash = writeRandomFile(src, 200_000);
    const recv = xfer(['recv', '--listen', `127.0.0.1:${port}`, '--out', at('out-spoken')], { timeoutMs: 50_000 });
    const [, code] = await recv.waitStderr(CODE_LINE);
    assert.ok(code);
    // As someone types what they heard: upper case, spaces between the words.
    const typed = code.toUpperCase().split('-').join(' ');
    const send = await xfer(['send', src, `127.0.0.1:${port}`], { timeoutMs: 40_000, env: { XFER_CODE: typed } }).done;
    assert.equal(send.code, 0, send.stderr);
    const r = await recv.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sha256File(at('out-spoken', 'spoken.bin')), hash);
  });

  test('--code-words 5 prints a longer code', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const recv = xfer(['recv', '--listen', `127.0.0.1:${port}`, '--out', at('out-long'), '--code-words', '5'], { timeoutMs: 20_000 });
    const [, code] = await recv.waitStderr(/Code: (\S+)\n/);
    assert.match(code!, /^\d{1,2}(-[a-z]+){5}$/);
    recv.child.kill('SIGTERM');
    await recv.done;
  });

  test('after --max-attempts wrong codes the receiver stops with status 8 and one line', { timeout: 60_000 }, async () => {
    writeFileSync(at('a.txt'), 'hello');
    const port = await freePort();
    const recv = xfer(['recv', '--listen', `127.0.0.1:${port}`, '--out', at('out-guess'), '--max-attempts', '2'], { timeoutMs: 50_000 });
    await recv.waitStderr(CODE_LINE);
    for (const guess of ['1-wrong-guess-here', '2-another-wrong-one']) {
      const send = await xfer(['send', at('a.txt'), `127.0.0.1:${port}`, '--code', guess], { timeoutMs: 20_000 }).done;
      assert.equal(send.code, 4, send.stderr);
    }
    const r = await recv.done;
    assert.equal(r.code, 8, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('xfer: ') && !l.startsWith('xfer: warning'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /stopped listening after 2 failed attempts/);
  });
});
