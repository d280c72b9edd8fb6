import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRelPath, displayPath, PathRefused, SafeTree } from '../../src/app/safe-path.js';
import { tempDir } from './helpers.js';

describe('relative path checks', () => {
  test('refuses what could leave the output directory or is malformed', () => {
    const bad: [string, RegExp][] = [
      ['', /empty path/],
      ['/etc/x', /absolute/],
      ['../escape', /climbs out/],
      ['a/../../b', /climbs out/],
      ['a/./b', /"\." component/],
      ['.', /"\." component/],
      ['a//b', /empty path component/],
      ['a/', /empty path component/],
      ['a\\b', /backslash/],
      ['nul\0byte', /NUL/],
      ['x'.repeat(256), /longer than 255/],
      [('d/').repeat(2100) + 'f', /longer than 4096/],
      ['dir/.file.xfer-part', /reserved/],
      ['.f.xfer-state', /reserved/],
    ];
    for (const [p, why] of bad) {
      const r = checkRelPath(p);
      assert.equal(typeof r, 'string', `accepted ${JSON.stringify(p)}`);
      assert.match(r as string, why, p);
    }
  });

  test('accepts awkward but harmless names', () => {
    const ok = ['a b', 'ünï/cødé', 'new\nline', '-leading-dash', 'é'.repeat(127), '.hidden', '..dots', 'x.xfer-part', 'a/b/c'];
    for (const p of ok) assert.deepEqual(checkRelPath(p), p.split('/'), p);
  });

  test('control characters are escaped for display, nothing else', () => {
    assert.equal(displayPath('a\nb\tc\x1b[2Jd ü'), 'a\\nb\\tc\\x1b[2Jd ü');
  });
});

describe('SafeTree', () => {
  test('creates missing parents and returns paths inside the root', async () => {
    const root = await tempDir('safe');
    const t = new SafeTree(root);
    assert.equal(await t.prepare(['a', 'b', 'c.txt']), join(root, 'a', 'b', 'c.txt'));
    assert.ok((await lstat(join(root, 'a', 'b'))).isDirectory());
    assert.deepEqual(await readdir(join(root, 'a', 'b')), []);
    assert.equal(await t.prepareDir(['a', 'e']), join(root, 'a', 'e'));
    assert.ok((await lstat(join(root, 'a', 'e'))).isDirectory());
    // Concurrent creation of the same parents is fine.
    await Promise.all([t, new SafeTree(root), new SafeTree(root)].map((x, i) => x.prepare(['p', 'q', `f${i}`])));
  });

  test('refuses a path through an existing symlink or a non-directory', async () => {
    const base = await tempDir('safe');
    const root = join(base, 'out');
    await mkdir(root);
    const outside = join(base, 'outside');
    await mkdir(outside);
    await symlink(outside, join(root, 'link'));
    await symlink('.', join(root, 'self'));
    await writeFile(join(root, 'file'), 'x');
    const t = new SafeTree(root);
    await assert.rejects(t.prepare(['link', 'x']), (e: unknown) => e instanceof PathRefused && /link\/x: passes through a symbolic link \(link\)/.test(e.message));
    await assert.rejects(t.prepare(['self', 'link', 'x']), /symbolic link \(self\)/);
    await assert.rejects(t.prepareDir(['link']), /symbolic link/);
    await assert.rejects(t.prepare(['file', 'x']), /file exists and is not a directory/);
    assert.deepEqual(await readdir(outside), []);
    // The last component itself may be a link: the caller decides (it is replaced, never followed).
    assert.equal(await t.prepare(['link']), join(root, 'link'));
  });

  test('forget() makes it look again', async () => {
    const root = await tempDir('safe');
    const t = new SafeTree(root);
    await t.prepare(['d', 'x']);
    await import('node:fs/promises').then((fs) => fs.rm(join(root, 'd'), { recursive: true }));
    await symlink('/tmp', join(root, 'd'));
    t.forget(['d']);
    await assert.rejects(t.prepare(['d', 'x']), /symbolic link/);
  });
});
