import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable } from '../../src/io/printable.js';

test('controls, C1, bidi, separators and invisible characters are escaped as they read', () => {
  assert.equal(printable('a\x1b]0;t\x07b\x1b[2J\x9bc\x7f\x00'), 'a\\x1b]0;t\\x07b\\x1b[2J\\x9bc\\x7f\\x00');
  assert.equal(printable('1\n2\r3\t4'), '1\\n2\\r3\\t4');
  assert.equal(printable('\u202eexe.txt\u2066\u2069\u200e\u200f\u061c'), '\\u202eexe.txt\\u2066\\u2069\\u200e\\u200f\\u061c');
  assert.equal(printable('a\u2028b\u2029c\u0085d'), 'a\\u2028b\\u2029c\\x85d');
  assert.equal(printable('\u200b\u2060\ufeff\u00ad'), '\\u200b\\u2060\\ufeff\\xad');
  assert.equal(printable('\ud800x\u{e0001}'), '\\ud800x\\u{e0001}');
});

test('ordinary text, emoji joiners and backslashes are left alone; escaping twice changes nothing', () => {
  for (const s of ['plain.txt', 'é 日本 ✓', '👨\u200d👩\u200d👧', 'a\\x1b', 'C:\\dir']) assert.equal(printable(s), s);
  const once = printable('x\x1b[1m\u202e\n');
  assert.equal(printable(once), once);
});
