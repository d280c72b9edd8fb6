// End-of-run text: the summary line, failed items and --stats.
import type { TransferSummary } from '../app/api.js';
import { formatBitrate, formatBytes, formatDuration, formatRate } from './format.js';

export function goodput(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0;
}

/** "3 items (1 failed), 64.0 MiB in 1.52 s, 42.1 MiB/s (353 Mbit/s)" */
export function summaryLine(s: TransferSummary): string {
  const n = s.items.length;
  const failed = s.items.filter((i) => !i.ok).length;
  const items = `${n} ${n === 1 ? 'item' : 'items'}${failed > 0 ? ` (${failed} failed)` : ''}`;
  const rate = goodput(s.bytes, s.elapsedMs);
  return `${items}, ${formatBytes(s.bytes)} in ${formatDuration(s.elapsedMs)}, ${formatRate(rate)} (${formatBitrate(rate)})`;
}

/** One line per failed item, as the summary alone would not say which ones. */
export function failureLines(s: TransferSummary): string[] {
  return s.items.filter((i) => !i.ok).map((i) => `failed: ${i.name}: ${i.error ?? 'unknown error'}`);
}

export function failureMessage(s: TransferSummary): string | null {
  const failed = s.items.filter((i) => !i.ok).length;
  if (failed === 0) return null;
  return `${failed} of ${s.items.length} ${s.items.length === 1 ? 'item' : 'items'} failed`;
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
