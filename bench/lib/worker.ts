// Child process of the bench pool: runs one job per message and sends the result back.
// Started by pool.ts with `--import tsx`.
import { performance } from 'node:perf_hooks';
import { runCell, type CellSpec } from './cell.js';
import { runPath, type PathSpec } from './paths.js';
import { runShare, type ShareSpec } from './sharing.js';

export type Job =
  | { id: number; kind: 'cell'; spec: CellSpec }
  | { id: number; kind: 'share'; spec: ShareSpec }
  | { id: number; kind: 'path'; spec: PathSpec };

const wallNow = (): number => performance.now();

function run(job: Job): unknown {
  if (job.kind === 'cell') return runCell(job.spec, wallNow);
  if (job.kind === 'share') return runShare(job.spec, wallNow);
  return runPath(job.spec, wallNow);
}

process.on('message', (job: Job) => {
  process.send!({ id: job.id, result: run(job) });
});
