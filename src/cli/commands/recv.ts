// xfer recv [--listen [HOST:]PORT] [--out DIR] [--force] [--keep-open]
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { XferError } from '../../app/api.js';
import type { Endpoint } from '../../app/api.js';
import { listenBanner } from '../banner.js';
import type { CliDeps } from '../context.js';
import { parseListen } from '../endpoint.js';
import { hashCacheDir, listenerCode } from '../options.js';
import type { CommonOpts, ListenerOpts } from '../options.js';
import type { ProgressView } from '../progress.js';
import { runTransfer } from '../run.js';

export interface RecvOpts extends CommonOpts, ListenerOpts {
  listen: string;
  out: string;
  force?: boolean;
  fsync?: boolean;
  keepOpen?: boolean;
  /** ms; 0 = never */
  stallTimeout: number;
}

export function parseListenArg(text: string): Endpoint {
  try {
    return parseListen(text);
  } catch (err) {
    throw new XferError('usage', (err as Error).message);
  }
}

/** The output directory is created if missing; anything unusable fails before listening (exit 5). */
export async function prepareOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : (err as Error).message;
    throw new XferError('local_file', `cannot write to output directory '${dir}': ${why}`);
  }
}

/** Prints the banner unless --quiet, but a generated code is always shown: without it nobody can connect. */
export function bannerPrinter(deps: CliDeps, opts: CommonOpts, code: string, generated: boolean, peerCommand: 'send' | 'pipe') {
  return (view: ProgressView) => (bound: Endpoint): void => {
    if (opts.quiet === true && !generated) return;
    const lines = listenBanner({ bound, code, peerCommand, suggestedHost: deps.localAddress() });
    view.log(lines.join('\n'));
  };
}

export async function runRecv(deps: CliDeps, opts: RecvOpts): Promise<void> {
  const listen = parseListenArg(opts.listen);
  const { code, generated } = listenerCode(opts, deps.env, deps.app);
  await prepareOutDir(opts.out);
  const banner = bannerPrinter(deps, opts, code, generated, 'send');
  await runTransfer(deps, opts, code, (transport, view) =>
    deps.app.receiveFiles({
      ...transport,
      listen,
      outDir: opts.out,
      force: opts.force === true,
      fsync: opts.fsync === true,
      keepOpen: opts.keepOpen === true,
      maxAttempts: opts.maxAttempts,
      hashCacheDir: hashCacheDir(deps.env),
      stallTimeoutMs: opts.stallTimeout,
      onListening: banner(view),
    }),
  );
}
