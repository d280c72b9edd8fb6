// receiveFiles: listen, accept a sender (more, one after another, with keepOpen), take every
// stream it opens as one file, and finish when the sender closes the connection.
import { access, mkdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../core/api.js';
import { ConnectionClosedError } from '../io/errors.js';
import { Listener } from '../io/server.js';
import type { Session } from '../io/session.js';
import type { XferStream } from '../io/stream.js';
import type { TransportDeps } from '../io/transport.js';
import { XferError, type ItemResult, type ReceiveOptions, type TransferSummary } from './api.js';
import { receiveFile } from './receive-item.js';
import { connParams, fsReason, runTransfer, summary, toEndpoint } from './run.js';

export async function receiveFiles(deps: TransportDeps, o: ReceiveOptions): Promise<TransferSummary> {
  await prepareOutDir(o.outDir);
  const listener = await Listener.open(deps, o.listen.host, o.listen.port);
  try {
    o.onListening(toEndpoint(listener.address()));
    const items: ItemResult[] = [];
    const t0 = deps.clock();
    let last: Session | null = null;
    let round = 0;
    do {
      o.progress.onPhase('listening');
      let session: Session;
      try {
        session = await listener.accept({ ...connParams(o), onWarning: (m) => o.progress.onWarning(m) });
      } catch (e) {
        // Ctrl-C between senders is how a --keep-open receiver is stopped: not a failure.
        if (o.keepOpen && e instanceof XferError && e.kind === 'interrupted') break;
        throw e;
      }
      last = session;
      o.progress.onPhase('transferring');
      try {
        items.push(...(await receiveSession(session, o, round++)));
      } catch (e) {
        if (!o.keepOpen || !(e instanceof XferError) || e.kind !== 'peer_gone') throw e;
        o.progress.onWarning(e.message);
      }
    } while (o.keepOpen && !o.signal.aborted);
    return summary(items, deps.clock() - t0, last?.stats() ?? null);
  } finally {
    await listener.close();
  }
}

/** All files of one connection; resolves once the sender closed it gracefully. */
async function receiveSession(session: Session, o: ReceiveOptions, round: number): Promise<ItemResult[]> {
  const handlers: Promise<ItemResult>[] = [];
  const ctx = { outDir: o.outDir, force: o.force, progress: o.progress, stallMs: o.stallTimeoutMs ?? 0 };
  session.on('stream', (s: XferStream) => handlers.push(receiveFile(s, `${round}:${s.id}`, ctx)));
  return runTransfer(session, o, 'sender', async () => {
    const reason = await session.closed;
    // Handlers clean up their temp files before they settle; wait for all of them.
    const results = await Promise.all(handlers);
    if (reason.kind !== 'peer' || reason.errorCode !== AppError.NONE) throw new ConnectionClosedError(reason);
    return results;
  });
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
