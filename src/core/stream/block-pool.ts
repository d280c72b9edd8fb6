/**
 * Size of one receive block. Small enough that the partly filled blocks at a stream's edges
 * (at most two per stream) cost little across many streams, large enough that a 64 KB
 * datagram's data is a handful of copies.
 */
export const RECV_BLOCK_SIZE = 16 * 1024;

/**
 * Blocks are cut from slabs of this size. malloc maps an allocation this large on its own, so
 * the pool's memory does not sit among the packet buffers that die by the thousand each second:
 * a 16 KiB block allocated mid-transfer split one of their freed 64 KB chunks and the heap grew
 * instead of reusing it.
 */
const SLAB_BYTES = 1 << 20;

/**
 * The receive blocks of one connection (ReassemblyBuffer): a block read out goes back here and
 * carries the next bytes that arrive, on any stream. A block is created only when none is
 * spare, so the pool never holds more than the most its streams buffered at once, which flow
 * control bounds (src/core/flow/README.md); it goes away with its connection. Spare blocks are
 * kept rather than dropped because a dropped block has lived long enough to reach V8's old
 * generation, where only a full mark-compact frees it: a reader that falls behind and catches
 * up would leave a window's worth of such garbage each time.
 */
export class BlockPool {
  private readonly spare: Uint8Array[] = [];
  private created = 0;
  private slab: Uint8Array | null = null;
  private slabUsed = 0;
  private readonly perSlab: number;

  /** `blockSize`: RECV_BLOCK_SIZE; tests pick tiny ones to cross block edges often. */
  constructor(readonly blockSize = RECV_BLOCK_SIZE) {
    this.perSlab = Math.max(1, Math.floor(SLAB_BYTES / blockSize));
  }

  /** A block to write into; its old contents are stale bytes, not zeros. */
  take(): Uint8Array {
    return this.spare.pop() ?? this.create();
  }

  /** `block` (from take(), no longer referenced by its stream) may carry new data. */
  give(block: Uint8Array): void {
    this.spare.push(block);
  }

  /** Bytes of every block this pool made: what it occupies, in use or spare. */
  get allocatedBytes(): number {
    return this.created * this.blockSize;
  }

  /** Bytes of the blocks that streams hold now. */
  get inUseBytes(): number {
    return (this.created - this.spare.length) * this.blockSize;
  }

  /** The next block of the current slab, or of a new one once it is used up. */
  private create(): Uint8Array {
    if (this.slab === null || this.slabUsed === this.perSlab) {
      this.slab = new Uint8Array(this.perSlab * this.blockSize);
      this.slabUsed = 0;
    }
    const at = this.slabUsed++ * this.blockSize;
    this.created++;
    return this.slab.subarray(at, at + this.blockSize);
  }
}
