// Many small writes to a transport stream as few big ones. Every write() kicks the transport,
// which may send a packet right away: three writes per small file (Go frame, data, hash) made
// three small packets, each sealed, sent, received and acknowledged on its own. Collected here,
// they leave in chunks of OUTBOX_MAX and fill whole packets.
import type { XferStream } from '../io/stream.js';
import { writeChunk } from './write.js';

/** Bytes collected before they go to the transport in one write. */
export const OUTBOX_MAX = 64 * 1024;

export class Outbox {
  private parts: Uint8Array[] = [];
  private size = 0;
  private accepted: (() => void)[] = [];

  constructor(private readonly s: XferStream, private readonly max = OUTBOX_MAX) {}

  /** Queues `b`; `onAccepted` runs once the transport took it (as writeChunk's). */
  add(b: Uint8Array, onAccepted?: () => void): void {
    if (b.length > 0) this.parts.push(b);
    this.size += b.length;
    if (onAccepted) this.accepted.push(onAccepted);
  }

  /** Enough is queued to be worth a write. */
  get full(): boolean {
    return this.size >= this.max;
  }

  get queued(): number {
    return this.size;
  }

  /** Writes what is queued as one chunk; rejects as writeChunk does (the queue is emptied either way). */
  async flush(): Promise<void> {
    const parts = this.parts;
    const size = this.size;
    const accepted = this.accepted;
    this.parts = [];
    this.size = 0;
    this.accepted = [];
    if (parts.length === 0) {
      for (const f of accepted) f();
      return;
    }
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    await writeChunk(this.s, chunk, () => {
      for (const f of accepted) f();
    });
  }
}
