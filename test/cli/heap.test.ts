import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const child = fileURLToPath(new URL('./fixtures/heap-child.ts', import.meta.url));

function peakNewSpace(mode: string): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('tuneHeap keeps the young generation from growing under allocation churn', () => {
  const untuned = peakNewSpace('plain');
  const tuned = peakNewSpace('tune');
  // V8 by default grows new space to 32 MiB under this load; tuned it stays at its start size (4 MiB here).
  assert.ok(untuned >= 16 * 2 ** 20, `untuned new space ${untuned} bytes: the load did not grow it`);
  assert.ok(tuned <= 8 * 2 ** 20, `tuned new space ${tuned} bytes`);
});
