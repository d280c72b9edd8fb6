// Shared pieces for tree tests: a receiver over the memory harness, the awkward-names tree,
// and a snapshot of a directory tree to compare two of them.
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceiveOptions, SendOptions, TransferSummary } from '../../src/app/api.js';
import { createApp } from '../../src/app/index.js';
import type { Harness } from '../io/harness.js';
import { Recorder, transport } from './helpers.js';

export interface Receiving {
  port: number;
  received: Promise<TransferSummary>;
  recv: Recorder;
  recvAbort: AbortController;
}

export async function startReceiver(h: Harness, outDir: string, over: Partial<ReceiveOptions> = {}): Promise<Receiving> {
  const recv = new Recorder();
  const recvAbort = new AbortController();
  let listening!: (port: number) => void;
  const bound = new Promise<number>((resolve) => (listening = resolve));
  const o: ReceiveOptions = {
    ...transport(recv, recvAbort.signal),
    listen: { host: '127.0.0.1', port: 0 },
    outDir,
    force: false,
    keepOpen: false,
    onListening: (a) => listening(a.port),
    ...over,
  };
  const received = createApp(h.deps).receiveFiles(o);
  received.catch(() => undefined);
  const port = await Promise.race([bound, received.then(() => -1)]);
  return { port, received, recv, recvAbort };
}

export function sendOpts(port: number, files: string[], progress: Recorder, over: Partial<SendOptions> = {}): SendOptions {
  return { ...transport(progress), remote: { host: 'localhost', port }, files, concurrency: 4, ...over };
}

/** Sends `files` to a fresh receiver writing into `out`; both summaries. */
export async function transfer(
  h: Harness, out: string, files: string[], send: Partial<SendOptions> = {}, recv: Partial<ReceiveOptions> = {},
): Promise<{ sent: TransferSummary; got: TransferSummary; sendRec: Recorder; recvRec: Recorder }> {
  const r = await startReceiver(h, out, recv);
  const sendRec = new Recorder();
  const sent = await createApp(h.deps).sendFiles(sendOpts(r.port, files, sendRec, send));
  const got = await r.received;
  return { sent, got, sendRec, recvRec: r.recv };
}

export const LONG_NAME = `${'é'.repeat(126)}abc`; // 255 bytes in UTF-8
export const DEPTH = 20;

/** The tree the issue asks for: awkward names, empty file and dir, a 0755 script, a link, 20 levels. */
export async function makeAwkwardTree(root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const files: Record<string, string | Buffer> = {
    'with space.txt': 'spaces\n',
    'ünïcødé ☃ 文字.txt': 'unicode\n',
    'new\nline': 'a newline in the name\n',
    '-leading-dash': 'dash\n',
    [LONG_NAME]: 'long name\n',
    'empty': '',
    'bin.dat': createHash('sha256').update('seed').digest(),
  };
  for (const [name, data] of Object.entries(files)) await writeFile(join(root, name), data);
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'run.sh'), 0o755);
  await chmod(join(root, 'bin.dat'), 0o600);
  await mkdir(join(root, 'empty dir'));
  await symlink('with space.txt', join(root, 'link to file'));
  let deep = root;
  for (let i = 0; i < DEPTH; i++) {
    deep = join(deep, `level${i}`);
    await mkdir(deep);
  }
  await writeFile(join(deep, 'bottom.txt'), 'deep\n');
  // Fixed, distinct mtimes (directories last: creating entries touched them).
  let t = 1_600_000_000;
  for (const e of (await snapshot(root, { mtimes: false })).keys()) {
    const p = join(root, e);
    if ((await lstat(p)).isSymbolicLink()) continue;
    await utimes(p, t, t + 0.123);
    t += 7;
  }
}

export interface Node {
  kind: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  sha?: string;
  link?: string;
  mtime?: number;
}

/** Every entry under `root` by relative path, deepest listing sorted; mtimes in whole ms. */
export async function snapshot(root: string, o: { mtimes: boolean } = { mtimes: true }): Promise<Map<string, Node>> {
  const out = new Map<string, Node>();
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(p);
      const n: Node = {
        kind: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file',
        mode: st.mode & 0o777,
        size: st.isFile() ? st.size : 0,
      };
      if (o.mtimes && !st.isSymbolicLink()) n.mtime = Math.round(st.mtimeMs);
      if (st.isFile()) n.sha = createHash('sha256').update(await readFile(p)).digest('hex');
      if (st.isSymbolicLink()) n.link = await readlink(p);
      out.set(r, n);
      if (st.isDirectory()) await visit(p, r);
    }
  };
  await visit(root, '');
  return out;
}

/** Names of partial files and sidecars anywhere under `root`. */
export async function partials(root: string): Promise<string[]> {
  const all = await snapshot(root, { mtimes: false });
  return [...all.keys()].filter((k) => /\/?\.[^/]*\.xfer-(part|state)$/.test(k));
}
