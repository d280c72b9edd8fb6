// Child process of the bench pool: runs one job per message and sends the result back.
// Started by pool.ts with `--import tsx`.
import { performance } from 'node:perf_hooks';
import { runCell, type CellSpec } from './cell.js';
import { runShare, type ShareSpec } from './sharing.js';

export type Job = { id: number; kind: 'cell'; spec: CellSpec } | { id: number; kind: 'share'; spec: ShareSpec };

const wallNow = (): number => performance.now();

process.on('message', (job: Job) => {
  const result = job.kind === 'cell' ? runCell(job.spec, wallNow) : runShare(job.spec, wallNow);
  process.send!({ id: job.id, result });
});
