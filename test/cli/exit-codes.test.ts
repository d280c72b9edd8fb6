import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XferError } from '../../src/app/api.js';
import type { ErrorKind } from '../../src/app/api.js';
import { ExitCode, describeFailure, exitCodeForKind } from '../../src/cli/exit-codes.js';

test('every error kind has its documented status', () => {
  const expected: Record<ErrorKind, number> = {
    transfer_failed: 1, usage: 2, unreachable: 3, wrong_code: 4, local_file: 5,
    peer_gone: 6, bind: 7, attempts: 8, internal: 70, interrupted: 130,
  };
  for (const [kind, code] of Object.entries(expected)) {
    assert.equal(exitCodeForKind(kind as ErrorKind), code, kind);
    assert.equal(describeFailure(new XferError(kind as ErrorKind, 'm')).code, code, kind);
  }
});

test('the statuses are distinct', () => {
  const values = Object.values(ExitCode);
  assert.equal(new Set(values).size, values.length);
});

test('messages are one line', () => {
  const d = describeFailure(new XferError('peer_gone', 'peer went away\n  at somewhere (x.js:1:1)'));
  assert.equal(d.message, 'peer went away at somewhere (x.js:1:1)');
  assert.ok(!d.message.includes('\n'));
  assert.equal(describeFailure(new Error('')).message, 'unknown error');
});

test('stray Node errors map by errno', () => {
  const sys = (code: string, extra: Record<string, string>) => Object.assign(new Error(code), { code, ...extra });
  assert.equal(describeFailure(sys('EADDRINUSE', { syscall: 'bind' })).code, ExitCode.CANNOT_LISTEN);
  assert.equal(describeFailure(sys('ENOENT', { syscall: 'open', path: '/x' })).code, ExitCode.LOCAL_FILE);
  assert.equal(describeFailure(sys('ENOTFOUND', { syscall: 'getaddrinfo' })).code, ExitCode.UNREACHABLE);
  assert.equal(describeFailure(new TypeError('boom')).code, ExitCode.INTERNAL);
  assert.equal(describeFailure('just a string').code, ExitCode.INTERNAL);
  assert.equal(describeFailure('just a string').message, 'just a string');
});
