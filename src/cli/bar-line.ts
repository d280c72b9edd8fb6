// One progress-bar line, rendered from plain numbers so it can be tested without a terminal.
import { formatBytes, formatEta, formatRate } from './format.js';

export interface BarPayload {
  name: string;
  bytes: number;
  /** null when the size is unknown (pipes): no bar, no ETA. */
  total: number | null;
  rate: number;
  eta: number | null;
  columns: number;
  /** Set once the item failed: the line shows why instead of a bar, and stops changing. */
  failed?: string;
}

const BAR_WIDTH = 20;
/** Room taken by everything but the name: bar, sizes, rate, ETA and the gaps between them. */
const FIXED_WIDTH = BAR_WIDTH + 2 + 23 + 13 + 12 + 6;

/** Shortens from the left: the end of a file name (its extension) says more than the start. */
export function fitName(name: string, width: number): string {
  const chars = Array.from(name);
  if (chars.length <= width) return name + ' '.repeat(width - chars.length);
  if (width <= 1) return chars.slice(chars.length - width).join('');
  return `…${chars.slice(chars.length - width + 1).join('')}`;
}

/** Cuts from the right with an ellipsis: the start of a reason says the most. */
function fitEnd(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

export function renderBar(fraction: number, width = BAR_WIDTH): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

export function renderBarLine(p: BarPayload): string {
  const nameWidth = Math.max(8, Math.min(32, p.columns - FIXED_WIDTH));
  const name = fitName(p.name, nameWidth);
  if (p.failed !== undefined) {
    const room = Math.max(10, p.columns - nameWidth - 3);
    return `${name}  ${fitEnd(`✗ failed: ${p.failed}`, room)}`;
  }
  const rate = formatRate(p.rate).padStart(12);
  if (p.total === null) {
    return `${name}  ${' '.repeat(BAR_WIDTH + 2)}  ${formatBytes(p.bytes).padStart(10)}${' '.repeat(13)}  ${rate}`;
  }
  const fraction = p.total === 0 ? 1 : p.bytes / p.total;
  const sizes = `${formatBytes(p.bytes).padStart(10)} / ${formatBytes(p.total).padEnd(10)}`;
  return `${name}  [${renderBar(fraction)}]  ${sizes}  ${rate}  ETA ${formatEta(p.eta)}`;
}
