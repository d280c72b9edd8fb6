// Turns the many small chunks a receiving stream yields (what arrived in one event-loop turn,
// ~12 KiB at 100 Mbit/s) into few large file writes. Each write is a trip through libuv's thread
// pool and a pwrite: 128 MiB in 12 KiB writes cost the receiving process ~1.1 s of CPU here,
// in 256 KiB writes ~0.1 s, and on a small host that CPU is taken from reading the socket.

/** Collects chunks and writes them in order, one write in flight at a time. */
export class WriteBatcher {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param write   writes one batch (the chunks joined, in arrival order)
   * @param max     a batch is written once it holds this many bytes
   * @param idleMs  a smaller batch is written this long after it was started, so a slow
   *                stream's bytes still reach the file (and its progress) soon
   */
  constructor(
    private readonly write: (data: Uint8Array) => Promise<void>,
    private readonly max: number,
    private readonly idleMs: number,
  ) {}

  /** Queues a chunk; waits only when a full batch has to follow a write still running. */
  async add(chunk: Uint8Array): Promise<void> {
    this.throwIfFailed();
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= this.max) {
      await this.chain;
      this.throwIfFailed();
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.idleMs);
      this.timer.unref?.();
    }
  }

  /** Writes what is left and waits for every write; throws the first write error. */
  async end(): Promise<void> {
    this.flush();
    await this.chain;
    this.throwIfFailed();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.bytes === 0 || this.failure) return;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    this.chain = this.chain.then(() => (this.failure ? undefined : this.write(data))).catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
