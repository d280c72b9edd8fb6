import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCode } from '../../src/app/code.js';

test('a new code is a number and 3 words, different each time', () => {
  const a = newCode();
  const b = newCode();
  assert.notEqual(a, b);
  assert.match(a, /^\d{1,2}(-[a-z]{3,7}){3}$/);
});

test('more words on request', () => {
  assert.match(newCode(6), /^\d{1,2}(-[a-z]{3,7}){6}$/);
});
