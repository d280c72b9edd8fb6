// xfer pipe HOST[:PORT]  (stdin -> network)   |   xfer pipe --listen [HOST:]PORT  (network -> stdout)
import { XferError } from '../../app/api.js';
import type { CliDeps } from '../context.js';
import { parseDestination } from '../endpoint.js';
import { listenerCode, senderCode } from '../options.js';
import type { CommonOpts, ListenerOpts } from '../options.js';
import { runTransfer } from '../run.js';
import { bannerPrinter, parseListenArg } from './recv.js';

export interface PipeOpts extends CommonOpts, Partial<ListenerOpts> {
  listen?: string;
}

export async function runPipe(deps: CliDeps, destination: string | undefined, opts: PipeOpts): Promise<void> {
  if (destination !== undefined && opts.listen !== undefined) {
    throw new XferError('usage', 'give either HOST[:PORT] (send stdin) or --listen (write stdout), not both');
  }
  if (destination === undefined && opts.listen === undefined) {
    throw new XferError('usage', 'expected HOST[:PORT] to send stdin, or --listen [HOST:]PORT to receive to stdout');
  }
  if (opts.listen !== undefined) return runPipeListen(deps, opts.listen, opts);
  let remote;
  try {
    remote = parseDestination(destination as string);
  } catch (err) {
    throw new XferError('usage', (err as Error).message);
  }
  const code = senderCode(opts, deps.env);
  await runTransfer(deps, opts, code, (transport) => deps.app.sendPipe({ ...transport, remote, input: deps.stdin }));
}

async function runPipeListen(deps: CliDeps, listenText: string, opts: PipeOpts): Promise<void> {
  const listen = parseListenArg(listenText);
  const { code, generated } = listenerCode(opts, deps.env, deps.app);
  const banner = bannerPrinter(deps, opts, code, generated, 'pipe');
  await runTransfer(deps, opts, code, (transport, view) =>
    deps.app.receivePipe({ ...transport, maxAttempts: opts.maxAttempts, listen, output: deps.stdout, onListening: banner(view) }),
  );
}
