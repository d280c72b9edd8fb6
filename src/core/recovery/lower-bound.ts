/** First index in [from, sorted.length) whose value is >= `value` (sorted ascending from `from`). */
export function lowerBound(sorted: readonly number[], from: number, value: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
