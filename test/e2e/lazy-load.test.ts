// What the built CLI loads: `--version` nothing behind the entry, `--help` not the transport, and
// the progress libraries (ora, cli-progress) only when stderr is a terminal that shows them.
// A module hook in the child writes down every file it loads (to a file of its own, as output
// through a terminal can be cut short); the bundle's meta.json says which file holds which
// source (scripts/bundle.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after } from 'node:test';
import { assertBuilt, BIN, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'xfer-lazy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const log = join(dir, 'loaded.txt');
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}`;
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister('data:text/javascript,' + ${JSON.stringify(encodeURIComponent(HOOKS))});\n`);
const file = join(dir, 'one.bin');
writeFileSync(file, 'x');
// Port 9 on loopback: nobody answers, so a send gets as far as the handshake and gives up after 1 s.
const SEND = ['send', file, '127.0.0.1:9', '--code', '0123456789abcdef0123456789abcdef', '--handshake-timeout', '1'];

interface Meta { outputs: Record<string, { inputs: Record<string, unknown> }> }

/** The bundle file (relative to the repo) holding the source whose path matches `re`. */
function fileHolding(re: RegExp): string {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as Meta;
  const hits = Object.entries(meta.outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => re.test(i)));
  assert.equal(hits.length, 1, `one bundle file holds ${re}`);
  return hits[0]![0];
}


/** Files a run of the CLI loaded; with `tty`, inside a terminal of 100 columns (script(1)). */
function loadedBy(args: string[], tty = false): Set<string> {
  const argv = [process.execPath, '--import', register, BIN, ...args];
  rmSync(log, { force: true });
  const r = tty
    ? spawnSync('script', ['-qec', `stty cols 100 rows 40; ${argv.join(' ')}`, '/dev/null'], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const urls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const files = new Set(urls.map((u) => relative(ROOT, new URL(u).pathname)));
  assert.ok(files.has('dist/bundle/xfer.mjs'), `the hook saw the entry load: ${r.stdout} ${r.stderr}`);
  return files;
}

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

test('the built CLI loads what a run needs and no more', async (t) => {
  assertBuilt();
  const main = fileHolding(/^src\/cli\/main\.ts$/);
  const transport = fileHolding(/^src\/core\/connection\.ts$/);
  const progress = fileHolding(/node_modules\/ora\//);
  assert.equal(fileHolding(/node_modules\/cli-progress\//), progress);

  await t.test('--version: only the entry', () => {
    const got = loadedBy(['--version']);
    for (const f of [main, transport, progress]) assert.ok(!got.has(f), `--version loaded ${f}`);
  });
  await t.test('--help: the CLI, not the transport or the progress libraries', () => {
    const got = loadedBy(['--help']);
    assert.ok(got.has(main));
    for (const f of [transport, progress]) assert.ok(!got.has(f), `--help loaded ${f}`);
  });
  await t.test('a quiet send, and one whose stderr is a pipe: no progress libraries', () => {
    for (const args of [[...SEND, '-q'], SEND]) {
      const got = loadedBy(args);
      assert.ok(got.has(transport), 'the send got as far as the transport');
      assert.ok(!got.has(progress), `${args.join(' ')} loaded ${progress}`);
    }
  });
  await t.test('a send on a terminal loads them', { skip: hasScript ? false : 'no script(1) for a terminal' }, () => {
    assert.ok(loadedBy(SEND, true).has(progress));
  });
});
