// sendFiles: check every root (file or directory), connect, send the tree over at most
// `concurrency` streams at once (tree-send.ts), close.
import { opendir, open, stat } from 'node:fs/promises';
import { AppError } from '../core/api.js';
import { connectClient } from '../io/client.js';
import type { TransportDeps } from '../io/transport.js';
import { XferError, type SendOptions, type TransferSummary } from './api.js';
import { HashCache } from './hash-cache.js';
import { connParams, fsReason, runTransfer, summaryOf, transferTime } from './run.js';
import { Tally } from './tally.js';
import { rootName } from './tree.js';
import { sendTree, startWalk } from './tree-send.js';
import { trace } from '../io/trace.js';

export const DEFAULT_STREAMS = 4;

export async function sendFiles(deps: TransportDeps, o: SendOptions): Promise<TransferSummary> {
  trace('app: send');
  const roots = await checkSources(o.files);
  trace('app: sources checked');
  if (o.signal.aborted) throw new XferError('interrupted', 'interrupted');
  const cache = new HashCache(o.hashCacheDir ?? null);
  cache.startPrune(); // meanwhile: the handshake
  const walk = startWalk(roots, o.symlinks === true); // its first batch forms meanwhile too
  try {
    const session = await connectClient(deps, {
      ...connParams(o),
      host: o.remote.host,
      port: o.remote.port,
      onPhase: (p) => o.progress.onPhase(p),
    });
    const t0 = deps.clock();
    let done: number | null = null;
    o.progress.onPhase('transferring');
    const tally = new Tally();
    await runTransfer(session, o, 'receiver', async () => {
      await sendTree(session, {
        walk,
        streams: o.concurrency || DEFAULT_STREAMS,
        fresh: o.resume === false,
        cache,
        progress: o.progress,
        stallMs: o.stallTimeoutMs ?? 0,
        ...(o.readSource ? { readSource: o.readSource } : {}),
      }, tally);
      done = deps.clock();
      trace('app: every item answered');
      o.progress.onPhase('closing');
      // Every item is answered: we need nothing more from the receiver, and it nothing more
      // from us (our last batch said it was the last; tree-receive.ts). So hang up without
      // waiting a round trip for its close to come back.
      await session.hangUp(AppError.NONE, 'done');
    });
    return summaryOf(tally, transferTime(t0, done, deps.clock()), session.stats());
  } finally {
    await walk.close();
    await cache.settle();
  }
}

/**
 * Every root must be a readable file or directory, and no two may arrive under the same name,
 * before we bother the receiver. What is inside directories is checked as the walk goes.
 */
export async function checkSources(paths: string[]): Promise<string[]> {
  const names = new Map<string, string>();
  for (const path of paths) {
    await checkSource(path);
    const name = rootName(path);
    if (name === '') throw new XferError('usage', `cannot send ${path} as a whole: name a directory inside it`);
    const clash = names.get(name);
    if (clash !== undefined) throw new XferError('usage', `${clash} and ${path} would both arrive as ${name}`);
    names.set(name, path);
  }
  return paths;
}

async function checkSource(path: string): Promise<void> {
  const fail = (why: string): XferError => new XferError('local_file', `cannot read ${path}: ${why}`);
  try {
    const st = await stat(path);
    if (st.isDirectory()) await (await opendir(path)).close();
    else if (st.isFile()) await (await open(path, 'r')).close();
    else throw fail('not a regular file or directory');
  } catch (e) {
    throw e instanceof XferError ? e : fail(fsReason(e));
  }
}
