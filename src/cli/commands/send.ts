// xfer send FILE|DIR... HOST[:PORT]
import { access, constants, stat } from 'node:fs/promises';
import { XferError } from '../../app/api.js';
import type { CliDeps } from '../context.js';
import { parseDestination } from '../endpoint.js';
import { hashCacheDir, senderCode } from '../options.js';
import type { CommonOpts } from '../options.js';
import { runTransfer } from '../run.js';

export const DEFAULT_STREAMS = 4;

export interface SendOpts extends CommonOpts {
  streams?: number;
  /** The old name of --streams. */
  concurrency?: number;
  symlinks?: boolean;
  /** false with --no-resume */
  resume: boolean;
  /** ms; 0 = never */
  stallTimeout: number;
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Checks every source before touching the network, so a typo fails fast with exit 5.
 * Returns the total size of regular files (for the total bar), or null if some size is unknown
 * (a directory: its size is only known once walked).
 */
export async function preflightSources(files: string[]): Promise<number | null> {
  let total: number | null = 0;
  for (const f of files) {
    try {
      const st = await stat(f);
      await access(f, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
      if (st.isFile()) total = total === null ? null : total + st.size;
      else total = null;
    } catch (err) {
      throw new XferError('local_file', `cannot read '${f}': ${reason(err)}`);
    }
  }
  return total;
}

export async function runSend(deps: CliDeps, paths: string[], opts: SendOpts): Promise<void> {
  if (paths.length < 2) {
    throw new XferError('usage', 'expected FILE|DIR... HOST[:PORT]: what to send, then the receiver address');
  }
  const files = paths.slice(0, -1);
  let remote;
  try {
    remote = parseDestination(paths[paths.length - 1] as string);
  } catch (err) {
    throw new XferError('usage', (err as Error).message);
  }
  const code = senderCode(opts, deps.env);
  const total = await preflightSources(files);
  await runTransfer(
    deps,
    opts,
    code,
    (transport) =>
      deps.app.sendFiles({
        ...transport,
        remote,
        files,
        concurrency: opts.streams ?? opts.concurrency ?? DEFAULT_STREAMS,
        stallTimeoutMs: opts.stallTimeout,
        symlinks: opts.symlinks === true,
        resume: opts.resume !== false,
        hashCacheDir: hashCacheDir(deps.env),
      }),
    total,
  );
}
