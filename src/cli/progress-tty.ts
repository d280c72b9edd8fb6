// Live progress on a terminal: an ora spinner while nothing flows yet, then one cli-progress
// bar per active item (the first few) plus a total bar. Only used when stderr is a TTY.
import ora from 'ora';
import type { Ora } from 'ora';
import { MultiBar } from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import type { ItemInfo, ProgressSink, WrongCodeReport } from '../app/api.js';
import type { TermStream } from './context.js';
import { RateMeter } from './rate-meter.js';
import { renderBarLine } from './bar-line.js';
import type { BarPayload } from './bar-line.js';
import { wrongCodeWarning } from './wrong-code.js';

type Phase = Parameters<ProgressSink['onPhase']>[0];

const PHASE_TEXT: Record<Phase, string> = {
  resolving: 'Resolving address…',
  listening: 'Waiting for the sender…',
  handshake: 'Handshake…',
  transferring: 'Transferring…',
  closing: 'Closing…',
};

interface Row { item: ItemInfo; bar: SingleBar | null; meter: RateMeter; bytes: number }

/**
 * Bars drawn at once. A tree of small files has hundreds of items under way together (they share
 * a stream); the rest still count in the total bar, they just get no line of their own.
 */
const MAX_BARS = 8;
/** Failed bars that stay on screen, frozen with their reason; later failures go to the summary only. */
const MAX_FROZEN = 5;

export class TtyProgress {
  private spinner: Ora | null = null;
  private bars: MultiBar | null = null;
  private totalBar: SingleBar | null = null;
  private readonly totalMeter = new RateMeter();
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private frozen = 0;
  /** Bytes of items no longer shown (done or failed), so the total keeps counting them. */
  private finishedBytes = 0;
  private finishedTotal = 0;
  /** Sums over the active rows, kept as they change (a walk over all rows per event would be O(n)). */
  private activeBytes = 0;
  private activeTotal = 0;
  private activeUnknown = 0;
  private expectedTotal: number | null = null;
  private stopped = false;

  constructor(private readonly stream: TermStream, private readonly now: () => number) {}

  onPhase(phase: Phase): void {
    if (this.stopped) return;
    if (phase === 'transferring') {
      this.stopSpinner();
      this.ensureBars();
      return;
    }
    if (phase === 'closing') this.stopBars();
    this.startSpinner(PHASE_TEXT[phase]);
  }

  onItemStart(item: ItemInfo): void {
    if (this.stopped) return;
    const bars = this.ensureBars();
    const bar = this.drawn < MAX_BARS ? bars.create(1, 0, this.payload(item.name, 0, item.total, null)) : null;
    if (bar) this.drawn++;
    const row: Row = { item, bar, meter: new RateMeter(), bytes: 0 };
    row.meter.add(this.now(), 0);
    this.rows.set(item.key, row);
    if (item.total === null) this.activeUnknown++;
    else this.activeTotal += item.total;
    this.refreshTotal();
  }

  onItemProgress(key: string, bytes: number): void {
    const row = this.rows.get(key);
    if (!row || this.stopped) return;
    const t = this.now();
    this.activeBytes += bytes - row.bytes;
    row.bytes = bytes;
    row.meter.add(t, bytes);
    row.bar?.update(Math.min(bytes, row.item.total ?? bytes), this.payload(row.item.name, bytes, row.item.total, row.meter));
    this.refreshTotal();
  }

  onItemDone(key: string): void {
    this.retire(key);
  }

  /** Nothing to transfer (identical on the receiver): it counts as complete in the total. */
  onItemSkipped(key: string): void {
    const row = this.rows.get(key);
    if (row) this.onItemProgress(key, row.item.total ?? 0);
    this.retire(key);
  }

  /** The bar stays, frozen, and says why (the first few); the total stops counting on this item. */
  onItemFailed(key: string, reason: string): void {
    const row = this.rows.get(key);
    const keep = row?.bar != null && !this.stopped && this.frozen < MAX_FROZEN;
    if (keep) {
      this.frozen++;
      row.bar!.update(Math.min(row.bytes, row.item.total ?? row.bytes), { ...this.payload(row.item.name, row.bytes, row.item.total, null), failed: reason });
    }
    this.retire(key, !keep);
  }

  onWarning(message: string): void {
    this.log(`warning: ${message}`);
  }

  onWrongCode(r: WrongCodeReport): void {
    this.onWarning(wrongCodeWarning(r));
  }

  log(text: string): void {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    if (this.bars && !this.stopped) {
      this.bars.log(line);
      this.bars.update();
    } else if (this.spinner?.isSpinning) {
      this.spinner.clear();
      this.stream.write(line);
      this.spinner.render();
    } else {
      this.stream.write(line);
    }
  }

  setExpectedTotal(bytes: number | null): void {
    this.expectedTotal = bytes;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopSpinner();
    this.stopBars();
    this.stopped = true;
  }

  private retire(key: string, removeBar = true): void {
    const row = this.rows.get(key);
    if (!row) return;
    this.rows.delete(key);
    this.activeBytes -= row.bytes;
    if (row.item.total === null) this.activeUnknown--;
    else this.activeTotal -= row.item.total;
    this.finishedBytes += row.bytes;
    this.finishedTotal += row.item.total ?? row.bytes;
    if (row.bar) {
      this.drawn--;
      if (removeBar && !this.stopped) this.bars?.remove(row.bar);
    }
    this.refreshTotal();
  }

  private refreshTotal(): void {
    if (!this.totalBar || this.stopped) return;
    const bytes = this.finishedBytes + this.activeBytes;
    const known = this.finishedTotal + this.activeTotal;
    const total = this.expectedTotal ?? (this.activeUnknown === 0 ? known : null);
    this.totalMeter.add(this.now(), bytes);
    this.totalBar.update(total === null ? 0 : Math.min(bytes, total), this.payload('total', bytes, total, this.totalMeter));
  }

  private payload(name: string, bytes: number, total: number | null, meter: RateMeter | null): BarPayload {
    const t = this.now();
    return {
      name,
      bytes,
      total,
      rate: meter ? meter.rate(t) : 0,
      eta: meter ? meter.eta(t, total) : null,
      columns: this.stream.columns ?? 80,
    };
  }

  private ensureBars(): MultiBar {
    if (this.bars) return this.bars;
    this.stopSpinner();
    this.bars = new MultiBar({
      stream: this.stream,
      format: (_o, _p, payload: BarPayload) => renderBarLine(payload),
      hideCursor: true,
      clearOnComplete: false,
      gracefulExit: false,
      linewrap: false,
      fps: 8,
    });
    this.totalMeter.add(this.now(), 0);
    this.totalBar = this.bars.create(1, 0, this.payload('total', 0, this.expectedTotal, null));
    return this.bars;
  }

  private startSpinner(text: string): void {
    if (this.bars) return;
    if (!this.spinner) {
      // discardStdin would put stdin in raw mode and steal the data `xfer pipe` reads.
      this.spinner = ora({ text, stream: this.stream, discardStdin: false, isEnabled: true });
    }
    this.spinner.text = text;
    if (!this.spinner.isSpinning) this.spinner.start();
  }

  private stopSpinner(): void {
    if (this.spinner?.isSpinning) this.spinner.stop();
  }

  private stopBars(): void {
    if (!this.bars) return;
    this.refreshTotal();
    this.bars.stop();
    this.bars = null;
    this.totalBar = null;
  }
}
