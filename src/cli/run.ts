// The part every subcommand shares: progress view, transport options, the end-of-run report.
import { XferError } from '../app/api.js';
import type { TransferSummary, TransportOptions } from '../app/api.js';
import type { CliDeps } from './context.js';
import type { CommonOpts } from './options.js';
import { createProgressView } from './progress.js';
import type { ProgressView } from './progress.js';
import { failureLines, failureMessage, statsLines, summaryLine } from './report.js';

export type Transfer = (transport: TransportOptions, view: ProgressView) => Promise<TransferSummary>;

/**
 * Runs one transfer and reports it. Failed items turn into a transfer_failed error after the
 * summary so the top level prints the single `xfer:` line and exits 1.
 */
export async function runTransfer(deps: CliDeps, opts: CommonOpts, code: string, transfer: Transfer, expectedTotal: number | null = null): Promise<void> {
  const quiet = opts.quiet === true;
  const view = await createProgressView({ stream: deps.stderr, quiet, now: deps.now });
  view.setExpectedTotal(expectedTotal);
  const transport: TransportOptions = {
    code,
    congestion: opts.cc,
    rateLimit: opts.rate,
    handshakeTimeoutMs: opts.handshakeTimeout,
    idleTimeoutMs: opts.idleTimeout,
    maxDatagram: opts.maxDatagram,
    progress: view,
    signal: deps.signal,
  };
  let summary: TransferSummary;
  try {
    summary = await transfer(transport, view);
  } finally {
    view.stop();
  }
  const out = (line: string): void => void deps.stderr.write(`${line}\n`);
  if (!quiet) {
    out(summaryLine(summary));
    failureLines(summary).forEach(out);
  }
  if (opts.stats === true) statsLines(summary.stats).forEach(out);
  const failed = failureMessage(summary);
  if (failed !== null) throw new XferError('transfer_failed', failed);
}
