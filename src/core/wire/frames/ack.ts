import { WireError } from '../errors.js';
import { type ByteReader, type ByteWriter, varintSize } from '../varint.js';

export const FRAME_ACK = 0x02;

/** Inclusive range of acknowledged packet numbers. */
export interface AckRange {
  start: number;
  end: number;
}

/**
 * `ranges` are sorted by descending `end`, disjoint and non-adjacent (at least one missing
 * packet number between two ranges), and never empty.
 */
export interface AckFrame {
  type: 'ack';
  ranges: AckRange[];
  ackDelayMicros: number;
}

/** Throws RangeError unless `ranges` satisfies the AckFrame invariants (an encoder-side bug). */
function checkRanges(ranges: readonly AckRange[]): void {
  if (ranges.length === 0) throw new RangeError('ACK needs at least one range');
  let floor = Infinity;
  for (const { start, end } of ranges) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end) {
      throw new RangeError(`bad ACK range [${start}, ${end}]`);
    }
    // Adjacent ranges would need a gap of -1, which the wire cannot express.
    if (end >= floor - 1) throw new RangeError('ACK ranges must be descending and non-adjacent');
    floor = start;
  }
}

export function ackFrameSize(f: AckFrame): number {
  const ranges = f.ranges;
  checkRanges(ranges);
  const first = ranges[0]!;
  let size = 1 + varintSize(first.end) + varintSize(f.ackDelayMicros) + varintSize(ranges.length - 1);
  size += varintSize(first.end - first.start);
  for (let i = 1; i < ranges.length; i++) {
    const cur = ranges[i]!;
    size += varintSize(ranges[i - 1]!.start - cur.end - 2) + varintSize(cur.end - cur.start);
  }
  return size;
}

export function encodeAckFrame(w: ByteWriter, f: AckFrame): void {
  const ranges = f.ranges;
  checkRanges(ranges);
  const first = ranges[0]!;
  w.u8(FRAME_ACK);
  w.varint(first.end);
  w.varint(f.ackDelayMicros);
  w.varint(ranges.length - 1);
  w.varint(first.end - first.start);
  for (let i = 1; i < ranges.length; i++) {
    const cur = ranges[i]!;
    // RFC 9000 §19.3.1: both fields are "minus one" encoded, so a gap of one missing pn is 0.
    w.varint(ranges[i - 1]!.start - cur.end - 2);
    w.varint(cur.end - cur.start);
  }
}

export function decodeAckFrame(r: ByteReader): AckFrame {
  const largest = r.varint();
  const ackDelayMicros = r.varint();
  const count = r.varint();
  // Each extra range takes at least two bytes: reject absurd counts before looping.
  if (count > r.remaining / 2) throw new WireError(`ACK range count ${count} exceeds payload`);
  const firstLen = r.varint();
  if (firstLen > largest) throw new WireError('ACK first range below zero');
  let start = largest - firstLen;
  const ranges: AckRange[] = [{ start, end: largest }];
  for (let i = 0; i < count; i++) {
    const gap = r.varint();
    const len = r.varint();
    const end = start - gap - 2;
    if (end < 0) throw new WireError('ACK gap below zero');
    if (len > end) throw new WireError('ACK range below zero');
    start = end - len;
    ranges.push({ start, end });
  }
  return { type: 'ack', ranges, ackDelayMicros };
}
