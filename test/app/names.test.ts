import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import fc from 'fast-check';
import { checkName, isTempName, tempPath } from '../../src/app/names.js';

describe('checkName', () => {
  test('accepts plain base names', () => {
    for (const ok of ['a', 'report.pdf', '.hidden', '...', 'ünïcode ✓.txt', 'a b', '-rf', 'x'.repeat(255)]) {
      assert.equal(checkName(ok), null, ok);
    }
  });

  test('refuses names that are empty, dot entries, paths or control characters', () => {
    for (const bad of ['', '.', '..', '../x', 'a/b', '/etc/passwd', 'a\\b', '..\\x', 'a\0b', 'a\nb', '\x1b[2J', 'é'.repeat(128)]) {
      assert.notEqual(checkName(bad), null, JSON.stringify(bad));
    }
  });

  test('anything with a separator is refused (property)', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom('/', '\\', '\0'), fc.string(), (a, sep, b) => {
      assert.notEqual(checkName(a + sep + b), null);
    }));
  });
});

describe('tempPath', () => {
  test('is a hidden sibling that never equals the target and fits NAME_MAX (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 255 }).filter((n) => checkName(n) === null), (name) => {
      const p = tempPath('/out', name, 'abcd1234');
      assert.equal(dirname(p), '/out');
      assert.notEqual(basename(p), name);
      assert.ok(isTempName(basename(p)));
      assert.ok(Buffer.byteLength(basename(p)) <= 255);
      assert.equal(checkName(basename(p)), null);
    }));
  });
});
