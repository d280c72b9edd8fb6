import { RangeSet } from './range-set.js';

interface Segment {
  start: number;
  data: Uint8Array;
}

const EMPTY = new Uint8Array(0);
/** Compact the in-order queue once this many consumed entries pile up at its front. */
const COMPACT_AFTER = 64;

/**
 * Data that fills at least half of its underlying buffer is kept as a view, otherwise copied.
 * Received data is a view into a packet's plaintext, which the cipher hands over in a buffer of
 * its own (PacketCipher.open): keeping that view saves a copy and an allocation per packet,
 * while copying small pieces keeps a few bytes from pinning a whole large datagram.
 */
function keep(data: Uint8Array): Uint8Array {
  return data.length * 2 >= data.buffer.byteLength ? data : data.slice();
}

/**
 * Receive-side reassembly by absolute offset.
 *
 * Bytes form two parts: an in-order queue of chunks starting at `readOffset` (ready for the
 * application) and an offset-sorted list of disjoint out-of-order segments beyond the first gap.
 * In-order arrivals, the common case, are appended in O(1); an out-of-order arrival costs a
 * binary search and one splice. Stored segments never overlap (new data is trimmed to the gaps it
 * fills) but adjacent ones are not merged: they are moved to the in-order queue as soon as the
 * gap before them closes, and joined only when read() needs bytes from several of them.
 *
 * After discardAll() no bytes are kept any more, only which ranges arrived, so that completion
 * can still be detected.
 */
export class ReassemblyBuffer {
  private queue: Uint8Array[] = [];
  private queueHead = 0;
  /** Bytes already read from queue[queueHead]. */
  private headSkip = 0;
  private queuedBytes = 0;
  private segments: Segment[] = [];
  private segmentBytes = 0;
  private _readOffset = 0;
  /** Coverage of received data once the buffer discards; null while it stores bytes. */
  private coverage: RangeSet | null = null;

  /** Offset of the next byte read() returns (everything below was read or discarded). */
  get readOffset(): number {
    return this._readOffset;
  }

  /** Every byte below this offset has arrived. */
  get contiguousEnd(): number {
    if (this.coverage !== null) {
      const first = this.coverage.first();
      return first !== undefined && first.start === 0 ? first.end : 0;
    }
    return this._readOffset + this.queuedBytes;
  }

  /** Bytes of payload held (unread in-order plus out-of-order). */
  get bufferedBytes(): number {
    return this.queuedBytes + this.segmentBytes;
  }

  /** In-order bytes ready for read(). */
  get readableBytes(): number {
    return this.queuedBytes;
  }

  get isDiscarding(): boolean {
    return this.coverage !== null;
  }

  /**
   * Stores the new parts of [offset, offset+data.length). `data` must not change afterwards:
   * it may be kept as a view (see keep()).
   */
  insert(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    if (this.coverage !== null) {
      this.coverage.add(offset, end);
      this._readOffset = this.contiguousEnd;
      return;
    }
    const contiguous = this.contiguousEnd;
    if (end <= contiguous) return;
    if (offset <= contiguous) {
      this.enqueue(keep(data.subarray(contiguous - offset)));
      this.drainSegments();
    } else {
      this.insertSegment(offset, data);
    }
  }

  /** Up to maxBytes in-order bytes (empty when none); a view when they sit in one chunk. */
  read(maxBytes: number): Uint8Array {
    const want = Math.min(maxBytes, this.queuedBytes);
    if (want <= 0) return EMPTY;
    const head = this.queue[this.queueHead]!;
    if (head.length - this.headSkip >= want) return this.take(want);
    const out = new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const part = this.take(want - done);
      out.set(part, done);
      done += part.length;
    }
    return out;
  }

  /** Drops every stored byte; from now on only coverage is tracked and nothing is readable. */
  discardAll(): void {
    if (this.coverage !== null) return;
    const coverage = new RangeSet();
    coverage.add(0, this.contiguousEnd);
    for (const s of this.segments) coverage.add(s.start, s.start + s.data.length);
    this.coverage = coverage;
    this.queue = [];
    this.queueHead = 0;
    this.headSkip = 0;
    this.queuedBytes = 0;
    this.segments = [];
    this.segmentBytes = 0;
    this._readOffset = this.contiguousEnd;
  }

  /** Takes up to n bytes from the front of the queue, never crossing a chunk. */
  private take(n: number): Uint8Array {
    const head = this.queue[this.queueHead]!;
    const len = Math.min(n, head.length - this.headSkip);
    const part = head.subarray(this.headSkip, this.headSkip + len);
    this.headSkip += len;
    this.queuedBytes -= len;
    this._readOffset += len;
    if (this.headSkip === head.length) {
      this.queueHead++;
      this.headSkip = 0;
      if (this.queueHead >= COMPACT_AFTER && this.queueHead * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
    }
    return part;
  }

  private enqueue(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
  }

  /** Moves segments that the in-order data now reaches into the queue. */
  private drainSegments(): void {
    let k = 0;
    for (; k < this.segments.length; k++) {
      const seg = this.segments[k]!;
      const contiguous = this.contiguousEnd;
      if (seg.start > contiguous) break;
      this.segmentBytes -= seg.data.length;
      const skip = contiguous - seg.start;
      if (skip < seg.data.length) this.enqueue(skip === 0 ? seg.data : seg.data.subarray(skip));
    }
    if (k > 0) this.segments.splice(0, k);
  }

  /** Stores the parts of an out-of-order range that no segment holds yet. */
  private insertSegment(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    const last = this.segments[this.segments.length - 1];
    if (last === undefined || last.start + last.data.length <= offset) {
      this.addSegment(this.segments.length, 0, [{ start: offset, data: keep(data) }]);
      return;
    }
    const i = this.firstSegmentEndingAfter(offset);
    const merged: Segment[] = [];
    let cur = offset;
    let j = i;
    for (; j < this.segments.length; j++) {
      const seg = this.segments[j]!;
      if (seg.start >= end) break;
      if (seg.start > cur) merged.push({ start: cur, data: keep(data.subarray(cur - offset, seg.start - offset)) });
      merged.push(seg);
      cur = Math.max(cur, seg.start + seg.data.length);
    }
    if (cur < end) merged.push({ start: cur, data: keep(data.subarray(cur - offset)) });
    this.addSegment(i, j - i, merged);
  }

  /** Replaces `count` segments at index i with `replacement`, keeping the byte count right. */
  private addSegment(i: number, count: number, replacement: Segment[]): void {
    for (let k = i; k < i + count; k++) this.segmentBytes -= this.segments[k]!.data.length;
    for (const s of replacement) this.segmentBytes += s.data.length;
    if (count === 0 && replacement.length === 1 && i === this.segments.length) this.segments.push(replacement[0]!);
    else this.segments.splice(i, count, ...replacement);
  }

  private firstSegmentEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.segments[mid]!;
      if (s.start + s.data.length > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
