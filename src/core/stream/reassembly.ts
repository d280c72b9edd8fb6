import { BlockPool } from './block-pool.js';
import { RangeSet } from './range-set.js';

const EMPTY = new Uint8Array(0);

/**
 * Receive-side reassembly by absolute offset.
 *
 * Arriving bytes are copied into fixed-size blocks (block k holds [k*B, (k+1)*B)) taken from
 * the connection's BlockPool, and a block goes back to the pool once no unread byte lies in it;
 * read() copies out, so nothing outside this buffer ever refers to a block. The memory a
 * stream holds is then the bytes it buffers, rounded to blocks, which its flow-control window
 * bounds. Keeping views of each packet's plaintext instead held one buffer per datagram (up to
 * 64 KB) until the data was read, long enough to reach V8's old generation, where only a full
 * mark-compact frees it: with 64 KB datagrams a receiver's array buffers reached 125 MB for a
 * 32 MiB window. Copied at once, a packet's buffer dies young and the next scavenge frees it.
 *
 * Every byte below `contiguous` has arrived; `ahead` holds the ranges that arrived beyond the
 * first gap. In-order arrivals, the common case, are one copy; an out-of-order arrival stores
 * only the parts no earlier copy filled. After discardAll() no bytes are kept any more, only
 * which ranges arrived, so that completion can still be detected.
 */
export class ReassemblyBuffer {
  private blocks: (Uint8Array | undefined)[] = [];
  /** Absolute block index of blocks[0]. */
  private firstBlock = 0;
  private _readOffset = 0;
  private contiguous = 0;
  private readonly ahead = new RangeSet();
  /** Unread bytes held: [readOffset, contiguous) plus `ahead`. */
  private stored = 0;
  private discarding = false;
  private readonly blockSize: number;

  constructor(private readonly pool: BlockPool = new BlockPool()) {
    this.blockSize = pool.blockSize;
  }

  /** Offset of the next byte read() returns (everything below was read or discarded). */
  get readOffset(): number {
    return this._readOffset;
  }

  /** Every byte below this offset has arrived. */
  get contiguousEnd(): number {
    return this.contiguous;
  }

  /** Bytes of payload held (unread in-order plus out-of-order). */
  get bufferedBytes(): number {
    return this.stored;
  }

  /** In-order bytes ready for read(). */
  get readableBytes(): number {
    return this.contiguous - this._readOffset;
  }

  get isDiscarding(): boolean {
    return this.discarding;
  }

  /** Stores the new parts of [offset, offset+data.length); `data` is copied, never kept. */
  insert(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    if (end <= this.contiguous) return;
    const start = Math.max(offset, this.contiguous);
    if (this.ahead.isEmpty && start === this.contiguous) {
      this.store(start, data.subarray(start - offset));
      this.contiguous = end;
    } else {
      for (const g of this.ahead.gaps(start, end)) this.store(g.start, data.subarray(g.start - offset, g.end - offset));
      this.ahead.add(start, end);
      this.joinAhead();
    }
    if (this.discarding) this._readOffset = this.contiguous;
  }

  /** Up to maxBytes in-order bytes (empty when none), in an array of their own. */
  read(maxBytes: number): Uint8Array {
    const want = Math.min(maxBytes, this.readableBytes);
    if (want <= 0) return EMPTY;
    const out = new Uint8Array(want);
    this.copy(this._readOffset, out, false);
    this._readOffset += want;
    this.stored -= want;
    this.releaseRead();
    return out;
  }

  /** Drops every stored byte; from now on only coverage is tracked and nothing is readable. */
  discardAll(): void {
    if (this.discarding) return;
    this.discarding = true;
    for (const b of this.blocks) if (b) this.pool.give(b);
    this.blocks = [];
    this.stored = 0;
    this._readOffset = this.contiguous;
  }

  /** Copies `bytes` to offset `at` (unless discarding), taking blocks as needed. */
  private store(at: number, bytes: Uint8Array): void {
    if (this.discarding) return;
    this.stored += bytes.length;
    this.copy(at, bytes, true);
  }

  /** Copies between `bytes` and the blocks from offset `at` on: into the blocks, or out of them. */
  private copy(at: number, bytes: Uint8Array, into: boolean): void {
    let done = 0;
    while (done < bytes.length) {
      const pos = at + done;
      const k = Math.floor(pos / this.blockSize);
      const within = pos - k * this.blockSize;
      const n = Math.min(bytes.length - done, this.blockSize - within);
      const i = k - this.firstBlock;
      if (into) (this.blocks[i] ??= this.pool.take()).set(bytes.subarray(done, done + n), within);
      else bytes.set(this.blocks[i]!.subarray(within, within + n), done);
      done += n;
    }
  }

  /** The first range ahead joins the in-order part once the gap before it closed. */
  private joinAhead(): void {
    const first = this.ahead.first();
    if (first === undefined || first.start > this.contiguous) return;
    this.contiguous = first.end;
    this.ahead.remove(first.start, first.end);
  }

  /**
   * Gives back the blocks that hold no unread byte: those below the read offset, and the one
   * it lies in once everything that arrived was read (an idle stream then holds no block).
   */
  private releaseRead(): void {
    const front = Math.floor(this._readOffset / this.blockSize);
    const drop = Math.min(front - this.firstBlock, this.blocks.length);
    for (const b of this.blocks.splice(0, drop)) if (b) this.pool.give(b);
    this.firstBlock = front;
    const next = this.ahead.first();
    const frontInUse = this.readableBytes > 0 || (next !== undefined && next.start < (front + 1) * this.blockSize);
    const b = this.blocks[0];
    if (b && !frontInUse) {
      this.pool.give(b);
      this.blocks[0] = undefined;
    }
  }
}
