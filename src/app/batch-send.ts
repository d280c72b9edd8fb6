// The sender's side of one batch (protocol in batch.ts): announce the entries, read the
// receiver's decisions, then stream what is needed in order while the per-item results come
// back on the same stream. Small files are read whole before they go (so a source error is
// known before any of its bytes are on the wire); a big file travels alone and streams, hashing
// in blocks as it goes and feeding the hash cache, from the offset a checked resume allows.
import { AppError } from '../core/api.js';
import { StreamAbort, StreamResetError } from '../io/errors.js';
import type { XferStream } from '../io/stream.js';
import type { ItemResult, ProgressSink } from './api.js';
import {
  BATCH_VERSION, encodeBatchHeader, encodeGo, SMALL_MAX, toDecisions, toResult, toWire, type Decision, type Go, type ItemResultFrame,
} from './batch.js';
import { ByteReader } from './bytes.js';
import { peerReason, ProtocolError } from './codec.js';
import { EarlyPolicy, FileStreamer, SourceFailed, type ReadSource } from './file-stream.js';
import type { FileId, HashCache } from './hash-cache.js';
import { hashBytes } from './hashing.js';
import { checkOffer, fileHash } from './resume.js';
import { PeerCancelled, fsReason, isTransferLost } from './run.js';
import { displayPath } from './safe-path.js';
import { peerAbortReason, StallWatch } from './stall.js';
import type { TreeEntry } from './tree.js';
import { readSmall } from './source-read.js';
import { Outbox } from './outbox.js';
import { TurnBudget } from './turn.js';
import { writeChunk } from './write.js';
import { trace } from '../io/trace.js';

export type { ReadSource } from './file-stream.js';

export interface BatchSendContext {
  progress: ProgressSink;
  cache: HashCache;
  /** --no-resume */
  fresh: boolean;
  /** --stall-timeout in ms; 0: never. */
  stallMs: number;
  readSource?: ReadSource;
  early: EarlyPolicy;
  nextKey(): string;
  record(r: ItemResult): void;
}

/** The receiver refused the whole stream with a reason (e.g. it is a pipe listener). */
class Refused extends Error {}

/** Throws Refused for a refusal answer ({ok: false, error}) where decisions were expected. */
function refusal(v: unknown): unknown {
  const a = v as { ok?: unknown; error?: unknown } | null;
  if (typeof a === 'object' && a !== null && a.ok === false && typeof a.error === 'string') throw new Refused(peerReason(a.error));
  return v;
}

/** What the sender will do for one item that the receiver wants to hear about. */
type SkipGo = Extract<Go, { skip: unknown }>;

type Plan =
  | { go: SkipGo }
  | { go: { i: number; at: number }; small: Buffer | null; prefix: Buffer };

/**
 * Sends one batch on `s`. Per-item outcomes go to ctx.record; rejects only when the whole
 * transfer is lost (ConnectionClosedError, our abort, PeerCancelled).
 */
export async function sendBatch(s: XferStream, entries: TreeEntry[], last: boolean, ctx: BatchSendContext): Promise<void> {
  s.on('error', () => undefined); // failures surface through the reader and writes
  const reader = new ByteReader(s);
  const items = entries.map(toWire);
  const first = entries[0]!;
  const small = first.size <= SMALL_MAX ? smallEarly(first, ctx) : null;
  const earlyBytes = first.size <= SMALL_MAX ? (small?.length ?? 0) : ctx.early.bytesFor(first, SMALL_MAX);
  let early: EarlyStart | null = null;
  let decisions: Decision[];
  try {
    const header = encodeBatchHeader({ v: BATCH_VERSION, fresh: ctx.fresh, early: earlyBytes, items, ...(last ? { last } : {}) });
    // A small file joins its header in one write: one packet, read by the receiver in one go.
    if (small) await writeChunk(s, Buffer.concat([header, encodeGo({ i: 0, at: 0 }), small, hashBytes(small)]));
    else await writeChunk(s, header);
    if (!small && earlyBytes > 0) early = new EarlyStart(s, first, earlyBytes, ctx);
    trace(`batch of ${items.length} requested on stream ${s.id}, ${earlyBytes} bytes early`);
    decisions = toDecisions(refusal(await reader.framed()), items);
    trace(`batch decisions on stream ${s.id}`);
  } catch (e) {
    // The batch is over; the early bytes finish (or fail with the stream) in the background.
    const failed = early?.abandon();
    const why = e instanceof Refused ? e.message : failed instanceof SourceFailed ? failed.message : `not sent: ${fatalOr(e, s)}`;
    for (const en of entries) failQuietly(ctx, en, why);
    return;
  }
  const results = new ResultReader(reader, s);
  // Before anything can yield: the answer may follow the decisions at once.
  const smallSent = small && tookEarly(ctx, decisions) ? { bytes: small.length, result: results.expect(0) } : null;
  const watch = new StallWatch(s, ctx.stallMs, () => s.bytesAccepted, 'sent');
  watch.pause();
  let stopped: unknown = null;
  if (early) {
    const taken = decisions[0]!.a === 'send';
    ctx.early.learn(taken);
    if (!taken) {
      // Nothing else may go on the stream before the early bytes, so a source that hangs
      // there is watched like any other.
      watch.resume();
      stopped = await early.dropped();
      watch.pause();
      early = null;
    }
  }
  const pending: Promise<void>[] = [];
  /** Frames went out that no answer will follow (skips): only the receiver's FIN says they were read. */
  let unanswered = false;
  const out = new Outbox(s);
  const turn = new TurnBudget();
  try {
    for (let i = 0; i < entries.length; i++) {
      await turn.check();
      const e = entries[i]!;
      const d = decisions[i]!;
      if (d.a === 'done') {
        ctx.record(result(e, true, 0));
        continue;
      }
      const key = ctx.nextKey();
      ctx.progress.onItemStart({ key, name: displayPath(e.rel), total: e.kind === 'file' ? e.size : null });
      if (d.a === 'refuse') {
        finish(ctx, key, e, false, 0, d.why);
      } else if (i === 0 && smallSent) {
        ctx.progress.onItemProgress(key, smallSent.bytes);
        pending.push(smallSent.result.then((r) => settleData(ctx, key, e, smallSent.bytes, r, s, watch)));
      } else if (stopped !== null) {
        finish(ctx, key, e, false, 0, `not sent: ${describeEnd(stopped, s)}`);
      } else {
        const r = await sendOne(s, i, e, d, key, ctx, results, watch, out, i === 0 ? early : null);
        if (r instanceof Error) stopped = r;
        else if (r.outcome) pending.push(r.outcome);
        else unanswered = true;
      }
    }
    if (stopped === null) {
      try {
        await flushWatched(out, watch);
        s.end();
      } catch (err) {
        void fatalOr(err, s);
      }
    }
  } finally {
    watch.stop();
  }
  // Answers say their items arrived whole, so when every frame sent gets one, the batch is over
  // once they are in: waiting for the two FINs to cross as well would cost a round trip (and a
  // close ends the stream too). Otherwise the receiver's FIN is the sign that it read them all.
  await Promise.all(pending);
  if (unanswered || pending.length === 0) await results.finished;
  if (results.fatal) throw results.fatal;
}

/** Writes what `out` holds, watched for a stall while the transport takes it. */
async function flushWatched(out: Outbox, watch: StallWatch): Promise<void> {
  if (out.queued === 0) return;
  watch.resume();
  await out.flush();
  watch.pause();
}

/**
 * One item with data: plan (local reads, resume check), then Go and the data. A small file only
 * joins `out` (written once enough is collected); anything else first writes out what is queued.
 * Resolves with the promise of its outcome (wrapped: it settles only when the receiver answers;
 * null for a skip, settled already), or with the error that ended the stream (later items fail;
 * queued ones learn it from `results`).
 */
async function sendOne(
  s: XferStream, i: number, e: TreeEntry, d: Decision, key: string, ctx: BatchSendContext, results: ResultReader, watch: StallWatch, out: Outbox,
  early: EarlyStart | null,
): Promise<{ outcome: Promise<void> | null } | Error> {
  try {
    // Hashing or checking a big file takes a while: what is queued should not wait for it.
    if (e.size > SMALL_MAX) await flushWatched(out, watch);
    const plan = await planItem(i, e, d, ctx);
    if ('skip' in plan.go) {
      out.add(encodeGo(plan.go));
      settleSkip(ctx, key, e, plan.go);
      return { outcome: null };
    }
    const got = results.expect(i);
    const at = plan.go.at;
    if ((plan as DataPlan).small) {
      const small = (plan as DataPlan).small!;
      const sent = { n: 0 };
      out.add(encodeGo(plan.go));
      out.add(small, () => ctx.progress.onItemProgress(key, (sent.n = small.length)));
      out.add(hashBytes(small));
      if (out.full) await flushWatched(out, watch);
      return { outcome: got.then((r) => settleData(ctx, key, e, sent.n, r, s, watch)) };
    }
    await flushWatched(out, watch);
    // Watched only while the data goes in: local work (hashing) is not a stall of the stream, and
    // once the transport holds all of it, the receiver's watch covers the rest.
    watch.resume();
    const sent = await sendData(s, plan as DataPlan, e, ctx, (n) => ctx.progress.onItemProgress(key, at + n), early);
    watch.pause();
    return { outcome: got.then((r) => settleData(ctx, key, e, sent, r, s, watch)) };
  } catch (err) {
    if (watch.stalled) {
      finish(ctx, key, e, false, 0, watch.stalled.message);
      return watch.stalled;
    }
    // Mid-data source failure: the stream is reset, nothing more can follow on it.
    if (err instanceof SourceFailed) {
      finish(ctx, key, e, false, 0, err.message);
      return err;
    }
    finish(ctx, key, e, false, 0, fatalOr(err, s));
    return err as Error;
  }
}

type DataPlan = Extract<Plan, { small: Buffer | null }>;

async function planItem(i: number, e: TreeEntry, d: Decision, ctx: BatchSendContext): Promise<Plan> {
  let small: Buffer | null = null;
  if (e.size <= SMALL_MAX) {
    try {
      small = readSmall(e);
    } catch (err) {
      return { go: { i, skip: 'failed', why: (err as Error).message } };
    }
  }
  const id: FileId = { dev: e.dev, ino: e.ino, size: e.size, mtimeMs: e.mtime };
  const empty = Buffer.alloc(0);
  if (d.a === 'resume' && small === null && !ctx.fresh) {
    const prefix = await checkOffer(e.source, id, d.at, Buffer.from(d.proof, 'hex'), ctx.cache);
    return prefix ? { go: { i, at: d.at }, small, prefix } : { go: { i, at: 0 }, small, prefix: empty };
  }
  if (d.a === 'verify') {
    let mine: Buffer;
    try {
      mine = small ? hashBytes(small) : await fileHash(e.source, id, ctx.cache);
    } catch (err) {
      return { go: { i, skip: 'failed', why: `cannot read ${e.source}: ${fsReason(err)}` } };
    }
    if (mine.toString('hex') === d.hash) return { go: { i, skip: 'same' } };
    if (!d.replace) return { go: { i, skip: 'differs', why: `${displayPath(e.rel)} exists on the receiver and differs; use --force there to replace it` } };
  }
  return { go: { i, at: 0 }, small, prefix: empty };
}

/**
 * Go, data from `at`, file hash, for a file that streams; with `early` (its Go and first bytes
 * went out behind the batch header) only the rest. Returns the data bytes handed to the transport.
 */
async function sendData(
  s: XferStream, p: DataPlan, e: TreeEntry, ctx: BatchSendContext, onSent: (n: number) => void, early: EarlyStart | null,
): Promise<number> {
  let sent = 0;
  const progress = (n: number): void => onSent((sent += n));
  let f: FileStreamer;
  if (early) {
    f = await early.taken();
    progress(f.sent);
  } else {
    await writeChunk(s, encodeGo(p.go));
    f = new FileStreamer(s, e, ctx.cache, p.prefix, p.go.at, ctx.readSource);
  }
  try {
    await f.send(e.size, progress);
    if (s.sendStopped !== null) return sent;
    await writeChunk(s, f.digest());
    return e.size - p.go.at;
  } finally {
    await f.close();
  }
}

/**
 * The content of a small first file to send whole before the decisions (file-stream.ts), or
 * null: not worth it, or unreadable (the item then fails as planned, after the decisions).
 */
function smallEarly(e: TreeEntry, ctx: BatchSendContext): Buffer | null {
  if (ctx.early.bytesFor(e, SMALL_MAX) === 0) return null;
  try {
    return readSmall(e);
  } catch {
    return null;
  }
}

/** Whether the receiver took the small file sent early (else it dropped it); the policy learns. */
function tookEarly(ctx: BatchSendContext, decisions: Decision[]): boolean {
  const taken = decisions[0]!.a === 'send';
  ctx.early.learn(taken);
  return taken;
}

/** The Go and first bytes of a batch's first item, sent before the decisions (file-stream.ts). */
class EarlyStart {
  private streamer: FileStreamer | null = null;
  private error: unknown = null;
  private readonly done: Promise<void>;

  constructor(s: XferStream, e: TreeEntry, bytes: number, ctx: BatchSendContext) {
    this.done = (async () => {
      await writeChunk(s, encodeGo({ i: 0, at: 0 }));
      this.streamer = new FileStreamer(s, e, ctx.cache, Buffer.alloc(0), 0, ctx.readSource);
      await this.streamer.send(bytes, () => undefined);
    })().catch((err: unknown) => {
      this.error = err;
    });
  }

  /** Once the early bytes are out: the streamer to go on with (the receiver said send). */
  async taken(): Promise<FileStreamer> {
    await this.done;
    if (this.error !== null) {
      await this.streamer?.close();
      throw this.error;
    }
    return this.streamer!;
  }

  /** Lets the early bytes finish in the background; what failed them so far, or null. */
  abandon(): Error | null {
    this.dropped().catch(() => undefined);
    return this.error === null ? null : (this.error as Error);
  }

  /**
   * Once the early bytes are out (the receiver drops them): null, or why the stream cannot
   * carry the batch any more (the source failed and reset it).
   */
  async dropped(): Promise<Error | null> {
    await this.done;
    await this.streamer?.close();
    return this.error === null ? null : (this.error as Error);
  }
}

// ---------------------------------------------------------------- outcomes

function result(e: TreeEntry, ok: boolean, bytes: number, error?: string, skipped = false): ItemResult {
  const r: ItemResult = { name: displayPath(e.rel), bytes, ok, kind: e.kind };
  if (skipped) r.skipped = true;
  if (error !== undefined) r.error = error;
  return r;
}

function finish(ctx: BatchSendContext, key: string, e: TreeEntry, ok: boolean, bytes: number, error?: string): void {
  if (ok) ctx.progress.onItemDone(key);
  else ctx.progress.onItemFailed(key, error ?? 'failed');
  ctx.record(result(e, ok, bytes, error));
}

function failQuietly(ctx: BatchSendContext, e: TreeEntry, why: string): void {
  const key = ctx.nextKey();
  ctx.progress.onItemStart({ key, name: displayPath(e.rel), total: e.kind === 'file' ? e.size : null });
  finish(ctx, key, e, false, 0, why);
}

function settleSkip(ctx: BatchSendContext, key: string, e: TreeEntry, go: SkipGo): void {
  if (go.skip === 'same') {
    if (ctx.progress.onItemSkipped) ctx.progress.onItemSkipped(key, 'identical on the receiver');
    else ctx.progress.onItemDone(key);
    ctx.record(result(e, true, 0, undefined, true));
    return;
  }
  finish(ctx, key, e, false, 0, go.why ?? 'failed');
}

function settleData(ctx: BatchSendContext, key: string, e: TreeEntry, sent: number, r: ItemResultFrame | Error, s: XferStream, w: StallWatch): void {
  if (r instanceof Error) {
    finish(ctx, key, e, false, sent, w.stalled?.message ?? describeEnd(r, s));
    return;
  }
  finish(ctx, key, e, r.ok, sent, r.ok ? undefined : (r.why ?? 'refused by the receiver'));
}

/** Why a stream ended early, for an item that got no answer. */
function describeEnd(err: unknown, s: XferStream): string {
  if (s.sendStopped !== null) return peerAbortReason(s.sendStopped, 'receiver');
  if (err instanceof StreamResetError) return peerAbortReason(err.code, 'receiver');
  if (err instanceof ProtocolError) return `broken transfer (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/** Our abort of a stream the receiver abandoned first (not our Ctrl-C). */
class Abandoned extends StreamAbort {
  constructor(code: number) {
    super(code, peerAbortReason(code, 'receiver'));
  }
}

/** Rethrows what ends the whole transfer; otherwise says what went wrong with this stream. */
function fatalOr(err: unknown, s: XferStream): string {
  if (isTransferLost(err)) throw err;
  if (err instanceof StreamAbort) return err.message;
  if (err instanceof StreamResetError && err.code === AppError.CANCELLED) throw new PeerCancelled();
  if (s.sendStopped === AppError.CANCELLED) throw new PeerCancelled();
  return describeEnd(err, s);
}

/**
 * Reads the receiver's per-item results. They may come in any order (the receiver writes small
 * files out several at once), but only for items whose data went out.
 */
class ResultReader {
  readonly finished: Promise<void>;
  fatal: Error | null = null;
  private readonly waiters = new Map<number, (r: ItemResultFrame | Error) => void>();
  private ended: Error | null = null;

  constructor(private readonly reader: ByteReader, private readonly s: XferStream) {
    this.finished = this.loop();
  }

  /** The result for item `i`, whose data is about to be sent. */
  expect(i: number): Promise<ItemResultFrame | Error> {
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise((resolve) => this.waiters.set(i, resolve));
  }

  private async loop(): Promise<void> {
    let end: Error = new ProtocolError('the receiver ended the stream without an answer');
    try {
      while (!(await this.reader.atEnd())) {
        const v = await this.reader.framed();
        const i = typeof v === 'object' && v !== null ? (v as { i?: unknown }).i : undefined;
        const w = typeof i === 'number' ? this.waiters.get(i) : undefined;
        if (!w) throw new ProtocolError('an answer for an item that was not sent');
        this.waiters.delete(i as number);
        trace(`answer for item ${i as number} on stream ${this.s.id}`);
        w(toResult(v, i as number));
      }
    } catch (e) {
      end = e as Error;
      if (isTransferLost(e)) this.fatal = e as Error;
      else if (e instanceof StreamResetError && e.code === AppError.CANCELLED) this.fatal = new PeerCancelled();
      // The receiver abandoned the stream: it will read nothing more, so stop sending too.
      else if (e instanceof StreamResetError) this.s.destroy(new Abandoned(e.code));
    }
    this.ended = end;
    for (const w of this.waiters.values()) w(end);
    this.waiters.clear();
  }
}
