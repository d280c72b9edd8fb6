// How one received item ends, in words for both sides: the failure type that carries the code
// to stop a stream with, the messages, and recording the outcome (progress and tally).
import { AppError } from '../core/api.js';
import { ConnectionClosedError, StreamResetError } from '../io/errors.js';
import type { ItemResult } from './api.js';
import type { WireEntry } from './batch.js';
import type { BatchReceiveContext } from './batch-decide.js';
import { ProtocolError } from './codec.js';
import { fsReason } from './run.js';
import { displayPath } from './safe-path.js';
import { peerAbortReason } from './stall.js';

/** A failure of one item: the code to stop a stream with and the reason for the sender. */
export class ItemFailure extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function writeFailure(e: unknown, path: string): ItemFailure {
  if (e instanceof ItemFailure) return e;
  return new ItemFailure(AppError.WRITE_ERROR, `cannot write ${displayPath(path)}: ${fsReason(e)}`);
}

export function existsFailure(path: string): ItemFailure {
  return new ItemFailure(AppError.REFUSED, `${displayPath(path)} exists on the receiver; use --force there to replace it`);
}

export function integrityFailure(path: string): ItemFailure {
  return new ItemFailure(AppError.INTEGRITY, `${displayPath(path)}: checksum mismatch, the data was corrupted on the way`);
}

/** Why an item was lost with its stream or connection. */
export function describeLoss(e: unknown, name: string): string {
  if (e instanceof ProtocolError) return `${name}: broken transfer (${e.message})`;
  if (e instanceof StreamResetError) return `${name}: ${peerAbortReason(e.code, 'sender')}`;
  if (e instanceof ConnectionClosedError) return `${name} did not finish: ${e.message}`;
  return `${name}: ${e instanceof Error ? e.message : String(e)}`;
}

export function result(e: WireEntry, ok: boolean, bytes: number, error?: string, skipped = false): ItemResult {
  const r: ItemResult = { name: displayPath(e.path), bytes, ok, kind: e.kind };
  if (skipped) r.skipped = true;
  if (error !== undefined) r.error = error;
  return r;
}

/** An item that fails before its data: started and failed at once. */
export function refused(ctx: BatchReceiveContext, streamId: number, e: WireEntry, why: string): void {
  const key = ctx.nextKey(streamId);
  ctx.progress.onItemStart({ key, name: displayPath(e.path), total: e.kind === 'file' ? e.size : null });
  failItem(ctx, key, e, 0, why);
}

export function failItem(ctx: BatchReceiveContext, key: string, e: WireEntry, bytes: number, why: string): void {
  ctx.progress.onItemFailed(key, why);
  ctx.record(result(e, false, bytes, why));
}

export function doneItem(ctx: BatchReceiveContext, key: string, e: WireEntry, bytes: number): void {
  ctx.progress.onItemDone(key);
  ctx.record(result(e, true, bytes));
}

/** The sender skipped it: identical (`failure` null), or it could not or may not send it. */
export function settleSkip(ctx: BatchReceiveContext, key: string, e: WireEntry, failure: string | null): void {
  if (failure !== null) {
    failItem(ctx, key, e, 0, failure);
    return;
  }
  if (ctx.progress.onItemSkipped) ctx.progress.onItemSkipped(key, 'identical');
  else ctx.progress.onItemDone(key);
  ctx.record(result(e, true, 0, undefined, true));
}
