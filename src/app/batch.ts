// Many entries per stream, one round trip per batch. On one bidirectional stream:
//
//   sender -> receiver   BatchHeader                     {v:4, fresh, early, last?, items: [Entry...]}
//                        early > 0: Go {i: 0, at: 0} and the first `early` bytes of item 0 follow
//                          at once (file-stream.ts); a small item 0 (<= SMALL_MAX) goes whole
//                          (early = its size) with its 32-byte hash behind; a receiver that
//                          decides other than send for item 0 reads and drops them all, and
//                          item 0 goes on as decided
//   receiver -> sender   Decisions                       {d: [Decision...]}, one per item, same order
//   sender -> receiver   for each item decided send / resume / verify, in order:
//                          Go {i, at}, then size-at data bytes, then the 32-byte file hash
//                          or Go {i, skip: 'same' | 'differs' | 'failed', why?} with no data
//   receiver -> sender   Result {i, ok, why?} for every item that carried data, in order
//   FIN both ways once done.
//
// All frames are codec.ts's u32-length JSON. A decision is one of: send (from 0), resume (the
// receiver holds `at` bytes proven by `proof`, see resume.ts), verify (the target exists with
// the same size and mtime: its hash is attached, the sender compares and answers skip:same, or
// sends it again if the receiver may replace it), done (nothing to transfer: a directory or link
// created, or already there) and refuse (with the reason; unsafe path, exists without --force).
// `last: true` marks the sender's final batch: it opens no stream after this one, so once the
// streams up to it are all done the receiver has everything and needs no goodbye (the sender
// hangs up without waiting for one; see tree-receive.ts).
// Files above SMALL_MAX travel alone in their batch, so a failure mid-file can stop the whole
// stream; within a batch of small files a failed item's remaining bytes are read and dropped.
import { printable } from '../io/printable.js';
import { encodeFramed, MAX_FRAMED_LEN, peerReason, ProtocolError } from './codec.js';
import { DIGEST_LEN } from './hashing.js';
import type { EntryKind, TreeEntry, TreeEvent, TreeNote } from './tree.js';

export const BATCH_VERSION = 4;
/** Files bigger than this get a stream of their own. */
export const SMALL_MAX = 1024 * 1024;
/** A batch of small files carries at most this much data... */
export const BATCH_DATA_MAX = 8 * 1024 * 1024;
/** ...and at most this many entries. */
export const BATCH_ITEMS_MAX = 1000;
/** Room left in a header frame for the JSON around the entries. */
const HEADER_BUDGET = MAX_FRAMED_LEN - 1024;
const MAX_PATH_CHARS = 4096;

export interface WireEntry {
  path: string;
  kind: EntryKind;
  size: number;
  mode: number;
  mtime: number;
  link?: string;
}

export interface BatchHeader {
  v: typeof BATCH_VERSION;
  /** --no-resume: the receiver drops partial files instead of offering them. */
  fresh: boolean;
  /** Bytes of item 0 sent right behind the header, before the decisions (0: none). */
  early: number;
  /** The sender's final batch: no stream follows this one. */
  last?: true;
  items: WireEntry[];
}

export type Decision =
  | { a: 'send' }
  | { a: 'resume'; at: number; proof: string }
  | { a: 'verify'; hash: string; replace: boolean }
  | { a: 'done' }
  | { a: 'refuse'; why: string };

export type Go =
  | { i: number; at: number }
  | { i: number; skip: 'same' | 'differs' | 'failed'; why?: string };

export interface ItemResultFrame {
  i: number;
  ok: boolean;
  why?: string;
}

// ---------------------------------------------------------------- encoding and validation

export function encodeBatchHeader(h: BatchHeader): Uint8Array {
  return encodeFramed(h);
}

export function encodeDecisions(d: Decision[]): Uint8Array {
  return encodeFramed({ d });
}

export function encodeGo(g: Go): Uint8Array {
  return encodeFramed(g);
}

export function encodeResult(r: ItemResultFrame): Uint8Array {
  return encodeFramed(r.why === undefined ? { i: r.i, ok: r.ok } : r);
}

export function toBatchHeader(value: unknown): BatchHeader {
  if (!isRecord(value)) throw new ProtocolError('batch header is not an object');
  if (value.v !== BATCH_VERSION) {
    throw new ProtocolError(`unsupported header version ${printable(String(value.v))} (this xfer speaks ${BATCH_VERSION}: run the same version on both ends)`);
  }
  if (typeof value.fresh !== 'boolean') throw new ProtocolError('bad batch flag');
  if (!Array.isArray(value.items) || value.items.length === 0 || value.items.length > BATCH_ITEMS_MAX) {
    throw new ProtocolError('bad batch item list');
  }
  const items = value.items.map(toWireEntry);
  if (!isCount(value.early)) throw new ProtocolError('bad early data length');
  const early = value.early as number;
  // Early bytes are a file's first bytes, never more than it has; a small file's are all of it.
  const first = items[0]!;
  const bad = first.kind !== 'file' || early > first.size || (first.size <= SMALL_MAX && early !== first.size);
  if (early > 0 && bad) throw new ProtocolError('bad early data length');
  if (value.last !== undefined && value.last !== true) throw new ProtocolError('bad batch flag');
  const h: BatchHeader = { v: BATCH_VERSION, fresh: value.fresh, early, items };
  if (value.last === true) h.last = true;
  return h;
}

function toWireEntry(value: unknown): WireEntry {
  if (!isRecord(value)) throw new ProtocolError('batch item is not an object');
  const { path, kind, size, mode, mtime, link } = value;
  // Only the shape is checked here; whether the path is acceptable is the receiver's call per item.
  if (typeof path !== 'string' || path.length > MAX_PATH_CHARS) throw new ProtocolError('bad item path');
  if (kind !== 'file' && kind !== 'dir' && kind !== 'symlink') throw new ProtocolError('bad item kind');
  if (!isCount(size) || (kind !== 'file' && size !== 0)) throw new ProtocolError('bad item size');
  if (!isCount(mode) || (mode as number) > 0o7777) throw new ProtocolError('bad item mode');
  if (typeof mtime !== 'number' || !Number.isFinite(mtime)) throw new ProtocolError('bad item mtime');
  const linkOk = kind === 'symlink' ? typeof link === 'string' && link.length > 0 && link.length <= MAX_PATH_CHARS : link === undefined;
  if (!linkOk) throw new ProtocolError('bad item link');
  const e: WireEntry = { path, kind, size: size as number, mode: mode as number, mtime };
  if (kind === 'symlink') e.link = link as string;
  return e;
}

/** Decisions for `items` (checked against them: a resume must fit in its file). */
export function toDecisions(value: unknown, items: WireEntry[]): Decision[] {
  if (!isRecord(value) || !Array.isArray(value.d) || value.d.length !== items.length) throw new ProtocolError('bad decisions');
  return value.d.map((d: unknown, i) => toDecision(d, items[i]!));
}

function toDecision(d: unknown, item: WireEntry): Decision {
  if (!isRecord(d)) throw new ProtocolError('bad decision');
  const dataOk = item.kind === 'file';
  switch (d.a) {
    case 'send':
      if (!dataOk) break;
      return { a: 'send' };
    case 'resume':
      if (!dataOk || !isCount(d.at) || (d.at as number) > item.size || !isDigestHex(d.proof)) break;
      return { a: 'resume', at: d.at as number, proof: d.proof as string };
    case 'verify':
      if (!dataOk || !isDigestHex(d.hash) || typeof d.replace !== 'boolean') break;
      return { a: 'verify', hash: d.hash as string, replace: d.replace };
    case 'done':
      return { a: 'done' };
    case 'refuse':
      if (typeof d.why !== 'string') break;
      return { a: 'refuse', why: peerReason(d.why) };
  }
  throw new ProtocolError('bad decision');
}

/** A Go frame for `items`; `expect` is the index the receiver waits for next. */
export function toGo(value: unknown, items: WireEntry[], expect: number): Go {
  if (!isRecord(value) || value.i !== expect || expect >= items.length) throw new ProtocolError('bad item start');
  const size = items[expect]!.size;
  if (value.skip === undefined) {
    if (!isCount(value.at) || (value.at as number) > size) throw new ProtocolError('bad item start offset');
    return { i: expect, at: value.at as number };
  }
  if (value.skip !== 'same' && value.skip !== 'differs' && value.skip !== 'failed') throw new ProtocolError('bad item skip');
  const g: Go = { i: expect, skip: value.skip };
  if (typeof value.why === 'string') g.why = peerReason(value.why);
  return g;
}

export function toResult(value: unknown, expect: number): ItemResultFrame {
  if (!isRecord(value) || value.i !== expect || typeof value.ok !== 'boolean') throw new ProtocolError('bad item result');
  if (value.why !== undefined && typeof value.why !== 'string') throw new ProtocolError('bad item result');
  const r: ItemResultFrame = { i: expect, ok: value.ok };
  if (typeof value.why === 'string') r.why = peerReason(value.why);
  return r;
}

function isDigestHex(v: unknown): boolean {
  return typeof v === 'string' && v.length === DIGEST_LEN * 2 && /^[0-9a-f]+$/.test(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

// ---------------------------------------------------------------- grouping the walk into batches

export interface Batch {
  type: 'batch';
  entries: TreeEntry[];
  /** Nothing follows: the walk is over. */
  last: boolean;
}

export type BatchEvent = Batch | TreeNote;

export function toWire(e: TreeEntry): WireEntry {
  const w: WireEntry = { path: e.rel, kind: e.kind, size: e.size, mode: e.mode, mtime: e.mtime };
  if (e.link !== undefined) w.link = e.link;
  return w;
}

/** Bytes an entry adds to the header JSON (with its comma). */
function wireSize(e: TreeEntry): number {
  return Buffer.byteLength(JSON.stringify(toWire(e))) + 1;
}

/**
 * Groups walk events into batches (grouped() below), each held back until the next one is
 * formed or the walk ends, so that the final one goes out marked `last`. Notes pass through at
 * once.
 */
export async function* batches(events: AsyncIterable<TreeEvent>): AsyncGenerator<BatchEvent> {
  let held: Batch | null = null;
  for await (const ev of grouped(events)) {
    if (ev.type !== 'batch') {
      yield ev;
      continue;
    }
    if (held) yield held;
    held = ev;
  }
  if (held) yield { ...held, last: true };
}

/**
 * Small files, directories and links together up to the limits above; every bigger file
 * alone. Nothing waits for more than one batch's worth of entries.
 */
async function* grouped(events: AsyncIterable<TreeEvent>): AsyncGenerator<BatchEvent> {
  let cur: TreeEntry[] = [];
  let data = 0;
  let bytes = 0;
  for await (const ev of events) {
    if (ev.type !== 'entry') {
      yield ev;
      continue;
    }
    if (ev.kind === 'file' && ev.size > SMALL_MAX) {
      yield { type: 'batch', entries: [ev], last: false };
      continue;
    }
    const size = wireSize(ev);
    if (cur.length > 0 && (cur.length >= BATCH_ITEMS_MAX || data + ev.size > BATCH_DATA_MAX || bytes + size > HEADER_BUDGET)) {
      yield { type: 'batch', entries: cur, last: false };
      cur = [];
      data = 0;
      bytes = 0;
    }
    cur.push(ev);
    data += ev.size;
    bytes += size;
  }
  if (cur.length > 0) yield { type: 'batch', entries: cur, last: false };
}
