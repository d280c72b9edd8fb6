// Per-item outcomes of a run, counted exactly but listed only as far as it stays small: a tree
// of a million files must not leave a million result objects in memory.
import type { ItemResult, TransferSummary } from './api.js';

/** Failed items listed at most (the rest are counted). */
const MAX_FAILED_LISTED = 1000;
/** Successful items are listed only while the whole list stays this short. */
const MAX_LISTED = 1000;

export class Tally {
  sent = 0;
  skipped = 0;
  failed = 0;
  bytes = 0;
  private readonly listed: ItemResult[] = [];
  private listedFailed = 0;
  private okDropped = false;

  /** Directories and links made (not counted as sent files). */
  dirs = 0;
  links = 0;

  record(r: ItemResult): void {
    // Goodput counts what arrived for good; a failed item's bytes are lost.
    if (r.ok) this.bytes += r.bytes;
    if (!r.ok) this.failed++;
    else if (r.kind === 'dir') this.dirs++;
    else if (r.kind === 'symlink') this.links++;
    else if (r.skipped) this.skipped++;
    else this.sent++;
    if (!r.ok) {
      if (this.listedFailed < MAX_FAILED_LISTED) {
        this.listedFailed++;
        this.listed.push(r);
      }
      return;
    }
    if (this.okDropped) return;
    if (this.listed.length >= MAX_LISTED) {
      // From here on only failures are kept; drop the ok ones listed so far, for a consistent list.
      this.okDropped = true;
      this.listed.splice(0, this.listed.length, ...this.listed.filter((x) => !x.ok));
      return;
    }
    this.listed.push(r);
  }

  get items(): ItemResult[] {
    return this.listed;
  }

  counts(): NonNullable<TransferSummary['counts']> {
    return { sent: this.sent, skipped: this.skipped, failed: this.failed, dirs: this.dirs, links: this.links };
  }
}
