// Resume after kill -9 of either side, between two real xfer processes over UDP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { e2eScratch, freePort, randomCode, sha256File, startReceiver, writeRandomFile, xfer, type Run } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const at = e2eScratch();

/** File data that travelled, from the summary line ("..., 153.6 MiB in 2.10 s, ..."). */
function dataSent(stderr: string): number {
  const m = stderr.match(/, ([\d.]+) (B|KiB|MiB|GiB) in /);
  assert.ok(m, `no summary in:\n${stderr}`);
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: MiB, GiB: 1024 * MiB }[m[2] as 'B'];
}

/** Everything the sender put on the wire (packets, headers, retransmissions), from --stats. */
function bytesSent(stderr: string): number {
  const m = stderr.match(/^\s*bytes sent\s+(\d+)$/m);
  assert.ok(m, `no --stats in:\n${stderr}`);
  return Number(m[1]);
}

/** Polls until the partial file holds `bytes`, then kills `victim` with SIGKILL. */
async function killAt(victim: Run, part: string, bytes: number): Promise<void> {
  for (;;) {
    if (existsSync(part) && statSync(part).size >= bytes) break;
    if (victim.child.exitCode !== null) throw new Error(`finished before the kill:\n${victim.stderr()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  victim.child.kill('SIGKILL');
  await victim.done;
}

describe('resume after kill -9', () => {
  for (const victim of ['sender', 'receiver'] as const) {
    test(`${victim} killed at ~40 %: the rerun is byte-exact and sends < 65 % of the file`, { timeout: 180_000 }, async () => {
      const src = at(`src-${victim}`);
      const out = at(`out-${victim}`);
      const env = { XFER_CACHE_DIR: at(`cache-${victim}`) };
      mkdirSync(src, { recursive: true });
      const hash = writeRandomFile(join(src, 'disk.img'), SIZE);
      const code = randomCode();
      const part = join(out, '.disk.img.xfer-part');
      let port = await freePort();
      let recv = await startReceiver(port, code, out, ['--idle-timeout', '2'], 170_000);
      const send = xfer(['send', join(src, 'disk.img'), `127.0.0.1:${port}`, '--code', code, '--idle-timeout', '2'], { timeoutMs: 170_000, env });
      await killAt(victim === 'sender' ? send : recv, part, 0.4 * SIZE);
      const other = await (victim === 'sender' ? recv : send).done;
      assert.equal(other.code, 6, other.stderr); // peer gone
      assert.ok(existsSync(part));

      port = await freePort();
      recv = await startReceiver(port, code, out, [], 170_000);
      const rerun = await xfer(['send', join(src, 'disk.img'), `127.0.0.1:${port}`, '--code', code, '--stats'], { timeoutMs: 170_000, env }).done;
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal((await recv.done).code, 0);
      assert.equal(await sha256File(join(out, 'disk.img')), hash);
      assert.deepEqual(readdirSync(out), ['disk.img']);
      const data = dataSent(rerun.stderr);
      const wire = bytesSent(rerun.stderr);
      const pct = (n: number): string => `${((100 * n) / SIZE).toFixed(1)} %`;
      assert.ok(data < 0.65 * SIZE, `rerun sent ${data} bytes of file data of ${SIZE} (${pct(data)})`);
      console.log(`# ${victim} killed: rerun sent ${(data / MiB).toFixed(1)} MiB of file data (${pct(data)}), ${(wire / MiB).toFixed(1)} MiB on the wire (${pct(wire)}) of ${SIZE / MiB} MiB`);
    });
  }

  test('a source changed between runs is sent again in full', { timeout: 180_000 }, async () => {
    const src = at('src-changed');
    const out = at('out-changed');
    mkdirSync(src, { recursive: true });
    const env = { XFER_CACHE_DIR: at('cache-changed') };
    writeRandomFile(join(src, 'disk.img'), 64 * MiB);
    const code = randomCode();
    let port = await freePort();
    let recv = await startReceiver(port, code, out, ['--idle-timeout', '2'], 170_000);
    const send = xfer(['send', join(src, 'disk.img'), `127.0.0.1:${port}`, '--code', code], { timeoutMs: 170_000, env });
    await killAt(send, join(out, '.disk.img.xfer-part'), 0.4 * 64 * MiB);
    await recv.done;
    const hash = writeRandomFile(join(src, 'disk.img'), 64 * MiB);
    port = await freePort();
    recv = await startReceiver(port, code, out, [], 170_000);
    const rerun = await xfer(['send', join(src, 'disk.img'), `127.0.0.1:${port}`, '--code', code, '--stats'], { timeoutMs: 170_000, env }).done;
    assert.equal(rerun.code, 0, rerun.stderr);
    await recv.done;
    assert.equal(await sha256File(join(out, 'disk.img')), hash);
    assert.ok(bytesSent(rerun.stderr) > 64 * MiB);
  });
});
