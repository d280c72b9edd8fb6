// Everything the CLI needs from the outside world, injected so tests can run the whole
// command layer in-process with fake app functions and captured output.
import type { Readable, Writable } from 'node:stream';
import type { AppApi } from '../app/api.js';

/** The app surface the CLI drives (src/app/index.ts). */
export interface CliApp extends AppApi {
  /** A fresh spoken code with `words` words after its number (default 3). */
  newCode(words?: number): string;
}

/** stderr as the CLI sees it: a TTY decides whether spinners and bars are drawn. */
export type TermStream = Writable & { isTTY?: boolean; columns?: number };

export interface CliDeps {
  app: CliApp;
  env: Readonly<Record<string, string | undefined>>;
  stdin: Readable;
  stdout: Writable;
  stderr: TermStream;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** Monotonic milliseconds, for rates and ETAs. */
  now(): number;
  /** An address of this machine worth suggesting to a sender, or null if unknown. */
  localAddress(): string | null;
}
