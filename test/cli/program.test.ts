import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XferError } from '../../src/app/api.js';
import { runCli } from '../../src/cli/program.js';
import { VERSION } from '../../src/cli/version.js';
import { harness, summary } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'xfer-cli-'));
const fileA = join(dir, 'a.bin');
const fileB = join(dir, 'b.txt');
writeFileSync(fileA, Buffer.alloc(1000, 1));
writeFileSync(fileB, 'hello');
after(() => rmSync(dir, { recursive: true, force: true }));

const CODE = 'correct-horse-battery-staple-0123';

describe('send', () => {
  test('files, destination and options reach sendFiles', async () => {
    const h = harness();
    const code = await runCli(
      ['send', fileA, fileB, '10.1.2.3:5000', '--code', CODE, '--concurrency', '2', '--cc', 'newreno', '--rate', '8M', '--handshake-timeout', '2', '--idle-timeout', '7.5'],
      h.deps,
    );
    assert.equal(code, 0, h.stderr.text);
    const o = h.app.calls.sendFiles[0];
    assert.ok(o);
    assert.deepEqual(o.files, [fileA, fileB]);
    assert.deepEqual(o.remote, { host: '10.1.2.3', port: 5000 });
    assert.equal(o.code, CODE);
    assert.equal(o.concurrency, 2);
    assert.equal(o.congestion, 'newreno');
    assert.equal(o.rateLimit, 1_000_000);
    assert.equal(o.handshakeTimeoutMs, 2000);
    assert.equal(o.idleTimeoutMs, 7500);
    assert.equal(o.signal, h.deps.signal);
    assert.match(h.stderr.text, /^1 item, 10 B in 1\.00 s/m);
  });

  test('defaults: port 47400, bbr, no rate cap, 10 s / 30 s, 4 files at once', async () => {
    const h = harness({ XFER_CODE: CODE });
    assert.equal(await runCli(['send', fileA, 'peer.example'], h.deps), 0, h.stderr.text);
    const o = h.app.calls.sendFiles[0];
    assert.ok(o);
    assert.deepEqual(o.remote, { host: 'peer.example', port: 47400 });
    assert.equal(o.code, CODE);
    assert.equal(o.congestion, 'bbr');
    assert.equal(o.rateLimit, 0);
    assert.equal(o.handshakeTimeoutMs, 10_000);
    assert.equal(o.idleTimeoutMs, 30_000);
    assert.equal(o.concurrency, 4);
    assert.equal(o.maxDatagram, 0, 'no cap: path MTU discovery decides');
  });

  test('--max-datagram reaches the transport', async () => {
    const h = harness({ XFER_CODE: CODE });
    assert.equal(await runCli(['send', fileA, 'h', '--max-datagram', '1400'], h.deps), 0, h.stderr.text);
    assert.equal(h.app.calls.sendFiles[0]?.maxDatagram, 1400);
  });

  test('--code wins over XFER_CODE', async () => {
    const h = harness({ XFER_CODE: 'from-env-code-0000000000000000' });
    assert.equal(await runCli(['send', fileA, 'h', '--code', CODE], h.deps), 0);
    assert.equal(h.app.calls.sendFiles[0]?.code, CODE);
  });

  test('usage errors exit 2 with one line and never reach the app', async () => {
    const cases: string[][] = [
      ['send', fileA, 'h'],                            // no code anywhere
      ['send', 'h', '--code', CODE],                   // no files
      ['send', fileA, 'h:99999', '--code', CODE],      // bad port
      ['send', fileA, 'h', '--code', CODE, '--rate', 'lots'],
      ['send', fileA, 'h', '--code', CODE, '--max-datagram', '1199'],
      ['send', fileA, 'h', '--code', CODE, '--max-datagram', '65508'],
      ['send', fileA, 'h', '--code', CODE, '--bogus'],
      ['frobnicate'],
    ];
    for (const argv of cases) {
      const h = harness();
      assert.equal(await runCli(argv, h.deps), 2, argv.join(' '));
      assert.equal(h.app.calls.sendFiles.length, 0);
      assert.equal(h.stderr.lines().length, 1, h.stderr.text);
      assert.match(h.stderr.text, /^xfer: /);
    }
  });

  test('a missing file exits 5 before any network', async () => {
    const h = harness();
    assert.equal(await runCli(['send', fileA, join(dir, 'nope'), 'h', '--code', CODE], h.deps), 5);
    assert.equal(h.app.calls.sendFiles.length, 0);
    assert.match(h.stderr.text, /^xfer: cannot read '.*nope': no such file or directory\n$/);
  });
});

describe('recv', () => {
  test('generates a code and prints address, code and the sender command', async () => {
    const h = harness();
    h.app.behave = async (_k, o) => {
      if ('onListening' in o) o.onListening({ host: '0.0.0.0', port: 40001 });
      return summary([{ name: 'a', bytes: 1 }]);
    };
    const out = join(dir, 'out1');
    assert.equal(await runCli(['recv', '--listen', ':0', '--out', out], h.deps), 0, h.stderr.text);
    const o = h.app.calls.receiveFiles[0];
    assert.ok(o);
    assert.deepEqual(o.listen, { host: '0.0.0.0', port: 0 });
    assert.equal(o.code, '42-amber-falcon-river');
    assert.equal(o.outDir, out);
    assert.equal(o.force, false);
    assert.equal(o.keepOpen, false);
    assert.match(h.stderr.text, /Listening on 0\.0\.0\.0:40001/);
    assert.match(h.stderr.text, /xfer send FILE\.\.\. 192\.0\.2\.7:40001 --code 42-amber-falcon-river/);
    assert.equal(h.stdout.text, '');
  });

  test('defaults and flags', async () => {
    const h = harness();
    const out = join(dir, 'out2');
    assert.equal(await runCli(['recv', '--out', out, '--force', '--keep-open', '--code', CODE], h.deps), 0, h.stderr.text);
    const o = h.app.calls.receiveFiles[0];
    assert.ok(o);
    assert.deepEqual(o.listen, { host: '0.0.0.0', port: 47400 });
    assert.equal(o.code, CODE);
    assert.equal(o.force, true);
    assert.equal(o.keepOpen, true);
  });

  test('a user code of any form is taken as it is: no strength check', async () => {
    for (const [argv, env] of [[['recv', '--code', '1234'], {}], [['recv'], { XFER_CODE: 'correct horse' }]] as const) {
      const h = harness(env);
      assert.equal(await runCli([...argv, '--out', dir], h.deps), 0, h.stderr.text);
      assert.equal(h.app.calls.receiveFiles[0]?.code, argv.length > 1 ? '1234' : 'correct horse');
    }
  });

  test('--code-words and --max-attempts reach the code and the listener', async () => {
    const h = harness();
    assert.equal(await runCli(['recv', '--out', dir, '--code-words', '5', '--max-attempts', '7'], h.deps), 0, h.stderr.text);
    const o = h.app.calls.receiveFiles[0];
    assert.equal(o?.code, '42-amber-falcon-river-stone-maple');
    assert.equal(o?.maxAttempts, 7);
    const d = harness();
    assert.equal(await runCli(['recv', '--out', dir], d.deps), 0);
    assert.equal(d.app.calls.receiveFiles[0]?.maxAttempts, 3);
    for (const bad of [['--code-words', '0'], ['--code-words', '9'], ['--max-attempts', '0']]) {
      const b = harness();
      assert.equal(await runCli(['recv', '--out', dir, ...bad], b.deps), 2, bad.join(' '));
    }
  });

  test('--quiet hides the banner of a user code but never a generated one', async () => {
    for (const [extra, shown] of [[['--code', CODE], false], [[], true]] as const) {
      const h = harness();
      h.app.behave = async (_k, o) => {
        if ('onListening' in o) o.onListening({ host: '127.0.0.1', port: 40002 });
        return summary([{ name: 'a', bytes: 1 }]);
      };
      assert.equal(await runCli(['recv', '--quiet', '--out', dir, ...extra], h.deps), 0);
      assert.equal(/Listening on 127\.0\.0\.1:40002/.test(h.stderr.text), shown, h.stderr.text);
      assert.ok(!/1 item/.test(h.stderr.text), 'quiet hides the summary');
    }
  });

  test('an output path that is a file exits 5', async () => {
    const h = harness();
    assert.equal(await runCli(['recv', '--out', fileA, '--code', CODE], h.deps), 5);
    assert.equal(h.app.calls.receiveFiles.length, 0);
  });
});

describe('pipe', () => {
  test('with a destination it sends stdin', async () => {
    const h = harness();
    assert.equal(await runCli(['pipe', 'h:7', '--code', CODE], h.deps), 0, h.stderr.text);
    const o = h.app.calls.sendPipe[0];
    assert.ok(o);
    assert.equal(o.input, h.deps.stdin);
    assert.deepEqual(o.remote, { host: 'h', port: 7 });
  });

  test('with --listen it writes stdout and keeps stdout for data only', async () => {
    const h = harness();
    h.app.behave = async (_k, o) => {
      if ('onListening' in o) o.onListening({ host: '127.0.0.1', port: 40003 });
      if ('output' in o) o.output.write('DATA');
      return summary([{ name: 'stdin', bytes: 4 }]);
    };
    assert.equal(await runCli(['pipe', '--listen', '127.0.0.1:0', '--stats'], h.deps), 0, h.stderr.text);
    const o = h.app.calls.receivePipe[0];
    assert.ok(o);
    assert.equal(o.output, h.deps.stdout);
    assert.deepEqual(o.listen, { host: '127.0.0.1', port: 0 });
    assert.equal(h.stdout.text, 'DATA');
    assert.match(h.stderr.text, /xfer pipe 127\.0\.0\.1:40003 --code 42-amber-falcon-river/);
    assert.match(h.stderr.text, /connection stats:\n {2}rttMs/);
  });

  test('needs exactly one of destination and --listen', async () => {
    for (const argv of [['pipe', '--code', CODE], ['pipe', 'h', '--listen', ':0', '--code', CODE]]) {
      const h = harness();
      assert.equal(await runCli(argv, h.deps), 2, argv.join(' '));
      assert.equal(h.app.calls.sendPipe.length + h.app.calls.receivePipe.length, 0);
    }
  });
});

describe('failures', () => {
  const cases: [XferError['kind'], number][] = [['unreachable', 3], ['wrong_code', 4], ['peer_gone', 6], ['bind', 7], ['internal', 70]];
  for (const [kind, status] of cases) {
    test(`${kind} exits ${status} with one line`, async () => {
      const h = harness();
      h.app.behave = async () => {
        throw new XferError(kind, `${kind} happened`);
      };
      assert.equal(await runCli(['send', fileA, 'h', '--code', CODE], h.deps), status);
      assert.equal(h.stderr.text, `xfer: ${kind} happened\n`);
    });
  }

  test('an unexpected exception exits 70 without a stack trace', async () => {
    const h = harness();
    h.app.behave = async () => {
      throw new TypeError('x is not a function');
    };
    assert.equal(await runCli(['pipe', 'h', '--code', CODE], h.deps), 70);
    assert.equal(h.stderr.text, 'xfer: x is not a function\n');
  });

  test('failed items: summary, one line each, then exit 1', async () => {
    const h = harness();
    h.app.behave = async () => summary([{ name: 'a', bytes: 3 }, { name: 'b', bytes: 0, ok: false, error: 'file exists' }]);
    assert.equal(await runCli(['send', fileA, fileB, 'h', '--code', CODE], h.deps), 1);
    assert.deepEqual(h.stderr.lines(), [
      '2 items (1 failed), 3 B in 1.00 s, 3 B/s (24 bit/s)',
      'failed: b: file exists',
      'xfer: 1 of 2 items failed',
    ]);
  });

  test('an abort (Ctrl-C) exits 130 whatever the app throws', async () => {
    const h = harness();
    h.app.behave = async (_k, o) => {
      h.controller.abort();
      assert.ok(o.signal.aborted);
      throw new XferError('peer_gone', 'connection reset');
    };
    assert.equal(await runCli(['send', fileA, 'h', '--code', CODE], h.deps), 130);
    assert.equal(h.stderr.text, 'xfer: interrupted\n');
  });

  test('non-TTY output carries no escape sequences', async () => {
    const h = harness();
    h.app.behave = async (_k, o) => {
      o.progress.onPhase('handshake');
      o.progress.onItemStart({ key: '1', name: 'a', total: 10 });
      o.progress.onItemProgress('1', 5);
      o.progress.onWarning('a wrong code was tried');
      o.progress.onItemDone('1');
      return summary([{ name: 'a', bytes: 10 }]);
    };
    assert.equal(await runCli(['send', fileA, 'h', '--code', CODE], h.deps), 0);
    assert.ok(!h.stderr.text.includes('\x1b'), JSON.stringify(h.stderr.text));
    assert.deepEqual(h.stderr.lines(), ['xfer: warning: a wrong code was tried', '1 item, 10 B in 1.00 s, 10 B/s (80 bit/s)']);
  });
});

describe('help and version', () => {
  test('--help and --version exit 0 on stdout', async () => {
    const h = harness();
    assert.equal(await runCli(['--version'], h.deps), 0);
    assert.equal(h.stdout.text.trim(), VERSION);
    const h2 = harness();
    assert.equal(await runCli(['send', '--help'], h2.deps), 0);
    assert.match(h2.stdout.text, /Usage: xfer send \[options\] FILE\.\.\. HOST\[:PORT\]/);
    assert.equal(h2.stderr.text, '');
  });

  test('bare xfer shows help on stderr and exits 2', async () => {
    const h = harness();
    assert.equal(await runCli([], h.deps), 2);
    assert.match(h.stderr.text, /Usage: xfer/);
    assert.equal(h.stdout.text, '');
  });
});

test('an abort that the app absorbs still exits 130', async () => {
  const h = harness();
  h.app.behave = async () => {
    h.controller.abort();
    return summary([{ name: 'a', bytes: 1 }]);
  };
  assert.equal(await runCli(['send', fileA, 'h', '--code', CODE], h.deps), 130);
  assert.match(h.stderr.text, /xfer: interrupted\n$/);
});
