// --stall-timeout: one stream that stops moving fails alone while the connection and the other
// streams go on. Progress is a byte counter the caller picks (sender: bytes the transport took,
// receiver: bytes taken from the transport); the watch only sees whether it moved.
import { performance } from 'node:perf_hooks';
import { AppError } from '../core/api.js';
import { StreamAbort } from '../io/errors.js';

/** Checks per timeout period: the stall is noticed at most a quarter period late. */
const CHECKS_PER_PERIOD = 4;
const MAX_CHECK_MS = 1000;

/** The abort a stalled stream is destroyed with (RESET_STREAM/STOP_SENDING carry STALLED). */
export class Stalled extends StreamAbort {
  constructor(message: string) {
    super(AppError.STALLED, message);
    this.name = 'Stalled';
  }
}

export function stallMessage(ms: number, what: 'sent' | 'received'): string {
  return `no data ${what} for ${Math.round(ms / 100) / 10} s (--stall-timeout), gave up on it`;
}

/**
 * Calls `onStall` once when `progress()` has not changed for `ms`. Returns a function that stops
 * watching; `ms` <= 0 watches nothing. The timer is unref'd: it never keeps a process alive.
 */
export function watchStall(ms: number, progress: () => number, onStall: () => void): () => void {
  if (!(ms > 0)) return () => undefined;
  let last = progress();
  let lastMoved = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const p = progress();
    if (p !== last) {
      last = p;
      lastMoved = now;
    } else if (now - lastMoved >= ms) {
      clearInterval(timer);
      onStall();
    }
  }, Math.min(MAX_CHECK_MS, Math.max(10, ms / CHECKS_PER_PERIOD)));
  timer.unref();
  return () => clearInterval(timer);
}

/** What the peer's abort code means for this item, in words for the summary. */
export function peerAbortReason(code: number, peer: 'sender' | 'receiver'): string {
  switch (code) {
    case AppError.REFUSED:
      return `the ${peer} refused it`;
    case AppError.WRITE_ERROR:
      return 'the receiver could not write it';
    case AppError.SOURCE_ERROR:
      return 'the sender could not read it';
    case AppError.STALLED:
      return `the ${peer} gave up on it: no progress for too long (--stall-timeout)`;
    case AppError.INTEGRITY:
      return 'it was corrupted on the way (checksum mismatch)';
    case AppError.CANCELLED:
      return `the ${peer} cancelled it`;
    default:
      return `the ${peer} abandoned it (code 0x${code.toString(16)})`;
  }
}

/**
 * The watch for one stream that carries several items: fails it (destroyed with Stalled) when
 * its byte counter has not moved for `ms`. Paused during local work (hashing, renaming), which
 * is not the stream's fault.
 */
export class StallWatch {
  stalled: Stalled | null = null;
  private paused = false;
  private tick = 0;
  private readonly unwatch: () => void;

  constructor(s: { destroy(e: Error): void }, ms: number, counter: () => number, what: 'sent' | 'received') {
    this.unwatch = watchStall(ms, () => (this.paused ? ++this.tick : counter()), () => {
      this.stalled = new Stalled(stallMessage(ms, what));
      s.destroy(this.stalled);
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  stop(): void {
    this.unwatch();
  }
}
