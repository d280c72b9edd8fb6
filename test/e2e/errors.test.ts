// Failure paths of the real CLI: each must end with its documented status and one error line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { e2eScratch, bindUdp, freePort, randomCode, startReceiver, xfer } from './helpers.js';

const at = e2eScratch((at) => {
  writeFileSync(at('a.txt'), 'hello');
});

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('xfer: ') && !l.startsWith('xfer: warning'));
}

describe('e2e errors', () => {
  test('wrong code: sender exits 4 within about 2 s with one line', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const recv = await startReceiver(port, randomCode(), at('out-wc'), [], 25_000);
    const send = await xfer(['send', at('a.txt'), `127.0.0.1:${port}`, '--code', randomCode()], { timeoutMs: 20_000 }).done;
    assert.equal(send.code, 4, send.stderr);
    assert.ok(send.ms < 3000, `took ${send.ms} ms`);
    assert.equal(errorLines(send.stderr).length, 1, send.stderr);
    assert.ok(!/\n\s+at /.test(send.stderr), 'no stack trace');
    recv.child.kill('SIGTERM');
    await recv.done;
  });

  // Long headers keep one layout in every version: byte 0 type, 1-4 version, 5 dcid length,
  // 6-13 dcid, 14 scid length, 15-22 scid. A REJECT with reason 3 carries the server's version.
  test('a receiver of another protocol version: the sender exits 3 at once, naming both versions', { timeout: 30_000 }, async () => {
    const sock = await bindUdp(0);
    sock.on('message', (hello, from) => {
      const reply = Buffer.alloc(28);
      reply[0] = 0xc2;
      hello.copy(reply, 1, 1, 5);
      reply[5] = 8;
      hello.copy(reply, 6, 15, 23);
      reply[14] = 8;
      hello.copy(reply, 15, 6, 14);
      reply[23] = 3;
      reply.writeUInt32BE(0x78660009, 24);
      sock.send(reply, from.port, from.address);
    });
    const send = await xfer(['send', at('a.txt'), `127.0.0.1:${sock.address().port}`, '--code', randomCode()], { timeoutMs: 20_000 }).done;
    sock.close();
    assert.equal(send.code, 3, send.stderr);
    assert.ok(send.ms < 5000, `took ${send.ms} ms`);
    assert.deepEqual(errorLines(send.stderr), [send.stderr.trim()]);
    assert.match(send.stderr, /speaks xfer protocol 9, this xfer speaks 4: use the same xfer release on both hosts/);
  });

  test('a sender of another protocol version: the receiver answers with its version, warns, and keeps listening', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const code = randomCode();
    const recv = await startReceiver(port, code, at('out-ver'), [], 25_000);
    const sock = await bindUdp(0);
    const answer = new Promise<Buffer>((resolve) => sock.once('message', (m) => resolve(m)));
    const hello = Buffer.alloc(1200);
    hello[0] = 0xc0;
    hello.writeUInt32BE(0x78660001, 1);
    hello[5] = 8;
    hello.fill(0xaa, 6, 14);
    hello[14] = 8;
    hello.fill(0xbb, 15, 23);
    sock.send(hello, port, '127.0.0.1');
    const reply = await answer;
    sock.close();
    assert.equal(reply[0], 0xc2, 'a REJECT');
    assert.equal(reply.readUInt32BE(1), 0x78660001, "in the sender's version");
    assert.deepEqual([...reply.subarray(6, 14)], new Array(8).fill(0xbb), "to the sender's id");
    assert.equal(reply[23], 3);
    assert.equal(reply.readUInt32BE(24), 0x78660004);
    await recv.waitStderr(/warning: a peer speaking xfer protocol 1 was turned away: this xfer speaks 4/);
    // Still listening: a sender of this version gets its file through.
    const send = await xfer(['send', at('a.txt'), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 20_000 }).done;
    assert.equal(send.code, 0, send.stderr);
    const r = await recv.done;
    assert.equal(r.code, 0, r.stderr);
  });

  test('unreachable: nothing listening, exit 3 after --handshake-timeout 2', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const send = await xfer(['send', at('a.txt'), `127.0.0.1:${port}`, '--code', randomCode(), '--handshake-timeout', '2'], { timeoutMs: 20_000 }).done;
    assert.equal(send.code, 3, send.stderr);
    assert.ok(send.ms >= 1500 && send.ms < 6000, `took ${send.ms} ms`);
    assert.equal(errorLines(send.stderr).length, 1, send.stderr);
  });

  test('missing file: exit 5 before any datagram is sent', { timeout: 20_000 }, async () => {
    const sock = await bindUdp(0);
    let datagrams = 0;
    sock.on('message', () => datagrams++);
    const port = sock.address().port;
    const send = await xfer(['send', at('a.txt'), at('missing.bin'), `127.0.0.1:${port}`, '--code', randomCode()], { timeoutMs: 15_000 }).done;
    await new Promise((r) => setTimeout(r, 200));
    sock.close();
    assert.equal(send.code, 5, send.stderr);
    assert.equal(datagrams, 0);
    assert.deepEqual(errorLines(send.stderr), [send.stderr.trim()]);
    assert.match(send.stderr, /missing\.bin/);
  });

  test('port in use: recv exits 7', { timeout: 20_000 }, async () => {
    const sock = await bindUdp(0);
    const port = sock.address().port;
    const recv = await xfer(['recv', '--listen', `127.0.0.1:${port}`, '--code', randomCode(), '--out', at('out-pu')], { timeoutMs: 15_000 }).done;
    sock.close();
    assert.equal(recv.code, 7, recv.stderr);
    assert.equal(errorLines(recv.stderr).length, 1, recv.stderr);
  });

  test('Ctrl-C: a waiting receiver exits 130 within a second', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const recv = await startReceiver(port, randomCode(), at('out-int'), [], 15_000);
    const t = performance.now();
    recv.child.kill('SIGINT');
    const r = await recv.done;
    assert.equal(r.code, 130, r.stderr);
    assert.ok(performance.now() - t < 1500, `took ${performance.now() - t} ms`);
  });

  test('usage error: exit 2 with one line and no network', { timeout: 10_000 }, async () => {
    const r = await xfer(['send', at('a.txt'), '127.0.0.1:1']).done;
    assert.equal(r.code, 2);
    assert.deepEqual(errorLines(r.stderr), [r.stderr.trim()]);
  });
});
