import { WireError } from './errors.js';

/** Largest value the decoder accepts: the wire allows 2^62-1, but JS numbers are exact only up to here. */
export const MAX_VARINT = Number.MAX_SAFE_INTEGER;

const TWO_32 = 0x1_0000_0000;
/** The high 32 bits of MAX_VARINT (2^21 - 1): an 8-byte varint whose top half exceeds this is too big. */
const MAX_HIGH_WORD = 0x1f_ffff;

function checkVarint(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_VARINT) {
    throw new RangeError(`not a varint-encodable value: ${v}`);
  }
}

/** Encoded length of `v` in the shortest QUIC varint form. */
export function varintSize(v: number): 1 | 2 | 4 | 8 {
  // Fast path for the common uint32 case; the integer test is folded into `>>> 0`.
  if (v >>> 0 === v) {
    if (v < 0x40) return 1;
    if (v < 0x4000) return 2;
    if (v < 0x4000_0000) return 4;
    return 8;
  }
  checkVarint(v);
  return 8;
}

/** Fixed-capacity big-endian writer. Overflow is a sizing bug in the caller, hence RangeError. */
export class ByteWriter {
  private readonly buf: Uint8Array;
  private readonly start: number;
  private pos: number;

  constructor(capacity: number);
  constructor(buf: Uint8Array, offset?: number);
  constructor(arg: number | Uint8Array, offset = 0) {
    if (typeof arg === 'number') {
      this.buf = new Uint8Array(arg);
      this.start = 0;
    } else {
      if (!Number.isInteger(offset) || offset < 0 || offset > arg.length) {
        throw new RangeError(`bad writer offset ${offset}`);
      }
      this.buf = arg;
      this.start = offset;
    }
    this.pos = this.start;
  }

  /** Writes in place into `buf` from `offset` up to its end (no allocation). */
  static over(buf: Uint8Array, offset = 0): ByteWriter {
    return new ByteWriter(buf, offset);
  }

  get length(): number {
    return this.pos - this.start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private reserve(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) {
      throw new RangeError(`ByteWriter overflow: need ${n}, have ${this.buf.length - p}`);
    }
    this.pos = p + n;
    return p;
  }

  u8(v: number): void {
    if ((v & 0xff) !== v) throw new RangeError(`not a u8: ${v}`);
    this.buf[this.reserve(1)] = v;
  }

  u16(v: number): void {
    if ((v & 0xffff) !== v) throw new RangeError(`not a u16: ${v}`);
    const p = this.reserve(2);
    this.buf[p] = v >>> 8;
    this.buf[p + 1] = v;
  }

  u32(v: number): void {
    if (v >>> 0 !== v) throw new RangeError(`not a u32: ${v}`);
    const p = this.reserve(4);
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
  }

  varint(v: number): void {
    const b = this.buf;
    if (v >>> 0 === v) {
      if (v < 0x40) {
        b[this.reserve(1)] = v;
      } else if (v < 0x4000) {
        const p = this.reserve(2);
        b[p] = 0x40 | (v >>> 8);
        b[p + 1] = v;
      } else if (v < 0x4000_0000) {
        const p = this.reserve(4);
        b[p] = 0x80 | (v >>> 24);
        b[p + 1] = v >>> 16;
        b[p + 2] = v >>> 8;
        b[p + 3] = v;
      } else {
        this.varint8(0, v);
      }
      return;
    }
    checkVarint(v);
    // Split with division: bitwise operators would truncate to 32 bits.
    const hi = Math.floor(v / TWO_32);
    this.varint8(hi, v - hi * TWO_32);
  }

  private varint8(hi: number, lo: number): void {
    const p = this.reserve(8);
    const b = this.buf;
    b[p] = 0xc0 | (hi >>> 24);
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
  }

  bytes(src: Uint8Array): void {
    const p = this.reserve(src.length);
    this.buf.set(src, p);
  }

  /** Writes `n` zero bytes (PADDING), without assuming the buffer was zeroed. */
  zeros(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`bad zero count ${n}`);
    const p = this.reserve(n);
    this.buf.fill(0, p, p + n);
  }

  /** View of the bytes written so far (no copy: later writes through `over` buffers show up). */
  finish(): Uint8Array {
    return this.buf.subarray(this.start, this.pos);
  }
}

/** Zero-copy big-endian reader over received bytes; any short or invalid read throws WireError. */
export class ByteReader {
  private readonly buf: Uint8Array;
  private pos: number;
  private readonly end: number;

  constructor(buf: Uint8Array, offset = 0) {
    if (!Number.isInteger(offset) || offset < 0 || offset > buf.length) {
      throw new RangeError(`bad reader offset ${offset}`);
    }
    this.buf = buf;
    this.pos = offset;
    this.end = buf.length;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  private take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw new WireError(`truncated: need ${n} bytes, have ${this.end - p}`);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.buf[this.take(1)]!;
  }

  u16(): number {
    const p = this.take(2);
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u32(): number {
    const p = this.take(4);
    const b = this.buf;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  varint(): number {
    const b = this.buf;
    const p = this.pos;
    if (p >= this.end) throw new WireError('truncated varint');
    const first = b[p]!;
    switch (first >> 6) {
      case 0:
        this.pos = p + 1;
        return first;
      case 1:
        this.take(2);
        return ((first & 0x3f) << 8) | b[p + 1]!;
      case 2:
        this.take(4);
        // Top bits are masked off, so the int32 result is never negative.
        return ((first & 0x3f) << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
      default: {
        this.take(8);
        const hi = ((first & 0x3f) << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
        if (hi > MAX_HIGH_WORD) throw new WireError('varint above 2^53-1');
        const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
        return hi * TWO_32 + lo;
      }
    }
  }

  /** Next `n` bytes as a view into the underlying buffer. */
  bytes(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new WireError(`bad byte count ${n}`);
    const p = this.take(n);
    return this.buf.subarray(p, p + n);
  }

  /** Advances past consecutive zero bytes (a PADDING run) and returns how many there were. */
  skipZeros(): number {
    const b = this.buf;
    const start = this.pos;
    let p = start;
    while (p < this.end && b[p] === 0) p++;
    this.pos = p;
    return p - start;
  }

  /** Everything left, as a view; the reader is then done. */
  rest(): Uint8Array {
    const p = this.pos;
    this.pos = this.end;
    return this.buf.subarray(p, this.end);
  }
}
