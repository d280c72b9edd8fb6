// Sending one item on its own stream: header, data (hashed on the way), trailer, FIN; then
// the receiver's answer decides whether the item counts as delivered.
import { createHash } from 'node:crypto';
import { AppError } from '../core/api.js';
import { ConnectionClosedError, StreamAbort, StreamResetError } from '../io/errors.js';
import type { XferStream } from '../io/stream.js';
import { ByteReader, endAndWait } from './bytes.js';
import { encodeHeader, toAnswer, type Answer, type ItemHeader } from './codec.js';
import { PeerCancelled } from './run.js';
import { peerAbortReason, Stalled, stallMessage, watchStall } from './stall.js';
import { unlessClosed } from './write.js';

/** The source failed (read error, file changed); the item fails, the transfer goes on. */
export class SourceError extends Error {}

export interface SendOutcome {
  ok: boolean;
  error?: string;
  /** Data bytes the transport accepted. */
  bytes: number;
}

/**
 * Sends `header` and `source` on `s`. Resolves with the outcome of this item; rejects only
 * when the whole transfer is lost: ConnectionClosedError, our abort (StreamAbort), or
 * PeerCancelled (the receiver reset the stream with CANCELLED). With `stallMs` > 0 the item
 * fails alone (reset with STALLED) once the transport took none of its bytes for that long;
 * the wait for the receiver's answer at the end is left to the receiver's own watch.
 */
export async function sendItem(
  s: XferStream,
  header: ItemHeader,
  source: () => AsyncIterable<Uint8Array>,
  onProgress: (bytes: number) => void,
  stallMs = 0,
): Promise<SendOutcome> {
  s.on('error', () => undefined); // failures surface through the promises below
  const answer = readAnswer(s);
  answer.catch(() => undefined); // may be left unread when the source fails
  let accepted = 0;
  // A holder, not a `let`: the watch sets it from a callback the compiler cannot follow.
  const watch: { stalled: Stalled | null } = { stalled: null };
  const unwatch = watchStall(stallMs, () => s.bytesAccepted, () => {
    const err = new Stalled(stallMessage(stallMs, 'sent'));
    watch.stalled = err;
    s.destroy(err);
  });
  try {
    await write(s, encodeHeader(header));
    const hash = createHash('sha256');
    let count = 0;
    const it = source()[Symbol.asyncIterator]();
    // A source read that never returns must not hold the item once the stream is gone (stalled,
    // Ctrl-C, peer reset, connection lost).
    const next = (): Promise<IteratorResult<Uint8Array>> => unlessClosed(s, nextChunk(it));
    try {
      for (let r = await next(); !r.done; r = await next()) {
        hash.update(r.value);
        count += r.value.length;
        const n = r.value.length;
        await write(s, r.value, () => onProgress((accepted += n)));
        // The receiver refused (STOP_SENDING): reading on would be wasted work.
        if (s.sendStopped !== null) break;
      }
    } finally {
      // A hung source may never settle its pending read; do not wait for it to clean up.
      const closing = it.return?.().catch(() => undefined);
      if (!s.destroyed) await closing;
    }
    if (s.sendStopped === null && header.size !== null && count !== header.size) {
      throw new SourceError(`${header.name} changed while being read (${count} of ${header.size} bytes)`);
    }
    unwatch();
    await endAndWait(s, s.sendStopped === null ? hash.digest() : undefined);
  } catch (e) {
    unwatch();
    if (watch.stalled) return { ok: false, error: watch.stalled.message, bytes: accepted };
    if (e instanceof SourceError) {
      s.destroy(new StreamAbort(AppError.SOURCE_ERROR, e.message));
      return { ok: false, error: e.message, bytes: accepted };
    }
    if (e instanceof ConnectionClosedError || e instanceof StreamAbort) throw e;
    // Otherwise the receiver reset the stream; its answer (if any) says why.
  }
  return settle(await answer.catch((e: unknown) => e as Error), accepted, s);
}

function settle(a: Answer | Error, bytes: number, s: XferStream): SendOutcome {
  if (a instanceof ConnectionClosedError || a instanceof StreamAbort) throw a;
  const cancelled = a instanceof StreamResetError ? a.code === AppError.CANCELLED : s.sendStopped === AppError.CANCELLED;
  if (cancelled) throw new PeerCancelled();
  if (a instanceof Error) {
    const code = s.sendStopped ?? (a instanceof StreamResetError ? a.code : null);
    return { ok: false, error: code !== null ? peerAbortReason(code, 'receiver') : a.message, bytes };
  }
  return a.ok ? { ok: true, bytes } : { ok: false, error: a.error ?? 'refused by the receiver', bytes };
}

async function readAnswer(s: XferStream): Promise<Answer> {
  const r = new ByteReader(s);
  const a = toAnswer(await r.framed());
  await r.discard();
  return a;
}

/** Source failures become SourceError so they are not mistaken for transport failures. */
async function nextChunk(it: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
  try {
    return await it.next();
  } catch (e) {
    throw e instanceof SourceError ? e : new SourceError(e instanceof Error ? e.message : String(e));
  }
}

/** write() with backpressure; `onAccepted` runs once the transport took the bytes. */
function write(s: XferStream, chunk: Uint8Array, onAccepted?: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (s.destroyed) {
      reject(s.errored ?? new Error('stream closed'));
      return;
    }
    const more = s.write(chunk, (err) => {
      if (!err) onAccepted?.();
    });
    if (more) {
      resolve();
      return;
    }
    const done = (err?: Error | null): void => {
      s.off('drain', onDrain);
      s.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(s.errored ?? new Error('stream closed'));
    s.on('drain', onDrain);
    s.on('close', onClose);
  });
}
