// Wrong-code attempts reach the person at the listener merged: the first at once, with the
// peer's address, then one report per interval with a count (issue 22, finding 4).
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { WRONG_CODE_INTERVAL_MS, WrongCodeLog, formatAddress, type WrongCodeReport } from '../../src/io/attempts.js';
import { connectClient } from '../../src/io/client.js';
import { Listener, type AcceptParams } from '../../src/io/server.js';
import { wrongCodeWarning } from '../../src/cli/wrong-code.js';
import { memoryHarness, params } from './harness.js';

const A = { address: '10.0.0.5', port: 40000 };
const B = { address: '10.0.0.6', port: 40001 };

describe('WrongCodeLog', () => {
  let now = 0;
  let reports: WrongCodeReport[] = [];
  let log: WrongCodeLog;
  const advance = (ms: number): void => {
    now += ms;
    mock.timers.tick(ms);
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    now = 0;
    reports = [];
    log = new WrongCodeLog(() => now, (r) => reports.push(r));
  });
  afterEach(() => mock.timers.reset());

  test('a 6 s flood: the first attempt at once, then one line per 5 s with the count', () => {
    // 30 000 attempts a second for 6 s, as the flood in the issue.
    for (let ms = 0; ms < 6_000; ms++) {
      for (let i = 0; i < 30; i++) log.note(A);
      advance(1);
    }
    for (let s = 0; s < 10; s++) advance(1_000);
    const lines = reports.map(wrongCodeWarning);
    assert.deepEqual(lines, [
      'a peer at 10.0.0.5:40000 tried a wrong code',
      '149999 more wrong-code attempts from 10.0.0.5:40000 in the last 5 s',
      '30000 more wrong-code attempts from 10.0.0.5:40000 in the last 5 s',
    ]);
    assert.equal(reports.reduce((n, r) => n + r.attempts, 0), 180_000);
  });

  test('a quiet interval ends the series: the next attempt is reported at once again', () => {
    log.note(A);
    advance(WRONG_CODE_INTERVAL_MS);
    advance(1_000);
    log.note(B);
    assert.deepEqual(reports.map(wrongCodeWarning), ['a peer at 10.0.0.5:40000 tried a wrong code', 'a peer at 10.0.0.6:40001 tried a wrong code']);
  });

  test('several addresses are counted; flush reports what is pending', () => {
    log.note(A);
    log.note(A);
    log.note(B);
    log.note({ address: '10.0.0.7', port: 1 });
    log.note(A);
    advance(2_000);
    log.flush();
    assert.deepEqual(reports.slice(1).map(wrongCodeWarning), ['4 more wrong-code attempts from 10.0.0.5:40000 and 2 other addresses in the last 2 s']);
    log.flush();
    assert.equal(reports.length, 2, 'nothing pending, nothing reported');
  });

  test('addresses read as people write them, and are escaped', () => {
    assert.equal(formatAddress({ address: '::ffff:10.0.0.5', port: 1 }), '10.0.0.5:1');
    assert.equal(formatAddress({ address: '2001:db8::1', port: 2 }), '[2001:db8::1]:2');
    log.note({ address: '\x1b[2J\u202e', port: 3 });
    assert.equal(reports[0]!.peer, '\\x1b[2J\\u202e:3');
  });
});

test('10 000 wrong-code hellos through the network: a handful of reports that count them all', async () => {
  const h = memoryHarness();
  const listener = await Listener.open(h.deps, '127.0.0.1', 0);
  const port = listener.address().port;
  const reports: WrongCodeReport[] = [];
  const warnings: string[] = [];
  // A listener that stops after a number of failed attempts is given room for the whole flood.
  const accept: AcceptParams = { ...params(), maxAttempts: 1e9, onWarning: (m) => warnings.push(m), onWrongCode: (r) => reports.push(r) } as AcceptParams;
  const accepted = listener.accept(accept);
  const stranger = await h.net.rawPort();
  // The fake connection's hello: type 0, two u32 fields, then the code.
  const hello = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('nope')]);
  for (let i = 0; i < 10_000; i++) stranger.send(hello, { address: '127.0.0.1', port });
  await new Promise((r) => setTimeout(r, 50));
  const client = await connectClient(h.deps, { ...params(), host: 'localhost', port });
  await accepted;
  assert.ok(reports.length <= 3, `${reports.length} reports`);
  assert.equal(warnings.length, 0, `${warnings.length} warnings`);
  assert.equal(reports.reduce((n, r) => n + r.attempts, 0), 10_000);
  assert.equal(reports[0]!.peer, formatAddress(stranger.address()));
  await client.close(0, 'done');
  await listener.close();
});
