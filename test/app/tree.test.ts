import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { GroupStat, rootName, walk, type TreeEvent } from '../../src/app/tree.js';
import { tempDir } from './helpers.js';

async function collect(it: AsyncIterable<TreeEvent>): Promise<TreeEvent[]> {
  const out: TreeEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

test('walks depth-first, a directory before its contents, with sizes, modes, mtimes', async () => {
  const base = await tempDir('tree');
  const root = join(base, 'top');
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await writeFile(join(root, 'a.txt'), 'hello');
  await writeFile(join(root, 'sub', 'run.sh'), '#!/bin/sh\n');
  await chmod(join(root, 'sub', 'run.sh'), 0o755);
  await writeFile(join(root, 'sub', 'deeper', 'z'), '');
  await utimes(join(root, 'a.txt'), 1000, 1_600_000_000.5);
  const ev = await collect(walk([root], { symlinks: false }));
  const rels = ev.map((e) => e.rel);
  assert.deepEqual([...rels].sort(), ['top', 'top/a.txt', 'top/empty', 'top/sub', 'top/sub/deeper', 'top/sub/deeper/z', 'top/sub/run.sh']);
  for (const e of ev) {
    const parent = e.rel.slice(0, e.rel.lastIndexOf('/'));
    if (parent) assert.ok(rels.indexOf(parent) < rels.indexOf(e.rel), `${parent} before ${e.rel}`);
  }
  const byRel = new Map(ev.map((e) => [e.rel, e]));
  const a = byRel.get('top/a.txt')!;
  assert.ok(a.type === 'entry' && a.kind === 'file' && a.size === 5 && a.mtime === 1_600_000_000_500);
  const sh = byRel.get('top/sub/run.sh')!;
  assert.ok(sh.type === 'entry' && sh.mode === 0o755);
  assert.ok(byRel.get('top/empty')!.type === 'entry');
});

test('symlinks only with the option; special files and unreadable dirs are notes', async () => {
  const base = await tempDir('tree');
  const root = join(base, 'r');
  await mkdir(root);
  await writeFile(join(root, 'f'), 'x');
  await symlink('f', join(root, 'link'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  const without = await collect(walk([root], { symlinks: false }));
  assert.deepEqual(without.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.message).sort(), [
    'skipped FIFO r/fifo',
    'skipped symbolic link r/link (use --symlinks to send links)',
  ]);
  const withLinks = await collect(walk([root], { symlinks: true }));
  const link = withLinks.find((e) => e.rel === 'r/link')!;
  assert.ok(link.type === 'entry' && link.kind === 'symlink' && link.link === 'f');
  if (process.getuid?.() !== 0) {
    await mkdir(join(root, 'locked'));
    await chmod(join(root, 'locked'), 0);
    const ev = await collect(walk([root], { symlinks: false }));
    const err = ev.find((e) => e.type === 'error')!;
    assert.match(err.type === 'error' ? err.message : '', /cannot list .*locked: permission denied/);
    await chmod(join(root, 'locked'), 0o755);
  }
});

test('roots: a file arrives under its base name, a missing root is an error note', async () => {
  const base = await tempDir('tree');
  await writeFile(join(base, 'single'), 'abc');
  const ev = await collect(walk([join(base, 'single'), join(base, 'nope')], { symlinks: false }));
  assert.equal(ev[0]!.type === 'entry' && ev[0]!.rel, 'single');
  assert.equal(ev[1]!.type, 'error');
  assert.equal(rootName('/a/b/'), 'b');
  assert.equal(rootName('.'), rootName(process.cwd()));
});

test('a name that is not UTF-8 is an error naming the reason; its siblings still go', async () => {
  const base = await tempDir('tree');
  await mkdir(join(base, 'd'));
  await writeFile(Buffer.from(`${join(base, 'd')}/caf\xe9.txt`, 'latin1'), 'x');
  await writeFile(join(base, 'd', 'ok.txt'), 'y');
  const ev = await collect(walk([join(base, 'd')], { symlinks: false }));
  const errors = ev.filter((e) => e.type === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.type === 'error' ? errors[0]!.message : '', /not valid UTF-8/);
  assert.ok(ev.some((e) => e.type === 'entry' && e.rel === 'd/ok.txt'));
});

test('deep trees walk without one open handle per level', async () => {
  const base = await tempDir('tree');
  let dir = join(base, 'd');
  const parts = ['d'];
  for (let i = 0; i < 80; i++) {
    parts.push('n');
  }
  await mkdir(join(base, ...parts), { recursive: true });
  await writeFile(join(base, ...parts, 'leaf'), 'x');
  dir = join(base, 'd');
  const ev = await collect(walk([dir], { symlinks: false }));
  assert.equal(ev.length, 82);
  assert.equal(ev.at(-1)!.rel, [...parts, 'leaf'].join('/'));
});

test('entries are stat\'ed synchronously while that is fast, in parallel once the disk is read', async () => {
  let clock = 0;
  const calls: string[] = [];
  let slow = new Set(['a', 'b', 'c']);
  const fake = { isFile: () => true } as unknown as Stats;
  const sync = (p: string): Stats => {
    calls.push(`sync ${p}`);
    clock += slow.has(p) ? 5 : 0.002; // read from the disk
    return fake;
  };
  const parallel = async (p: string): Promise<Stats> => {
    calls.push(`async ${p}`);
    clock += slow.size > 0 ? 1 : 0.001;
    return fake;
  };
  const g = new GroupStat(sync, parallel, () => clock);
  assert.equal((await g.stat(['a', 'b', 'c', 'd', 'e'])).length, 5);
  assert.deepEqual(calls.splice(0), ['sync a', 'sync b', 'sync c', 'async d', 'async e']);
  assert.equal(g.inParallel, true);
  // Still slow in parallel: stays there.
  await g.stat(['f', 'f2']);
  assert.deepEqual(calls.splice(0), ['async f', 'async f2']);
  assert.equal(g.inParallel, true);
  // Cached again: back to synchronous calls for the next group.
  slow = new Set();
  await g.stat(['g', 'h']);
  assert.equal(g.inParallel, false);
  await g.stat(['i']);
  assert.deepEqual(calls.splice(0), ['async g', 'async h', 'sync i']);
  assert.deepEqual(await g.stat([]), []);
  // One slow call among fast ones (this thread was preempted) is not a slow disk.
  const once = new GroupStat((p) => {
    calls.push(`sync ${p}`);
    clock += p === 'j' ? 12 : 0.002;
    return fake;
  }, parallel, () => clock);
  await once.stat(Array.from({ length: 64 }, (_, k) => (k === 0 ? 'j' : `x${k}`)));
  assert.equal(once.inParallel, false);
  assert.equal(calls.filter((c) => c.startsWith('async')).length, 0);
});
