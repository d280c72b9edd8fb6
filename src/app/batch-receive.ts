// The receiver's side of one batch (protocol in batch.ts). Every entry is decided first, with
// all the checks that need no data (batch-decide.ts). Then the data comes in order: a small file
// is read whole into memory and checked, and written out while the next ones are read (a few at
// once, each answered as soon as it is in place); a big file streams into its partial
// (big-file.ts). A failure stays with its item; the sender gets the reason in its result.
import { AppError } from '../core/api.js';
import { StreamAbort, StreamResetError } from '../io/errors.js';
import type { XferStream } from '../io/stream.js';
import { encodeDecisions, encodeResult, SMALL_MAX, toGo, type BatchHeader, type Go, type WireEntry } from './batch.js';
import { decideAll, type BatchReceiveContext, type Slot } from './batch-decide.js';
import { receiveBig } from './big-file.js';
import type { ByteReader } from './bytes.js';
import { ProtocolError, TRAILER_LEN } from './codec.js';
import { hashBytes } from './hashing.js';
import {
  describeLoss, doneItem, existsFailure, failItem, integrityFailure, ItemFailure, refused, result, settleSkip, writeFailure,
} from './item-outcome.js';
import { Outbox } from './outbox.js';
import { TargetExists, writeWhole } from './resume.js';
import { isTransferLost } from './run.js';
import { displayPath } from './safe-path.js';
import { StallWatch } from './stall.js';
import { TurnBudget } from './turn.js';
import { trace } from '../io/trace.js';

/** Small files being written out at once while the next ones are read (memory: this many times SMALL_MAX at most). */
const WRITE_PARALLEL = 16;
const EARLY_READ = 64 * 1024;

type Outcome = { ok: boolean; why?: string };

/**
 * Receives one batch whose header was read already. Rejects only if the connection is lost or we
 * cancel. `onSettled` runs once every item has its outcome, before the sender's FIN is awaited.
 */
export async function receiveBatch(
  s: XferStream, reader: ByteReader, h: BatchHeader, ctx: BatchReceiveContext, onSettled: () => void = () => undefined,
): Promise<void> {
  trace(`batch of ${h.items.length} on stream ${s.id}`);
  const slots = await decideAll(h.items, h.fresh, ctx);
  s.write(encodeDecisions(slots.map((x) => x.d)));
  trace(`batch decisions sent on stream ${s.id}`);
  for (const x of slots) {
    if (x.d.a === 'refuse') refused(ctx, s.id, x.e, x.d.why);
    else if (x.d.a === 'done') ctx.record(result(x.e, true, 0));
  }
  const data = slots.map((x, i) => [x, i] as const).filter(([x]) => x.d.a === 'send' || x.d.a === 'resume' || x.d.a === 'verify');
  const watch = new StallWatch(s, ctx.stallMs, () => s.bytesPulled, 'received');
  const writing = new Set<Promise<void>>();
  const answers = new Answers(s);
  const answer = (i: number, r: Outcome): void => answers.push(i, r);
  let lost: Error | null = null;
  const turn = new TurnBudget();
  try {
    if (h.early > 0 && slots[0]!.d.a !== 'send') {
      try {
        await dropEarly(reader, h);
      } catch (e) {
        lost = e as Error;
        if (isTransferLost(e)) throw e;
      }
    }
    for (let k = 0; k < data.length; k++) {
      await turn.check();
      const [slot, i] = data[k]!;
      if (lost) {
        refused(ctx, s.id, slot.e, `${displayPath(slot.e.path)} was not received: ${lost.message}`);
        continue;
      }
      try {
        const r = await receiveItem(s, reader, h.items, slot, i, ctx, k === data.length - 1, watch);
        if (r && 'writing' in r) {
          const p: Promise<void> = r.writing.then((o) => answer(i, o)).finally(() => writing.delete(p));
          writing.add(p);
          while (writing.size >= WRITE_PARALLEL) await Promise.race(writing);
        } else if (r) {
          answer(i, r);
        }
      } catch (e) {
        lost = e as Error;
        if (isTransferLost(e)) throw e;
      }
    }
  } finally {
    // Files being written are finished either way (never left half-made).
    await Promise.all(writing);
    watch.stop();
  }
  onSettled();
  if (lost) {
    if (lost instanceof ProtocolError) s.stopReading(AppError.REFUSED);
    else if (lost instanceof StreamResetError) s.destroy(new StreamAbort(lost.code));
    // Stopped (big-file.ts) and Stalled: the stream was already stopped or destroyed on purpose.
  } else if (!(await reader.atEnd())) {
    s.stopReading(AppError.REFUSED);
  }
  answers.flush();
  if (!s.destroyed) s.end();
}

/** Item 0's Go and early bytes (batch.ts), sent before our decision, which was not send. */
async function dropEarly(reader: ByteReader, h: BatchHeader): Promise<void> {
  const go = toGo(await reader.framed(), h.items, 0);
  if (!('at' in go) || go.at !== 0) throw new ProtocolError('early data without its go-ahead');
  // A small file came whole, its hash behind it.
  const trailer = h.items[0]!.size <= SMALL_MAX ? TRAILER_LEN : 0;
  for (let left = h.early + trailer; left > 0; ) {
    const b = await reader.next(Math.min(left, EARLY_READ));
    if (!b) throw new ProtocolError('the early data ended early');
    left -= b.length;
  }
}

/**
 * The results of one stream, written together once per event-loop turn: one packet carries
 * many of them instead of each going out (and being acknowledged) alone.
 */
class Answers {
  private readonly out: Outbox;
  private scheduled = false;

  constructor(private readonly s: XferStream) {
    this.out = new Outbox(s);
  }

  push(i: number, r: Outcome): void {
    this.out.add(encodeResult({ i, ...r }));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    trace(`answers sent on stream ${this.s.id}`);
    // Nobody reads answers any more once the stream is gone or ended; a failed write is the
    // stream's loss, which the batch learns from the stream itself.
    if (this.s.destroyed || this.s.writableEnded) return;
    this.out.flush().catch(() => undefined);
  }
}

/**
 * One item with data: its Go frame, then its bytes. Resolves with the outcome (null when the
 * sender skipped it), or for a small file with the promise of its outcome once written (wrapped:
 * the next items are read meanwhile); throws when the stream can carry nothing more.
 */
async function receiveItem(
  s: XferStream, reader: ByteReader, items: WireEntry[], slot: Slot, i: number, ctx: BatchReceiveContext, last: boolean, watch: StallWatch,
): Promise<Outcome | { writing: Promise<Outcome> } | null> {
  const key = ctx.nextKey(s.id);
  const e = slot.e;
  const name = displayPath(e.path);
  ctx.progress.onItemStart({ key, name, total: e.size });
  let go: Go;
  try {
    // Before a verify or a resume the sender may be hashing its file (no cached digests): quiet
    // on the stream, but not stalled.
    if (slot.d.a !== 'send') watch.pause();
    go = toGo(await reader.framed(), items, i);
    watch.resume();
    if ('skip' in go) {
      settleSkip(ctx, key, e, go.skip === 'same' ? null : (go.why ?? `${name}: the sender could not send it`));
      return null;
    }
    if (go.at > 0 && (slot.d.a !== 'resume' || go.at !== slot.d.at)) throw new ProtocolError('resumed at an offset that was not offered');
    if (e.size <= SMALL_MAX && go.at === 0) {
      const body = await reader.exact(e.size + TRAILER_LEN);
      return { writing: writeSmall(body, slot, key, ctx) };
    }
  } catch (err) {
    failItem(ctx, key, e, 0, describeLoss(watch.stalled ?? err, name));
    throw watch.stalled ?? err;
  }
  // Only a hostile sender sends one path on two streams at once; both would write one partial.
  watch.pause();
  return oneAtATime(ctx.writing, slot.target, () => {
    watch.resume();
    return receiveBig({ s, reader, slot, i, key, at: go.at, last, watch }, ctx);
  });
}

/** A small file read whole: checked in memory, then written to its partial and moved into place. */
async function writeSmall(body: Buffer, slot: Slot, key: string, ctx: BatchReceiveContext): Promise<Outcome> {
  const e = slot.e;
  const data = body.subarray(0, e.size);
  try {
    if (!hashBytes(data).equals(body.subarray(e.size))) throw integrityFailure(e.path);
    ctx.progress.onItemProgress(key, e.size);
    const write = (): Promise<void> => writeWhole(slot.target, data, e.mode, e.mtime, { opener: ctx.openFile, fsync: ctx.fsync, replace: ctx.force });
    // Without fsync or an injected opener the write is synchronous: nothing can come between.
    await (ctx.fsync || ctx.openFile ? oneAtATime(ctx.writing, slot.target, write) : write()).catch((err: unknown) => {
      throw err instanceof TargetExists ? existsFailure(e.path) : writeFailure(err, e.path);
    });
  } catch (err) {
    const why = err instanceof ItemFailure ? err.message : String(err);
    failItem(ctx, key, e, 0, why);
    return { ok: false, why };
  }
  trace(`${e.size}-byte file in place`);
  doneItem(ctx, key, e, e.size);
  return { ok: true };
}

/**
 * Files are written several at once; two for the same target (one path twice in a run) would
 * share one partial and could leave a mix of both in place, so the second waits for the first.
 */
function oneAtATime<T>(busy: Map<string, Promise<unknown>>, target: string, f: () => Promise<T>): Promise<T> {
  const before = busy.get(target);
  const p = before ? before.then(f) : f();
  const settled = p.catch(() => undefined);
  busy.set(target, settled);
  void settled.then(() => {
    if (busy.get(target) === settled) busy.delete(target);
  });
  return p;
}
