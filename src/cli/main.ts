// The CLI process around runCli: real streams, clock and signals, and the exit status.
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { CliDeps } from './context.js';
import { ExitCode, describeFailure } from './exit-codes.js';
import { tuneHeap } from './heap.js';
import { lazyApp } from './lazy-app.js';
import { runCli } from './program.js';
import { installInterruptHandlers } from './signals.js';
import { trace } from '../io/trace.js';

/** First non-internal IPv4 address: what a sender on the same network would most likely dial. */
export function firstLanAddress(): string | null {
  try {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  } catch {
    // Sandboxes may refuse to enumerate interfaces; the banner then says HOST.
  }
  return null;
}

function exitNow(code: number): never {
  trace(`exit ${code}`);
  // A bar drawn by cli-progress hides the cursor; a hard exit would leave it hidden.
  if (process.stderr.isTTY) process.stderr.write('\x1B[?25h');
  process.exit(code);
}

/** Waits until what the app wrote to stdout (pipe data) has left the process. */
async function flushStdout(): Promise<void> {
  const out = process.stdout;
  if (out.destroyed || out.writableFinished) return;
  if (out.writableEnded) {
    await new Promise<void>((resolve) => {
      out.once('finish', resolve);
      out.once('error', () => resolve());
    });
    return;
  }
  await new Promise<void>((resolve) => out.write('', () => resolve()));
}

function fatal(err: unknown): never {
  const { message } = describeFailure(err);
  process.stderr.write(`xfer: ${message}\n`);
  exitNow(ExitCode.INTERNAL);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  trace('cli: main');
  tuneHeap();
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // A reader closing our stdout early must not crash the process with an EPIPE stack trace.
  process.stdout.on('error', () => {});
  const controller = new AbortController();
  const uninstall = installInterruptHandlers({
    source: process,
    controller,
    exit: (code) => {
      process.stderr.write('xfer: interrupted\n');
      exitNow(code);
    },
  });
  const deps: CliDeps = {
    app: lazyApp,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    now: () => performance.now(),
    localAddress: firstLanAddress,
  };
  let code: number;
  try {
    code = await runCli(argv, deps);
  } catch (err) {
    fatal(err);
  }
  // After Ctrl-C the handlers stay until the process is gone: a second signal during the exit
  // would otherwise meet the default action and end the process without its status 130.
  if (controller.signal.aborted) exitNow(code);
  uninstall();
  await flushStdout();
  exitNow(code);
}
