/** Size of one storage block; a chunk crossing a block edge costs one copy. */
export const SEND_BLOCK_SIZE = 64 * 1024;
const MIN_BLOCK_CAPACITY = 2 * 1024;
/** Released full blocks kept for reuse (1 MiB): a bulk stream then allocates no new block per 64 KiB. */
const SPARE_BLOCKS = 16;

/**
 * Byte storage of a send stream, addressed by absolute stream offset.
 *
 * Bytes live in fixed-size blocks (block k covers [k*B, (k+1)*B)) so that acknowledged data can
 * be released block by block without moving the rest, and most slices handed to the packet
 * builder are zero-copy subarrays. Only the tail block grows on demand, which keeps many small
 * streams cheap.
 *
 * A slice is valid only until the next call on this buffer: the packet builder copies it into
 * the packet at once, so released blocks are reused for new data and a slice across a block
 * edge is assembled in one scratch buffer, instead of allocating (and later collecting) a
 * fresh block per 64 KiB and a fresh array per such slice.
 */
export class SendBuffer {
  private blocks: Uint8Array[] = [];
  /** Absolute block index of blocks[0]. */
  private firstBlock = 0;
  private _start = 0;
  private _end = 0;
  private spare: Uint8Array[] = [];
  private scratch: Uint8Array | null = null;

  /** Lowest offset still held. */
  get start(): number {
    return this._start;
  }

  /** Offset just past the last written byte (total bytes ever written). */
  get end(): number {
    return this._end;
  }

  /** Copies `data` to the end of the buffer. */
  append(data: Uint8Array): void {
    let src = 0;
    while (src < data.length) {
      const blockIndex = Math.floor(this._end / SEND_BLOCK_SIZE);
      const within = this._end - blockIndex * SEND_BLOCK_SIZE;
      const n = Math.min(data.length - src, SEND_BLOCK_SIZE - within);
      const block = this.writableBlock(blockIndex, within + n);
      block.set(data.subarray(src, src + n), within);
      src += n;
      this._end += n;
    }
  }

  /** The bytes [offset, offset+length); a subarray unless the range spans blocks. */
  slice(offset: number, length: number): Uint8Array {
    if (offset < this._start || offset + length > this._end) {
      throw new RangeError(`send buffer slice [${offset}, ${offset + length}) outside [${this._start}, ${this._end})`);
    }
    if (length === 0) return new Uint8Array(0);
    const k = Math.floor(offset / SEND_BLOCK_SIZE);
    const within = offset - k * SEND_BLOCK_SIZE;
    if (within + length <= SEND_BLOCK_SIZE) {
      return this.blocks[k - this.firstBlock]!.subarray(within, within + length);
    }
    if (this.scratch === null || this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, MIN_BLOCK_CAPACITY));
    const out = this.scratch.subarray(0, length);
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const b = Math.floor(pos / SEND_BLOCK_SIZE);
      const w = pos - b * SEND_BLOCK_SIZE;
      const n = Math.min(length - done, SEND_BLOCK_SIZE - w);
      out.set(this.blocks[b - this.firstBlock]!.subarray(w, w + n), done);
      done += n;
    }
    return out;
  }

  /** Forgets everything below `offset`, dropping blocks that lie entirely below it. */
  release(offset: number): void {
    if (offset <= this._start) return;
    this._start = Math.min(offset, this._end);
    const keepFrom = Math.floor(this._start / SEND_BLOCK_SIZE);
    const drop = Math.min(keepFrom - this.firstBlock, this.blocks.length);
    if (drop > 0) {
      for (const b of this.blocks.splice(0, drop)) {
        if (b.length === SEND_BLOCK_SIZE && this.spare.length < SPARE_BLOCKS) this.spare.push(b);
      }
      this.firstBlock += drop;
    }
  }

  /** Drops all storage; `end` is kept so offsets stay meaningful. */
  clear(): void {
    this.blocks = [];
    this.spare = [];
    this.scratch = null;
    this._start = this._end;
    this.firstBlock = Math.floor(this._end / SEND_BLOCK_SIZE);
  }

  /** Bytes of memory in blocks that hold data (spares kept for reuse are not counted). */
  get allocatedBytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.length;
    return n;
  }

  /** The block for absolute index k with room for `needed` bytes, allocating or growing it. */
  private writableBlock(k: number, needed: number): Uint8Array {
    if (this.blocks.length === 0) this.firstBlock = k;
    const i = k - this.firstBlock;
    const existing = this.blocks[i];
    if (existing !== undefined && existing.length >= needed) return existing;
    if (existing === undefined && this.spare.length > 0) {
      // Spares exist only once a whole block was released: this stream is not a small one.
      const reused = this.spare.pop()!;
      this.blocks[i] = reused;
      return reused;
    }
    let capacity = Math.max(existing?.length ?? 0, MIN_BLOCK_CAPACITY);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(Math.min(capacity, SEND_BLOCK_SIZE));
    if (existing !== undefined) grown.set(existing);
    this.blocks[i] = grown;
    return grown;
  }
}
