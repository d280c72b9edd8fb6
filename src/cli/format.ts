// Human-facing number formatting and parsing for the CLI (sizes, rates, durations, limits).

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Three significant digits reads well in a progress line without jittering widths. */
function sig3(v: number): string {
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

/** Byte counts in binary units: 512 B, 1.50 KiB, 64.0 MiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '? B';
  if (n < 1024) return `${Math.round(n)} B`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < IEC.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.9 KiB would print as "1024 KiB"; roll over to the next unit instead.
  if (Number(sig3(v)) >= 1024 && i < IEC.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sig3(v)} ${IEC[i]}`;
}

/** A byte rate in binary units, e.g. "42.1 MiB/s". */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

const SI_BITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

/** A byte rate shown as decimal bits, the way links are rated: "353 Mbit/s". */
export function formatBitrate(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '? bit/s';
  let v = bytesPerSec * 8;
  if (v < 1000) return `${Math.round(v)} bit/s`;
  let i = 0;
  while (v >= 1000 && i < SI_BITS.length - 1) {
    v /= 1000;
    i++;
  }
  if (Number(sig3(v)) >= 1000 && i < SI_BITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${sig3(v)} ${SI_BITS[i]}`;
}

/** Elapsed time: "350 ms", "4.25 s", "12.3 s", "2m05s", "1h02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return `${m}m${String(sec).padStart(2, '0')}s`;
}

/** Remaining time for a progress bar: "0:42", "12:05", "1:02:03"; "--:--" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  // Anything beyond 100 hours is noise from a stalled rate estimate.
  if (seconds >= 360_000) return '--:--';
  const t = Math.ceil(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

const PREFIX: Record<string, number> = {
  '': 1,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  ki: 1024, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
};

const RATE_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(k|K|M|G|T|ki|Ki|Mi|Gi|Ti)?(bit\/s|bits\/s|bps|bit|b\/s|b|B\/s|Bps|B)?$/;

export const RATE_SYNTAX =
  'NUMBER[PREFIX][UNIT]: prefix k, M, G, T (x1000) or Ki, Mi, Gi (x1024); unit bit/s (default, also b, bps) or B/s (bytes); 0 = unlimited';

/**
 * Parses a rate limit into bytes per second. Without a unit the number counts bits, as link
 * speeds are quoted ("50M" = 50 Mbit/s); a capital B means bytes ("10MB/s"). 0 means unlimited.
 */
export function parseRate(text: string): number {
  const m = RATE_RE.exec(text.trim());
  if (!m) throw new RangeError(`invalid rate '${text}' (e.g. 50M = 50 Mbit/s, 10MB/s, 500k; 0 = unlimited)`);
  const value = Number(m[1]) * (PREFIX[m[2] ?? ''] ?? 1);
  const unit = m[3] ?? '';
  const bytes = unit.startsWith('B') ? value : value / 8;
  if (!Number.isFinite(bytes) || bytes > Number.MAX_SAFE_INTEGER) throw new RangeError(`rate '${text}' is too large`);
  if (bytes === 0) return 0;
  // A tiny but non-zero limit must not silently become "unlimited".
  return Math.max(1, Math.round(bytes));
}

/** Parses a positive number of seconds (fractions allowed) into milliseconds. */
export function parseSeconds(text: string): number {
  const t = text.trim();
  const v = /^(\d+(?:\.\d+)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v) || v <= 0 || v > 86_400) {
    throw new RangeError(`invalid duration '${text}' (seconds, greater than 0, at most 86400)`);
  }
  return Math.round(v * 1000);
}

/** Parses an integer in [min, max]. */
export function parseIntInRange(text: string, min: number, max: number): number {
  const t = text.trim();
  const v = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`invalid number '${text}' (an integer from ${min} to ${max})`);
  }
  return v;
}
