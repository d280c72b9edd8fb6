// Turns the app's ProgressSink callbacks into terminal output. Three flavours: silent (--quiet),
// plain (stderr is not a TTY: no drawing, only warnings as lines) and live (spinner + bars).
// The live one is imported only when it will draw: ora, cli-progress and what they pull in
// (string-width builds a large regex on load) cost a start that shows nothing.
import type { ItemInfo, ProgressSink, WrongCodeReport } from '../app/api.js';
import type { TermStream } from './context.js';
import { wrongCodeWarning } from './wrong-code.js';

export interface ProgressView extends ProgressSink {
  /** Prints whole lines to stderr without tearing a spinner or bars being drawn. */
  log(text: string): void;
  /** Bytes expected across all items when known up front (sender), for the total bar. */
  setExpectedTotal(bytes: number | null): void;
  /** Stops all drawing and restores the cursor; safe to call more than once. */
  stop(): void;
}

export interface ProgressOptions {
  stream: TermStream;
  quiet: boolean;
  now: () => number;
}

function writeLines(stream: TermStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Non-TTY output: progress is not drawn, the summary at the end says it all. */
class PlainProgress implements ProgressView {
  constructor(private readonly stream: TermStream, private readonly quiet: boolean) {}
  log(text: string): void {
    writeLines(this.stream, text);
  }
  setExpectedTotal(): void {}
  stop(): void {}
  onPhase(): void {}
  onItemStart(_item: ItemInfo): void {}
  onItemProgress(): void {}
  onItemDone(): void {}
  onItemFailed(): void {}
  onWarning(message: string): void {
    if (!this.quiet) writeLines(this.stream, `xfer: warning: ${message}`);
  }
  onWrongCode(r: WrongCodeReport): void {
    this.onWarning(wrongCodeWarning(r));
  }
}

export async function createProgressView(o: ProgressOptions): Promise<ProgressView> {
  // A pseudo-terminal without a size (columns 0) makes ora's line arithmetic run away: treat it as plain.
  const drawable = o.stream.isTTY === true && (o.stream.columns ?? 0) >= 20;
  if (o.quiet || !drawable) return new PlainProgress(o.stream, o.quiet);
  const { TtyProgress } = await import('./progress-tty.js');
  return new TtyProgress(o.stream, o.now);
}
