// Ctrl-C / SIGTERM: the first one asks the app to stop cleanly (streams reset, close sent) and
// arms a deadline; a second one, or the deadline, ends the process at once with status 130.
import { XferError } from '../app/api.js';
import { ExitCode } from './exit-codes.js';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface InterruptOptions {
  source: SignalSource;
  controller: AbortController;
  /** Ends the process; must not return in production. */
  exit: (code: number) => void;
  /** Called on the first signal, before the abort, e.g. to stop drawing progress bars. */
  onInterrupt?: () => void;
  /** How long the app gets to wind down after the first signal. */
  graceMs?: number;
}

/** Installs the handlers; returns a function that removes them. */
export function installInterruptHandlers(o: InterruptOptions): () => void {
  let deadline: ReturnType<typeof setTimeout> | null = null;
  const handler = (): void => {
    if (deadline !== null) {
      o.exit(ExitCode.INTERRUPTED);
      return;
    }
    // unref: the deadline must not be what keeps an otherwise finished process alive.
    deadline = setTimeout(() => o.exit(ExitCode.INTERRUPTED), o.graceMs ?? 1000);
    deadline.unref();
    try {
      o.onInterrupt?.();
    } finally {
      o.controller.abort(new XferError('interrupted', 'interrupted'));
    }
  };
  o.source.on('SIGINT', handler);
  o.source.on('SIGTERM', handler);
  return () => {
    o.source.off('SIGINT', handler);
    o.source.off('SIGTERM', handler);
    if (deadline !== null) clearTimeout(deadline);
  };
}
