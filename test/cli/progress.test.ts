import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { createProgressView } from '../../src/cli/progress.js';
import { Capture } from './fakes.js';

/** Enough of tty.WriteStream for ora and cli-progress. */
class FakeTty extends Capture {
  override isTTY = true;
  cursorTo(x: number, y?: number): boolean {
    return cursorTo(this, x, y);
  }
  moveCursor(dx: number, dy: number): boolean {
    return moveCursor(this, dx, dy);
  }
  clearLine(dir: -1 | 0 | 1): boolean {
    return clearLine(this, dir);
  }
}

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

test('a TTY gets a spinner, then item and total bars, and the cursor back', async () => {
  const tty = new FakeTty();
  let t = 0;
  const view = await createProgressView({ stream: tty, quiet: false, now: () => (t += 100) });
  view.setExpectedTotal(2000);
  view.onPhase('handshake');
  assert.match(plain(tty.text), /Handshake/);
  view.log('Code: abc');
  view.onPhase('transferring');
  view.onItemStart({ key: 'k1', name: 'first.bin', total: 1000 });
  view.onItemStart({ key: 'k2', name: 'second.bin', total: 1000 });
  view.onItemProgress('k1', 500);
  view.onItemDone('k1');
  view.onItemProgress('k2', 1000);
  view.stop();
  view.stop();
  const out = plain(tty.text);
  assert.match(out, /Code: abc/);
  assert.match(out, /second\.bin\s+\[█{20}\]\s+1000 B \/ 1000 B/);
  assert.match(out, /total\s+\[█{15}░{5}\]\s+1\.46 KiB \/ 1\.95 KiB/);
  assert.ok(tty.text.includes('\x1b[?25h'), 'cursor shown again');
});

test('--quiet draws nothing, even on a TTY', async () => {
  const tty = new FakeTty();
  const view = await createProgressView({ stream: tty, quiet: true, now: () => 0 });
  view.onPhase('listening');
  view.onItemStart({ key: 'k', name: 'x', total: 1 });
  view.onItemProgress('k', 1);
  view.onWarning('ignored');
  view.onWrongCode({ peer: '10.0.0.5:40000', attempts: 1, otherPeers: 0, more: false, spanMs: 0 });
  view.onItemDone('k');
  view.stop();
  assert.equal(tty.text, '');
});

test('without a TTY only warnings and logged lines appear', async () => {
  const out = new Capture();
  const view = await createProgressView({ stream: out, quiet: false, now: () => 0 });
  view.onPhase('listening');
  view.onItemStart({ key: 'k', name: 'x', total: 1 });
  view.onItemFailed('k', 'boom');
  view.onWarning('wrong code attempt');
  view.onWrongCode({ peer: '10.0.0.5:40000', attempts: 12, otherPeers: 0, more: true, spanMs: 5_000 });
  view.log('line');
  view.stop();
  assert.deepEqual(out.lines(), [
    'xfer: warning: wrong code attempt',
    'xfer: warning: 12 more wrong-code attempts from 10.0.0.5:40000 in the last 5 s',
    'line',
  ]);
});

test('a terminal without a size is treated as plain output', async () => {
  const tty = new FakeTty();
  tty.columns = 0;
  const view = await createProgressView({ stream: tty, quiet: false, now: () => 0 });
  view.onPhase('handshake');
  view.onItemStart({ key: 'k', name: 'x', total: 1 });
  view.stop();
  assert.equal(tty.text, '');
});
