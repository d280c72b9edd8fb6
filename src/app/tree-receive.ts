// Receiving trees: every stream the sender opens carries one batch (batch-receive.ts). Directory
// attributes are applied when the session is over, whatever its outcome.
import { AppError } from '../core/api.js';
import { ConnectionClosedError } from '../io/errors.js';
import type { Session } from '../io/session.js';
import type { XferStream } from '../io/stream.js';
import { toBatchHeader } from './batch.js';
import { receiveBatch } from './batch-receive.js';
import { DirAttrs, type BatchReceiveContext, type ReceiveSettings } from './batch-decide.js';
import { ByteReader } from './bytes.js';
import { encodeAnswer, ProtocolError } from './codec.js';
import { SafeTree } from './safe-path.js';
import type { Tally } from './tally.js';

export interface TreeReceiveOptions extends ReceiveSettings {
  outDir: string;
}

/**
 * Takes every stream of `session` as a batch until the connection closes. Resolves if the sender
 * closed it gracefully, or went silent once it had everything (see below); else rejects with
 * ConnectionClosedError (runTransfer turns it into words).
 */
export async function receiveTree(session: Session, o: TreeReceiveOptions, tally: Tally, keyPrefix: string): Promise<void> {
  let keys = 0;
  const ctx: BatchReceiveContext = {
    tree: new SafeTree(o.outDir),
    force: o.force,
    fsync: o.fsync,
    cache: o.cache,
    progress: o.progress,
    stallMs: o.stallMs,
    dirs: new DirAttrs(),
    writing: new Map(),
    nextKey: (id) => `${keyPrefix}:${id}:${keys++}`,
    record: (r) => tally.record(r),
  };
  if (o.openFile) ctx.openFile = o.openFile;
  const handlers = new Set<Promise<void>>();
  const unsettled = new Set<XferStream>();
  let lastSeen = false;
  session.on('stream', (s: XferStream) => {
    unsettled.add(s);
    const hooks = { onLast: () => (lastSeen = true), onSettled: () => unsettled.delete(s) };
    const p = handleStream(s, ctx, hooks).finally(() => handlers.delete(p));
    handlers.add(p);
  });
  const reason = await session.closed;
  // The sender's last batch came and every item of every stream up to it has its outcome (a
  // stream opens all below it, so each was here by then): the sender has no more to send.
  const complete = lastSeen && unsettled.size === 0;
  // Handlers close their files before they settle; wait for all of them.
  while (handlers.size > 0) await Promise.all([...handlers]);
  await ctx.dirs.apply();
  if (reason.kind === 'peer' && reason.errorCode === AppError.NONE) return;
  // The sender hangs up once answered, without waiting for our goodbye; its close can be lost.
  if (complete && reason.kind === 'idle_timeout') return;
  throw new ConnectionClosedError(reason);
}

/** Never rejects: failures are recorded per item, a lost connection is the session's business. */
async function handleStream(s: XferStream, ctx: BatchReceiveContext, hooks: { onLast(): void; onSettled(): void }): Promise<void> {
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  let header;
  try {
    const v = await reader.framed();
    if ((v as { kind?: unknown } | null)?.kind === 'pipe') throw new ProtocolError('this receiver takes files (xfer recv); send a pipe to xfer pipe --listen');
    header = toBatchHeader(v);
  } catch (e) {
    if (e instanceof ProtocolError && !s.destroyed) {
      s.stopReading(AppError.REFUSED);
      s.end(encodeAnswer({ ok: false, error: e.message }));
      hooks.onSettled();
    }
    return;
  }
  if (header.last) hooks.onLast();
  await receiveBatch(s, reader, header, ctx, hooks.onSettled).catch(() => undefined);
}
