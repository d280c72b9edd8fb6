import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_PORT, formatEndpoint, parseDestination, parseListen } from '../../src/cli/endpoint.js';

describe('parseDestination', () => {
  test('forms', () => {
    assert.deepEqual(parseDestination('example.org'), { host: 'example.org', port: DEFAULT_PORT });
    assert.deepEqual(parseDestination('10.0.0.2:5000'), { host: '10.0.0.2', port: 5000 });
    assert.deepEqual(parseDestination('[::1]:6000'), { host: '::1', port: 6000 });
    assert.deepEqual(parseDestination('[::1]'), { host: '::1', port: DEFAULT_PORT });
    assert.deepEqual(parseDestination('fe80::1'), { host: 'fe80::1', port: DEFAULT_PORT });
  });
  test('rejects bad ports and empty hosts', () => {
    for (const bad of [':5000', 'h:0', 'h:65536', 'h:x', '', '[::1', '[::1]x']) {
      assert.throws(() => parseDestination(bad), RangeError, bad);
    }
  });
});

describe('parseListen', () => {
  test('forms', () => {
    assert.deepEqual(parseListen('5000'), { host: '0.0.0.0', port: 5000 });
    assert.deepEqual(parseListen(':0'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseListen('[::]:7000'), { host: '::', port: 7000 });
    assert.deepEqual(parseListen('localhost'), { host: 'localhost', port: DEFAULT_PORT });
  });
  test('rejects out-of-range ports', () => {
    for (const bad of ['70000', ':99999', 'h:-1', '']) assert.throws(() => parseListen(bad), RangeError, bad);
  });
});

test('formatEndpoint round-trips through parseDestination', () => {
  const host = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.domain(),
  );
  fc.assert(fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
    assert.deepEqual(parseDestination(formatEndpoint({ host: h, port })), { host: h, port });
  }));
});
