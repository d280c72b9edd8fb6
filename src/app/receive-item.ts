// Receiving one file on a peer-opened stream. The data goes to a hidden temp file beside the
// target (created with 'wx', so nothing existing is ever touched) and is renamed to the final
// name only after the SHA-256 matched. Every failure of this one file (unsafe name, target
// exists, write error, checksum mismatch, stream lost) removes the temp file and answers
// {ok:false} if the stream still works; the other files are not affected.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/api.js';
import { ConnectionClosedError, StreamAbort, StreamResetError } from '../io/errors.js';
import type { XferStream } from '../io/stream.js';
import type { ItemResult, ProgressSink } from './api.js';
import { ByteReader } from './bytes.js';
import { encodeAnswer, ProtocolError, toHeader, TRAILER_LEN, type ItemHeader } from './codec.js';
import { checkName, tempPath } from './names.js';
import { fsReason } from './run.js';
import { peerAbortReason, Stalled, stallMessage, watchStall } from './stall.js';

const CHUNK = 256 * 1024;

export interface ReceiveContext {
  outDir: string;
  force: boolean;
  progress: ProgressSink;
  /** Fail the file (reset with STALLED) when no data arrived for this long; 0 or absent: never. */
  stallMs?: number;
}

/** A failure with the code to stop the stream with and the text for the answer. */
class ItemFailure extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Never rejects: the result says how this file went. */
export async function receiveFile(s: XferStream, key: string, ctx: ReceiveContext): Promise<ItemResult> {
  s.on('error', () => undefined); // failures surface through the reader
  const reader = new ByteReader(s);
  // Watches the data phase only (header to trailer): the reader then fails with Stalled.
  const unwatch = watchStall(ctx.stallMs ?? 0, () => s.bytesPulled, () => s.destroy(new Stalled(stallMessage(ctx.stallMs!, 'received'))));
  let header: ItemHeader;
  try {
    header = toHeader(await reader.framed());
  } catch (e) {
    unwatch();
    const why = describe(e);
    ctx.progress.onItemStart({ key, name: '?', total: null });
    if (e instanceof ProtocolError) refuse(s, reader, AppError.REFUSED, why);
    else s.destroy(new StreamAbort(AppError.CANCELLED));
    ctx.progress.onItemFailed(key, why);
    return { name: '?', bytes: 0, ok: false, error: why };
  }
  ctx.progress.onItemStart({ key, name: header.name, total: header.size });
  const temp = { path: null as string | null };
  let written = 0;
  try {
    const target = await admit(header, ctx);
    temp.path = tempPath(ctx.outDir, header.name, randomBytes(4).toString('hex'));
    await receiveInto(reader, header, temp.path, (n) => ctx.progress.onItemProgress(key, (written = n)));
    unwatch();
    await place(temp.path, target, ctx.force, header.name);
    temp.path = null;
    ctx.progress.onItemDone(key);
    answer(s, { ok: true });
    return { name: header.name, bytes: header.size ?? written, ok: true };
  } catch (e) {
    unwatch();
    if (temp.path) await unlink(temp.path).catch(() => undefined);
    const why = describe(e, header.name);
    if (e instanceof ItemFailure) refuse(s, reader, e.code, why);
    else if (e instanceof ProtocolError) refuse(s, reader, AppError.REFUSED, why);
    else s.destroy(new StreamAbort(AppError.CANCELLED));
    ctx.progress.onItemFailed(key, why);
    return { name: header.name, bytes: written, ok: false, error: why };
  }
}

/** The final path, or an ItemFailure if this item may not be written. */
async function admit(h: ItemHeader, ctx: ReceiveContext): Promise<string> {
  if (h.kind !== 'file') throw new ItemFailure(AppError.REFUSED, `expected a file, got a ${h.kind}`);
  const bad = checkName(h.name);
  if (bad) throw new ItemFailure(AppError.REFUSED, bad);
  const target = join(ctx.outDir, h.name);
  // Even --force cannot put a file where a directory is: fail now, before the data comes.
  if (await isDirectory(target)) throw new ItemFailure(AppError.WRITE_ERROR, `cannot write ${h.name}: a directory of that name exists`);
  if (!ctx.force && (await exists(target))) throw new ItemFailure(AppError.REFUSED, `${h.name} exists; use --force`);
  return target;
}

async function receiveInto(reader: ByteReader, h: ItemHeader, path: string, onWritten: (n: number) => void): Promise<void> {
  let fh: FileHandle;
  try {
    // Private while incomplete; the sender's mode is applied once the content is verified.
    fh = await open(path, 'wx', 0o600);
  } catch (e) {
    throw writeFailure(e, h.name);
  }
  try {
    const digest = await copy(reader, fh, h.size ?? 0, h.name, onWritten);
    const trailer = await reader.exact(TRAILER_LEN);
    if (!(await reader.atEnd())) throw new ProtocolError('data after the checksum');
    if (!timingSafeEqual(trailer, digest)) {
      throw new ItemFailure(AppError.INTEGRITY, `${h.name}: checksum mismatch, the data was corrupted on the way`);
    }
    await fh.chmod(h.mode & 0o777).catch((e: unknown) => { throw writeFailure(e, h.name); });
    await fh.utimes(Date.now() / 1000, h.mtime / 1000).catch(() => undefined);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Streams `size` bytes into the file, hashing them; one write overlaps the next read. */
async function copy(reader: ByteReader, fh: FileHandle, size: number, name: string, onWritten: (n: number) => void): Promise<Buffer> {
  const hash = createHash('sha256');
  let remaining = size;
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  try {
    while (remaining > 0) {
      const chunk = await reader.next(Math.min(remaining, CHUNK));
      if (!chunk) throw new ProtocolError(`the data ended ${remaining} bytes early`);
      hash.update(chunk);
      remaining -= chunk.length;
      await pending;
      pending = writeAll(fh, chunk).then(
        () => onWritten((written += chunk.length)),
        (e: unknown) => { throw writeFailure(e, name); },
      );
      pending.catch(() => undefined); // awaited on the next turn or below
    }
    await pending;
  } finally {
    // Never close the file under a write still in flight.
    await pending.catch(() => undefined);
  }
  return hash.digest();
}

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length; ) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

async function place(temp: string, target: string, force: boolean, name: string): Promise<void> {
  // Checked again: the target may have appeared while the data was arriving.
  if (!force && (await exists(target))) throw new ItemFailure(AppError.REFUSED, `${name} exists; use --force`);
  try {
    await rename(temp, target);
  } catch (e) {
    throw writeFailure(e, name);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function writeFailure(e: unknown, name: string): ItemFailure {
  return new ItemFailure(AppError.WRITE_ERROR, `cannot write ${name}: ${fsReason(e)}`);
}

/** Stops the incoming data, answers {ok:false} and lets the stream finish on its own. */
function refuse(s: XferStream, reader: ByteReader, code: number, error: string): void {
  s.stopReading(code);
  answer(s, { ok: false, error });
  void reader.discard();
}

/** Best effort: the sender may already be gone, which changes nothing for this file. */
function answer(s: XferStream, a: { ok: boolean; error?: string }): void {
  if (!s.destroyed) s.end(encodeAnswer(a));
}

function describe(e: unknown, name?: string): string {
  const what = name ?? 'an item';
  if (e instanceof ItemFailure) return e.message;
  if (e instanceof ProtocolError) return `${what}: broken transfer (${e.message})`;
  if (e instanceof StreamResetError) return `${what}: ${peerAbortReason(e.code, 'sender')}`;
  if (e instanceof ConnectionClosedError) return `${what} did not finish: ${e.message}`;
  if (e instanceof StreamAbort) return `${what}: ${e.message}`;
  return `${what}: ${e instanceof Error ? e.message : String(e)}`;
}
