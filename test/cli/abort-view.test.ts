// What the user sees when one file is aborted: its bar says so and freezes, the others go on;
// the summary names it; --stall-timeout parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { renderBarLine } from '../../src/cli/bar-line.js';
import { createProgressView } from '../../src/cli/progress.js';
import { buildProgram } from '../../src/cli/program.js';
import { failureLines } from '../../src/cli/report.js';
import { Capture, harness, summary } from './fakes.js';

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

const plain = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

test('a failed item line shows the reason instead of a bar, cut to the terminal width', () => {
  const line = renderBarLine({ name: 'movie.mkv', bytes: 100, total: 1000, rate: 5, eta: 3, columns: 120, failed: 'cannot write movie.mkv: no space left on device' });
  assert.match(line, /^movie\.mkv\s+✗ failed: cannot write movie\.mkv: no space left on device$/);
  const narrow = renderBarLine({ name: 'a', bytes: 0, total: 1, rate: 0, eta: null, columns: 40, failed: 'x'.repeat(100) });
  assert.ok(Array.from(narrow).length <= 40, narrow);
  assert.ok(narrow.endsWith('…'));
});

test('on a TTY the failed bar stays with its reason and stops; the other bar keeps moving', async () => {
  const tty = new FakeTty();
  let t = 0;
  const view = await createProgressView({ stream: tty, quiet: false, now: () => (t += 100) });
  view.onPhase('transferring');
  view.onItemStart({ key: 'a', name: 'broken.bin', total: 1000 });
  view.onItemStart({ key: 'b', name: 'fine.bin', total: 1000 });
  view.onItemProgress('a', 300);
  view.onItemFailed('a', 'the receiver could not write it');
  view.onItemProgress('a', 900); // late progress of a failed item changes nothing
  view.onItemProgress('b', 1000);
  view.stop();
  const out = plain(tty.text);
  assert.match(out, /broken\.bin\s+✗ failed: the receiver could not write it/);
  assert.doesNotMatch(out, /broken\.bin\s+\[█{18}/);
  assert.match(out, /fine\.bin\s+\[█{20}\]\s+1000 B \/ 1000 B/);
});

test('the summary names each failed file with its reason', () => {
  const s = summary([{ name: 'a', bytes: 1 }, { name: 'b', bytes: 0, ok: false, error: 'no data sent for 60 s (--stall-timeout), gave up on it' }]);
  assert.deepEqual(failureLines(s), ['failed: b: no data sent for 60 s (--stall-timeout), gave up on it']);
});

test('--stall-timeout: default 60 s on send and recv, 0 switches it off, garbage is a usage error', async () => {
  const seen: number[] = [];
  for (const args of [
    ['send', 'f', 'h:1', '--code', 'c'],
    ['send', 'f', 'h:1', '--code', 'c', '--stall-timeout', '0'],
    ['recv', '--stall-timeout', '2.5'],
  ]) {
    const program = buildProgram(harness().deps);
    const cmd = program.commands.find((c) => c.name() === args[0])!;
    cmd.action(() => undefined);
    await program.parseAsync(args, { from: 'user' });
    seen.push(cmd.opts<{ stallTimeout: number }>().stallTimeout);
  }
  assert.deepEqual(seen, [60_000, 0, 2500]);
  const program = buildProgram(harness().deps);
  program.commands.forEach((c) => c.action(() => undefined));
  await assert.rejects(program.parseAsync(['send', 'f', 'h:1', '--stall-timeout', 'soon'], { from: 'user' }), /invalid duration/);
});
