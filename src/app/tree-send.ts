// Sending trees: the walk (tree.ts) grouped into batches (batch.ts), each batch on its own
// stream, at most `streams` of them at once. Workers take the next batch as soon as theirs is
// done, so one big file never holds up the small ones behind it on other streams.
import type { Session } from '../io/session.js';
import type { ProgressSink } from './api.js';
import { batches, type BatchEvent } from './batch.js';
import { sendBatch, type BatchSendContext, type ReadSource } from './batch-send.js';
import { EarlyPolicy } from './file-stream.js';
import type { HashCache } from './hash-cache.js';
import { displayPath } from './safe-path.js';
import type { Tally } from './tally.js';
import { walk } from './tree.js';

export interface TreeSendOptions {
  /** The walk (startWalk), begun before the connection was up. */
  walk: Walk;
  streams: number;
  /** --no-resume */
  fresh: boolean;
  cache: HashCache;
  progress: ProgressSink;
  /** --stall-timeout in ms; 0: never. */
  stallMs: number;
  readSource?: ReadSource;
}

/** The walk grouped into batches; close() ends it early. */
export interface Walk {
  events: AsyncGenerator<BatchEvent>;
  close(): Promise<void>;
}

/**
 * Starts the walk at once, so that its first batch forms (stat, directory reads) while the
 * handshake is on the wire instead of after it.
 */
export function startWalk(roots: string[], symlinks: boolean): Walk {
  const inner = batches(walk(roots, { symlinks }));
  const first = inner.next();
  first.catch(() => undefined); // awaited below; a walk that fails before then is not unhandled
  async function* events(): AsyncGenerator<BatchEvent> {
    const f = await first;
    if (f.done) return;
    yield f.value;
    yield* inner;
  }
  return { events: events(), close: async () => void (await inner.return(undefined)) };
}

/** Sends everything the walk finds; per-item outcomes go to `tally`. Rejects if the transfer is lost. */
export async function sendTree(session: Session, o: TreeSendOptions, tally: Tally): Promise<void> {
  const events = o.walk.events;
  let keys = 0;
  const ctx: BatchSendContext = {
    progress: o.progress,
    cache: o.cache,
    fresh: o.fresh,
    stallMs: o.stallMs,
    early: new EarlyPolicy(),
    nextKey: () => `item:${keys++}`,
    record: (r) => tally.record(r),
  };
  if (o.readSource) ctx.readSource = o.readSource;
  let fatal: unknown = null;
  const worker = async (): Promise<void> => {
    while (fatal === null) {
      let next: IteratorResult<BatchEvent>;
      try {
        next = await events.next();
      } catch (e) {
        fatal ??= e;
        return;
      }
      if (next.done || fatal !== null) return;
      const ev = next.value;
      if (ev.type === 'batch') {
        try {
          // Streams open in batch order (the generator settles in order, waiters queue): the
          // last batch's stream has the highest id, as its receiver assumes.
          await sendBatch(await session.openStream(), ev.entries, ev.last, ctx);
        } catch (e) {
          fatal ??= e;
        }
      } else if (ev.type === 'warning') {
        o.progress.onWarning(ev.message);
      } else {
        const key = ctx.nextKey();
        o.progress.onItemStart({ key, name: displayPath(ev.rel), total: null });
        o.progress.onItemFailed(key, ev.message);
        tally.record({ name: displayPath(ev.rel), bytes: 0, ok: false, error: ev.message });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.streams) }, worker));
  } finally {
    await o.walk.close();
  }
  if (fatal !== null) throw fatal;
}
