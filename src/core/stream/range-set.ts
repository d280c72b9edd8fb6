/** A half-open byte range [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Sorted set of disjoint, non-touching half-open ranges. Used for acknowledged and lost byte
 * ranges of a send stream, and for coverage tracking of a receive stream that discards data.
 * Streams mostly grow at the end and shrink at the front, so both are fast paths; the general
 * case is a binary search plus one splice.
 */
export class RangeSet {
  private ranges: ByteRange[] = [];

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Number of disjoint ranges. */
  get count(): number {
    return this.ranges.length;
  }

  first(): ByteRange | undefined {
    return this.ranges[0];
  }

  last(): ByteRange | undefined {
    return this.ranges[this.ranges.length - 1];
  }

  [Symbol.iterator](): IterableIterator<ByteRange> {
    return this.ranges.values();
  }

  clear(): void {
    this.ranges = [];
  }

  /** Adds [start, end), merging with overlapping or touching ranges. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const last = this.last();
    if (last === undefined || last.end < start) {
      this.ranges.push({ start, end });
      return;
    }
    // First range that overlaps or touches `start`, then first range strictly after `end`.
    const i = this.firstIndex((r) => r.end >= start);
    const j = this.firstIndex((r) => r.start > end, i);
    if (i === j) {
      this.ranges.splice(i, 0, { start, end });
      return;
    }
    const merged = {
      start: Math.min(start, this.ranges[i]!.start),
      end: Math.max(end, this.ranges[j - 1]!.end),
    };
    this.ranges.splice(i, j - i, merged);
  }

  /** Removes [start, end) from the set, splitting ranges that straddle its edges. */
  remove(start: number, end: number): void {
    if (end <= start || this.ranges.length === 0) return;
    const first = this.ranges[0]!;
    // Fast path: trimming the front, as done when acknowledgements advance.
    if (start <= first.start && end < first.end) {
      if (end > first.start) first.start = end;
      return;
    }
    const i = this.firstIndex((r) => r.end > start);
    const j = this.firstIndex((r) => r.start >= end, i);
    if (i === j) return;
    const keep: ByteRange[] = [];
    const lo = this.ranges[i]!;
    const hi = this.ranges[j - 1]!;
    if (lo.start < start) keep.push({ start: lo.start, end: start });
    if (hi.end > end) keep.push({ start: end, end: hi.end });
    this.ranges.splice(i, j - i, ...keep);
  }

  /** True when every byte of [start, end) is in the set. */
  covers(start: number, end: number): boolean {
    if (end <= start) return true;
    const i = this.firstIndex((r) => r.end > start);
    const r = this.ranges[i];
    return r !== undefined && r.start <= start && r.end >= end;
  }

  /** The parts of [start, end) that are NOT in the set, in order. */
  gaps(start: number, end: number): ByteRange[] {
    const out: ByteRange[] = [];
    let cur = start;
    for (let k = this.firstIndex((r) => r.end > start); k < this.ranges.length && cur < end; k++) {
      const r = this.ranges[k]!;
      if (r.start >= end) break;
      if (r.start > cur) out.push({ start: cur, end: r.start });
      cur = Math.max(cur, r.end);
    }
    if (cur < end) out.push({ start: cur, end });
    return out;
  }

  /** Total number of bytes covered. */
  totalLength(): number {
    let n = 0;
    for (const r of this.ranges) n += r.end - r.start;
    return n;
  }

  /** Smallest index >= from whose range satisfies a predicate that is monotone over the sorted ranges. */
  private firstIndex(pred: (r: ByteRange) => boolean, from = 0): number {
    let lo = from;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.ranges[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
