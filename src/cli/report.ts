// End-of-run text: the summary line, failed items and --stats.
import type { TransferSummary } from '../app/api.js';
import { formatBitrate, formatBytes, formatDuration, formatRate } from './format.js';

export function goodput(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0;
}

/** Items by outcome: the exact counts when the app gives them, else from the item list. */
function counts(s: TransferSummary): NonNullable<TransferSummary['counts']> {
  if (s.counts) return s.counts;
  const failed = s.items.filter((i) => !i.ok).length;
  const skipped = s.items.filter((i) => i.ok && i.skipped).length;
  return { sent: s.items.length - failed - skipped, skipped, failed, dirs: 0, links: 0 };
}

function itemCount(c: NonNullable<TransferSummary['counts']>): number {
  return c.sent + c.skipped + c.failed + c.dirs + c.links;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * "3 items (1 failed), 64.0 MiB in 1.52 s, 42.1 MiB/s (353 Mbit/s)", and for file transfers
 * "; 2 sent, 0 skipped, 1 failed[, 4 directories, 1 link]" after it.
 */
export function summaryLine(s: TransferSummary): string {
  const c = counts(s);
  const n = itemCount(c);
  const items = `${plural(n, 'item', 'items')}${c.failed > 0 ? ` (${c.failed} failed)` : ''}`;
  const rate = goodput(s.bytes, s.elapsedMs);
  const line = `${items}, ${formatBytes(s.bytes)} in ${formatDuration(s.elapsedMs)}, ${formatRate(rate)} (${formatBitrate(rate)})`;
  if (!s.counts) return line;
  const extra = [c.dirs > 0 ? plural(c.dirs, 'directory', 'directories') : '', c.links > 0 ? plural(c.links, 'link', 'links') : ''];
  return [`${line}; ${c.sent} sent, ${c.skipped} skipped, ${c.failed} failed`, ...extra.filter((x) => x !== '')].join(', ');
}

/** One line per failed item, as the summary alone would not say which ones. */
export function failureLines(s: TransferSummary): string[] {
  const lines = s.items.filter((i) => !i.ok).map((i) => `failed: ${i.name}: ${i.error ?? 'unknown error'}`);
  const unlisted = counts(s).failed - lines.length;
  if (unlisted > 0) lines.push(`failed: ${unlisted} more not listed`);
  return lines;
}

export function failureMessage(s: TransferSummary): string | null {
  const c = counts(s);
  if (c.failed === 0) return null;
  const n = itemCount(c);
  return `${c.failed} of ${plural(n, 'item', 'items')} failed`;
}

/** --stats: aligned "key  value" lines under a heading. */
export function statsLines(stats: Record<string, string | number>): string[] {
  const keys = Object.keys(stats);
  if (keys.length === 0) return ['connection stats: none'];
  const width = Math.max(...keys.map((k) => k.length));
  return ['connection stats:', ...keys.map((k) => `  ${k.padEnd(width)}  ${formatStat(stats[k] as string | number)}`)];
}

function formatStat(v: string | number): string {
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '');
}
