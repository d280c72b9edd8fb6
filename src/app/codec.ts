// Framing shared by every stream (u32 big-endian length, then JSON), and the pipe protocol on
// its one stream (sender -> receiver):
//   u32 header length | header JSON | data | SHA-256 of the data (32 bytes) | FIN
// and back (receiver -> sender): u32 answer length | answer JSON | FIN.
// A pipe's data runs until FIN, minus the trailer. Files and trees use batch.ts (version 2).

import { printable } from '../io/printable.js';

export const TRAILER_LEN = 32;
/** Headers and answers are small; anything bigger is a broken or hostile peer. */
export const MAX_FRAMED_LEN = 64 * 1024;
const MAX_NAME_LEN = 4096;
/** A peer's reason is one line of a report, not a document. */
const MAX_REASON_LEN = 1000;

export type ItemKind = 'file' | 'pipe';

export interface ItemHeader {
  v: 1;
  kind: ItemKind;
  name: string;
  /** Data bytes for a file; null for a pipe (unknown in advance). */
  size: number | null;
  /** Permission bits (file), 0 for a pipe. */
  mode: number;
  /** Modification time, ms since the epoch (file), 0 for a pipe. */
  mtime: number;
}

export interface Answer {
  ok: boolean;
  error?: string;
}

/**
 * A reason the peer wrote (a refusal, a skip, a failed result), as it may be shown: cut to
 * MAX_REASON_LEN and escaped. Every peer reason passes here once, as it is decoded, so nothing
 * the app builds from it can carry the peer's control or bidi characters to a terminal.
 */
export function peerReason(text: string): string {
  return printable(text.slice(0, MAX_REASON_LEN));
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** u32 big-endian length, then the JSON text. */
export function encodeFramed(value: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(value));
  if (body.length > MAX_FRAMED_LEN) throw new RangeError('framed message too large');
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

export function framedLength(prefix: Uint8Array): number {
  if (prefix.length !== 4) throw new ProtocolError('truncated length prefix');
  const n = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
  if (n > MAX_FRAMED_LEN) throw new ProtocolError(`framed message of ${n} bytes is too large`);
  return n;
}

export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new ProtocolError('malformed JSON');
  }
}

export function encodeHeader(h: ItemHeader): Uint8Array {
  return encodeFramed(h);
}

export function encodeAnswer(a: Answer): Uint8Array {
  return encodeFramed(a.error === undefined ? { ok: a.ok } : { ok: a.ok, error: a.error });
}

/** Validates a decoded header; throws ProtocolError naming the first bad field. */
export function toHeader(value: unknown): ItemHeader {
  if (!isRecord(value)) throw new ProtocolError('header is not an object');
  const { v, kind, name, size, mode, mtime } = value;
  if (v !== 1) throw new ProtocolError(`unsupported header version ${printable(String(v))}`);
  if (kind !== 'file' && kind !== 'pipe') throw new ProtocolError('bad header kind');
  if (typeof name !== 'string' || name.length > MAX_NAME_LEN) throw new ProtocolError('bad header name');
  const sizeOk = kind === 'file' ? isCount(size) : size === null;
  if (!sizeOk) throw new ProtocolError('bad header size');
  if (!isCount(mode) || (mode as number) > 0o7777) throw new ProtocolError('bad header mode');
  if (typeof mtime !== 'number' || !Number.isFinite(mtime)) throw new ProtocolError('bad header mtime');
  return { v: 1, kind, name, size: size as number | null, mode: mode as number, mtime };
}

export function toAnswer(value: unknown): Answer {
  if (!isRecord(value) || typeof value.ok !== 'boolean') throw new ProtocolError('bad answer');
  const { ok, error } = value;
  if (error !== undefined && typeof error !== 'string') throw new ProtocolError('bad answer error');
  return error === undefined ? { ok } : { ok, error: peerReason(error) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
