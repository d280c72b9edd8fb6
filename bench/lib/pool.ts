// Runs independent simulation jobs in N child processes. Each job is deterministic, so the
// figures do not depend on N; only wall time does.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

type JobInput = Job extends infer J ? (J extends { id: number } ? Omit<J, 'id'> : never) : never;

export async function runPool<R>(jobs: readonly JobInput[], workers: number, onDone: (index: number, result: R) => void): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const children: ChildProcess[] = [];
  const one = (child: ChildProcess): Promise<void> =>
    new Promise((resolve, reject) => {
      const feed = (): void => {
        if (next >= jobs.length) return resolve();
        const id = next++;
        child.send({ ...jobs[id]!, id } as Job);
      };
      child.on('message', (m: { id: number; result: R }) => {
        results[m.id] = m.result;
        onDone(m.id, m.result);
        feed();
      });
      child.on('exit', (code) => {
        if (next < jobs.length || code) reject(new Error(`bench worker exited with ${code}`));
      });
      feed();
    });
  try {
    const n = Math.max(1, Math.min(workers, jobs.length));
    for (let i = 0; i < n; i++) children.push(fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map(one));
  } finally {
    for (const c of children) c.kill();
  }
  return results;
}
