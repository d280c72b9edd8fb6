// Receiving a file that streams (more than fits a batch of small ones): its data goes straight
// into the partial file (resume.ts) as it arrives, hashed in blocks, and is moved into place
// only after the file hash matched. On a failure mid-file the rest of its bytes are dropped, or
// the stream is stopped when that is cheaper (or nothing else follows on it).
import type { XferStream } from '../io/stream.js';
import type { BatchReceiveContext, Slot } from './batch-decide.js';
import { encodeResult } from './batch.js';
import type { ByteReader } from './bytes.js';
import { ProtocolError, TRAILER_LEN } from './codec.js';
import { BLOCK_SIZE } from './hashing.js';
import {
  describeLoss, doneItem, existsFailure, failItem, integrityFailure, ItemFailure, writeFailure,
} from './item-outcome.js';
import { PartialFile, TargetExists } from './resume.js';
import { displayPath } from './safe-path.js';
import { WriteBatcher } from './write-batch.js';
import type { StallWatch } from './stall.js';

const CHUNK = 256 * 1024;
/** A smaller batch of received bytes is written after this long (a slow or stalled stream). */
const WRITE_IDLE_MS = 50;
/** A failed item's bytes still to come are read and dropped up to this much; beyond, the stream is stopped. */
const DISCARD_MAX = 2 * 1024 * 1024;

/** The stream was stopped on purpose after a failed item: later items are not coming. */
export class Stopped extends Error {}

export interface BigItem {
  s: XferStream;
  reader: ByteReader;
  slot: Slot;
  /** Index in the batch. */
  i: number;
  key: string;
  /** Where the data starts (a checked resume offset, or 0). */
  at: number;
  /** Nothing follows it on the stream: on failure, stop the stream rather than drain it. */
  last: boolean;
  watch: StallWatch;
}

/** Receives one item's data into its partial; the outcome for the sender, or throws when the stream is lost. */
export async function receiveBig(x: BigItem, ctx: BatchReceiveContext): Promise<{ ok: boolean; why?: string }> {
  const { slot, reader, watch } = x;
  const e = slot.e;
  const name = displayPath(e.path);
  const pf = await begin(slot, x.at, ctx).catch((err: unknown) => err as ItemFailure);
  let got = x.at;
  const onData = (n: number): void => ctx.progress.onItemProgress(x.key, (got += n));
  // What this item still has on the stream (data and trailer), to drop it if the item fails.
  const left = { n: e.size - x.at + TRAILER_LEN };
  try {
    if (pf instanceof ItemFailure) throw pf;
    await copy(reader, pf, left, name, onData);
    const trailer = await reader.exact(TRAILER_LEN);
    left.n = 0;
    watch.pause();
    const hash = await pf.finish();
    if (!hash.equals(trailer)) {
      await pf.discard();
      throw integrityFailure(e.path);
    }
    await place(pf, slot, ctx);
    watch.resume();
    doneItem(ctx, x.key, e, got - x.at);
    return { ok: true };
  } catch (err) {
    watch.resume();
    if (!(pf instanceof ItemFailure)) await keepIfResumable(pf);
    if (!(err instanceof ItemFailure)) {
      failItem(ctx, x.key, e, got - x.at, describeLoss(watch.stalled ?? err, name));
      throw watch.stalled ?? err;
    }
    failItem(ctx, x.key, e, got - x.at, err.message);
    if (left.n > 0 && (x.last || left.n > DISCARD_MAX)) {
      x.s.write(encodeResult({ i: x.i, ok: false, why: err.message }));
      x.s.stopReading(err.code);
      throw new Stopped(`the receiver stopped the stream after ${name} failed`);
    }
    await drop(reader, left.n);
    return { ok: false, why: err.message };
  }
}

/**
 * After a failure mid-file (stream lost, write error): the partial stays under its temporary
 * name when a rerun can resume from it (it holds a whole block), otherwise it is removed.
 */
async function keepIfResumable(pf: PartialFile): Promise<void> {
  if (pf.resumable) await pf.close();
  else await pf.discard();
}

async function begin(slot: Slot, at: number, ctx: BatchReceiveContext): Promise<PartialFile> {
  const offer = at > 0 ? slot.offer : null;
  try {
    return await PartialFile.begin(slot.target, offer, ctx.openFile, slot.e.size >= BLOCK_SIZE);
  } catch (err) {
    throw writeFailure(err, slot.e.path);
  }
}

/** The data (all of `left` but the trailer) into the partial, in large writes (write-batch.ts). */
async function copy(reader: ByteReader, pf: PartialFile, left: { n: number }, name: string, onWritten: (n: number) => void): Promise<void> {
  const batch = new WriteBatcher(
    (data) => pf.write(data).then(
      () => onWritten(data.length),
      (e: unknown) => { throw writeFailure(e, name); },
    ),
    CHUNK,
    WRITE_IDLE_MS,
  );
  try {
    while (left.n > TRAILER_LEN) {
      const chunk = await reader.next(Math.min(left.n - TRAILER_LEN, CHUNK));
      if (!chunk) throw new ProtocolError(`the data ended ${left.n - TRAILER_LEN} bytes early`);
      left.n -= chunk.length;
      await batch.add(chunk);
    }
  } catch (e) {
    // What was read still reaches the partial when the stream failed: a resume can keep it.
    await batch.end().catch(() => undefined);
    throw e;
  }
  await batch.end();
}

async function place(pf: PartialFile, slot: Slot, ctx: BatchReceiveContext): Promise<void> {
  try {
    await pf.seal(slot.e.mode, slot.e.mtime, ctx.fsync);
    await pf.complete(slot.target, ctx.cache, ctx.fsync, ctx.force);
  } catch (err) {
    if (!(err instanceof TargetExists)) throw writeFailure(err, slot.e.path);
    // It appeared while the data was arriving.
    await pf.discard();
    throw existsFailure(slot.e.path);
  }
}

async function drop(reader: ByteReader, n: number): Promise<void> {
  while (n > 0) {
    const b = await reader.next(Math.min(n, CHUNK));
    if (!b) throw new ProtocolError('the data ended early');
    n -= b.length;
  }
}
