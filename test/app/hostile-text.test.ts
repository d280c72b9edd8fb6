// A hostile peer writes text meant for the other side's terminal: escape sequences that set
// its title, clear it or move the cursor, a C1 CSI, a bidi override and a newline followed by
// a fake success line, as a file name, a skip reason, a refusal and a CONNECTION_CLOSE reason.
// The real CLI runs in-process over the real app and the memory network; everything it
// prints must show that text escaped (issue 22, finding 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { encodeBatchHeader, encodeDecisions, encodeGo, toBatchHeader, toDecisions, type WireEntry } from '../../src/app/batch.js';
import { ByteReader, endAndWait } from '../../src/app/bytes.js';
import { createApp } from '../../src/app/index.js';
import type { CliDeps } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { connectClient } from '../../src/io/client.js';
import { Listener } from '../../src/io/server.js';
import type { XferStream } from '../../src/io/stream.js';
import { Capture } from '../cli/fakes.js';
import { memoryHarness, params, type Harness } from '../io/harness.js';
import { tempDir } from './helpers.js';

const CODE = '0123456789abcdef0123456789abcdef';
const FAKE_LINE = 'all 1000 files verified OK';
const TIMEOUTS = ['--handshake-timeout', '3', '--idle-timeout', '5'];
const HOSTILE = `x\x1b]0;pwned\x07\x1b[2J\x1b[1;1H\x9b31m\u202etxt.exe\u2028\r\n${FAKE_LINE}`;

function cli(h: Harness): { deps: CliDeps; stderr: Capture } {
  const stderr = new Capture();
  const deps: CliDeps = {
    app: { ...createApp(h.deps), newCode: () => CODE },
    env: {},
    stdin: new PassThrough(),
    stdout: new Capture(),
    stderr,
    signal: new AbortController().signal,
    now: () => performance.now(),
    localAddress: () => null,
  };
  return { deps, stderr };
}

/** No raw control, bidi or separator character, and no line of the peer's own; `shown` escaped copies. */
function assertClean(text: string, shown: number): void {
  // eslint-disable-next-line no-control-regex
  const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u.exec(text);
  assert.equal(raw, null, `raw U+${raw?.[0].codePointAt(0)!.toString(16).padStart(4, '0')} in:\n${text}`);
  for (const line of text.split('\n')) assert.ok(!line.trimStart().startsWith(FAKE_LINE), `an injected line in:\n${text}`);
  assert.equal(text.split('\\x1b]0;pwned\\x07\\x1b[2J').length - 1, shown, `the text is shown, escaped:\n${text}`);
}

test('a hostile sender: its file names, skip reasons and close reason reach `xfer recv` escaped', async () => {
  const out = await tempDir('hostile-text');
  for (const closeReason of ['', HOSTILE]) {
    const h = memoryHarness();
    const { deps, stderr } = cli(h);
    const recv = runCli(['recv', '--listen', '127.0.0.1:45000', '--out', out, '--code', CODE, ...TIMEOUTS], deps);
    while (!stderr.text.includes('45000')) await new Promise((r) => setTimeout(r, 5));
    await hostileSender(h, closeReason);
    assert.notEqual(await recv, 0);
    // A graceful close: the summary lists the hostile name and both skip reasons.
    assertClean(stderr.text, closeReason ? 1 : 3);
  }
});

/** One batch: two files, the first named HOSTILE, both skipped with HOSTILE as the reason; then the close. */
async function hostileSender(h: Harness, closeReason: string): Promise<void> {
  const session = await connectClient(h.deps, { ...params({ code: CODE }), host: 'localhost', port: 45000 });
  const items: WireEntry[] = [HOSTILE, 'b'].map((path) => ({ path, kind: 'file', size: 5, mode: 0o644, mtime: 0 }));
  const s = await session.openStream();
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  s.write(encodeBatchHeader({ v: 4, early: 0, fresh: false, items }));
  const d = toDecisions(await reader.framed(), items);
  assert.deepEqual(d.map((x) => x.a), ['send', 'send']);
  s.write(encodeGo({ i: 0, skip: 'failed', why: HOSTILE }));
  s.write(encodeGo({ i: 1, skip: 'failed', why: HOSTILE }));
  await endAndWait(s);
  await reader.discard();
  await session.close(closeReason ? 1 : 0, closeReason);
}

/**
 * Listens on `port`; the promise it returns answers the first batch with a refusal of every
 * item, or closes at once with `closeReason`.
 */
async function hostileReceiver(h: Harness, port: number, closeReason: string | null): Promise<{ done: Promise<void> }> {
  const listener = await Listener.open(h.deps, '127.0.0.1', port);
  return { done: serve(listener, closeReason) };
}

async function serve(listener: Listener, closeReason: string | null): Promise<void> {
  const session = await listener.accept(params({ code: CODE }));
  const s = await new Promise<XferStream>((resolve) => session.once('stream', resolve));
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  const header = toBatchHeader(await reader.framed());
  if (closeReason !== null) {
    await session.close(1, closeReason);
  } else {
    s.end(encodeDecisions(header.items.map(() => ({ a: 'refuse', why: HOSTILE }))));
    await reader.discard();
    await session.closed;
  }
  await listener.close();
}

test('a hostile receiver: its refusal and its close reason reach `xfer send` escaped', async () => {
  const dir = await tempDir('hostile-text');
  const file = join(dir, 'a.txt');
  await writeFile(file, 'hello');
  for (const [port, closeReason] of [[45001, null], [45002, HOSTILE]] as const) {
    const h = memoryHarness();
    const { deps, stderr } = cli(h);
    const peer = await hostileReceiver(h, port, closeReason);
    const code = await runCli(['send', file, `127.0.0.1:${port}`, '--code', CODE, ...TIMEOUTS], deps);
    await peer.done;
    assert.notEqual(code, 0);
    assertClean(stderr.text, 1);
  }
});
