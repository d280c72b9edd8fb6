import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRouteGet, pathMtuCap, payloadFor } from '../../src/io/path-mtu.js';

test('parseRouteGet reads the device and a learned path MTU', () => {
  assert.deepEqual(parseRouteGet('10.77.0.2 dev lk0 src 10.77.0.1 uid 0 \\    cache expires 590sec mtu 1400'), { dev: 'lk0', mtu: 1400 });
  assert.deepEqual(parseRouteGet('local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \\    cache <local>'), { dev: 'lo', mtu: null });
  assert.deepEqual(parseRouteGet('192.0.2.9 via 10.0.0.1 dev wg0 src 10.0.0.2 uid 0 \\    cache mtu lock 1420'), { dev: 'wg0', mtu: 1420 });
  assert.deepEqual(parseRouteGet(''), { dev: null, mtu: null });
});

test('payloadFor takes off IP and UDP headers and never exceeds what UDP carries', () => {
  assert.equal(payloadFor(1500, false), 1472);
  assert.equal(payloadFor(1500, true), 1452);
  assert.equal(payloadFor(1420, false), 1392);
  assert.equal(payloadFor(65_536, false), 65_507);
});

test('loopback: the cap is what lo carries (Linux)', { skip: process.platform !== 'linux' }, async () => {
  const lo = Number(readFileSync('/sys/class/net/lo/mtu', 'utf8'));
  assert.equal(await pathMtuCap('127.0.0.1'), payloadFor(lo, false));
});
