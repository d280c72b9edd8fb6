// receiveFiles: listen, accept a sender (more, one after another, with keepOpen), take every
// stream it opens as a batch of entries (tree-receive.ts), and finish when the sender closes.
import { access, mkdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { Listener } from '../io/server.js';
import type { Session } from '../io/session.js';
import type { TransportDeps } from '../io/transport.js';
import { XferError, type ReceiveOptions, type TransferSummary } from './api.js';
import { HashCache } from './hash-cache.js';
import { connParams, fsReason, runTransfer, summaryOf, toEndpoint } from './run.js';
import { Tally } from './tally.js';
import { receiveTree, type TreeReceiveOptions } from './tree-receive.js';

export async function receiveFiles(deps: TransportDeps, o: ReceiveOptions): Promise<TransferSummary> {
  await prepareOutDir(o.outDir);
  const listener = await Listener.open(deps, o.listen.host, o.listen.port);
  const cache = new HashCache(o.hashCacheDir ?? null);
  try {
    o.onListening(toEndpoint(listener.address()));
    cache.startPrune(); // meanwhile: waiting for the sender
    const tally = new Tally();
    const t0 = deps.clock();
    let last: Session | null = null;
    let round = 0;
    do {
      o.progress.onPhase('listening');
      let session: Session;
      try {
        session = await listener.accept({ ...connParams(o), maxAttempts: o.maxAttempts, onWarning: (m) => o.progress.onWarning(m), onWrongCode: (r) => o.progress.onWrongCode(r) });
      } catch (e) {
        // Ctrl-C between senders is how a --keep-open receiver is stopped: not a failure.
        if (o.keepOpen && e instanceof XferError && e.kind === 'interrupted') break;
        throw e;
      }
      last = session;
      o.progress.onPhase('transferring');
      try {
        await receiveSession(session, o, round++, tally, cache);
      } catch (e) {
        if (!o.keepOpen || !(e instanceof XferError) || e.kind !== 'peer_gone') throw e;
        o.progress.onWarning(e.message);
      }
    } while (o.keepOpen && !o.signal.aborted);
    return summaryOf(tally, deps.clock() - t0, last?.stats() ?? null);
  } finally {
    await listener.close();
    await cache.settle();
  }
}

/** All entries of one connection; resolves once the sender closed it gracefully. */
async function receiveSession(session: Session, o: ReceiveOptions, round: number, tally: Tally, cache: HashCache): Promise<void> {
  const tree: TreeReceiveOptions = {
    outDir: o.outDir,
    force: o.force,
    fsync: o.fsync === true,
    cache,
    progress: o.progress,
    stallMs: o.stallTimeoutMs ?? 0,
  };
  if (o.openFile) tree.openFile = o.openFile;
  await runTransfer(session, o, 'sender', () => receiveTree(session, tree, tally, String(round)));
}

/** The output directory must exist and be writable; a missing one is created if its parent exists. */
export async function prepareOutDir(dir: string): Promise<void> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new XferError('local_file', `output directory ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof XferError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new XferError('local_file', `cannot use output directory ${dir}: ${fsReason(e)}`);
    }
    try {
      await mkdir(dir);
    } catch (e2) {
      const why = (e2 as NodeJS.ErrnoException).code === 'ENOENT' ? `${dirname(dir)} does not exist` : fsReason(e2);
      throw new XferError('local_file', `cannot create output directory ${dir}: ${why}`);
    }
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new XferError('local_file', `output directory ${dir} is not writable`);
  }
}
