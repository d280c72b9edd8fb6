// sendFiles: check every source, connect, send up to `concurrency` files at once, close.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../core/api.js';
import { connectClient } from '../io/client.js';
import type { Session } from '../io/session.js';
import type { TransportDeps } from '../io/transport.js';
import { XferError, type ItemResult, type SendOptions, type TransferSummary } from './api.js';
import { checkName } from './names.js';
import { connParams, fsReason, runTransfer, summary } from './run.js';
import { SourceError, sendItem } from './send-item.js';

const READ_CHUNK = 256 * 1024;

export interface Source {
  path: string;
  name: string;
  size: number;
  mode: number;
  mtime: number;
}

export async function sendFiles(deps: TransportDeps, o: SendOptions): Promise<TransferSummary> {
  const sources = await checkSources(o.files);
  if (o.signal.aborted) throw new XferError('interrupted', 'interrupted');
  const session = await connectClient(deps, {
    ...connParams(o),
    host: o.remote.host,
    port: o.remote.port,
    onPhase: (p) => o.progress.onPhase(p),
  });
  const t0 = deps.clock();
  o.progress.onPhase('transferring');
  const items = await runTransfer(session, o, 'receiver', async () => {
    const results = await sendAll(session, sources, o);
    o.progress.onPhase('closing');
    // Every stream is acknowledged and answered, so this close loses nothing.
    await session.close(AppError.NONE, 'done');
    return results;
  });
  return summary(items, deps.clock() - t0, session.stats());
}

/** Every source must be a readable regular file before we bother the receiver. */
export async function checkSources(paths: string[]): Promise<Source[]> {
  const out: Source[] = [];
  const names = new Map<string, string>();
  for (const path of paths) {
    const src = await checkSource(path);
    const clash = names.get(src.name);
    if (clash !== undefined) throw new XferError('usage', `${clash} and ${path} would both arrive as ${src.name}`);
    names.set(src.name, path);
    out.push(src);
  }
  return out;
}

async function checkSource(path: string): Promise<Source> {
  const fail = (why: string): XferError => new XferError('local_file', `cannot read ${path}: ${why}`);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw fail(fsReason(e));
  }
  if (st.isDirectory()) throw fail('is a directory');
  if (!st.isFile()) throw fail('not a regular file');
  try {
    await (await open(path, 'r')).close();
  } catch (e) {
    throw fail(fsReason(e));
  }
  const name = basename(path);
  const bad = checkName(name);
  if (bad) throw fail(bad);
  return { path, name, size: st.size, mode: st.mode & 0o777, mtime: st.mtimeMs };
}

async function sendAll(session: Session, sources: Source[], o: SendOptions): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array(sources.length);
  let next = 0;
  let fatal: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < sources.length && fatal === null) {
      const i = next++;
      try {
        results[i] = await sendOne(session, sources[i]!, `file:${i}`, o);
      } catch (e) {
        fatal ??= e;
      }
    }
  };
  const n = Math.max(1, Math.min(o.concurrency || 4, sources.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (fatal !== null) throw fatal;
  return results;
}

async function sendOne(session: Session, src: Source, key: string, o: SendOptions): Promise<ItemResult> {
  const s = await session.openStream();
  o.progress.onItemStart({ key, name: src.name, total: src.size });
  const header = { v: 1, kind: 'file', name: src.name, size: src.size, mode: src.mode, mtime: src.mtime } as const;
  const out = await sendItem(s, header, () => readFile(src), (b) => o.progress.onItemProgress(key, b), o.stallTimeoutMs ?? 0);
  if (out.ok) o.progress.onItemDone(key);
  else o.progress.onItemFailed(key, out.error ?? 'failed');
  return { name: src.name, bytes: out.ok ? src.size : out.bytes, ok: out.ok, ...(out.ok ? {} : { error: out.error }) };
}

/** The file's first `size` bytes (the size announced in the header). */
async function* readFile(src: Source): AsyncGenerator<Uint8Array> {
  if (src.size === 0) return;
  const rs = createReadStream(src.path, { start: 0, end: src.size - 1, highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of rs) yield chunk as Buffer;
  } catch (e) {
    throw new SourceError(`cannot read ${src.path}: ${fsReason(e)}`);
  }
}
