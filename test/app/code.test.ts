import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCodeStrength, newCode } from '../../src/app/code.js';

test('a new code is strong and different each time', () => {
  const a = newCode();
  const b = newCode();
  assert.notEqual(a, b);
  assert.equal(checkCodeStrength(a), null);
});

test('short codes are refused with a one-line reason', () => {
  const msg = checkCodeStrength('1234');
  assert.ok(msg);
  assert.match(msg, /too weak .*128/);
  assert.equal(msg.includes('\n'), false);
});
