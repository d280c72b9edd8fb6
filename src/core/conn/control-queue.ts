// Pending control frames, deduplicated so that only the newest value of a limit is ever queued:
// limits are absolute, so re-sending the latest one is always correct after a loss.
import type { Frame } from '../wire/frame.js';

type Keyed = Exclude<Frame, { type: 'stream' } | { type: 'ack' } | { type: 'padding' }>;

function keyOf(f: Keyed): string {
  switch (f.type) {
    case 'max_stream_data':
    case 'reset_stream':
    case 'stop_sending':
    case 'stream_data_blocked':
      return `${f.type}:${f.id}`;
    default:
      return f.type;
  }
}

export class ControlQueue {
  private readonly pending = new Map<string, Keyed>();

  push(f: Keyed): void {
    this.pending.set(keyOf(f), f);
  }

  /** Removes a queued frame for a stream that no longer needs it (e.g. flow updates after a reset). */
  dropStream(id: number): void {
    for (const [k, f] of this.pending) {
      if ((f.type === 'max_stream_data' || f.type === 'stream_data_blocked') && f.id === id) this.pending.delete(k);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** Takes frames in insertion order while `fits` accepts them; the rest stay queued. */
  take(fits: (f: Keyed) => boolean): Keyed[] {
    const out: Keyed[] = [];
    for (const [k, f] of this.pending) {
      if (!fits(f)) continue;
      out.push(f);
      this.pending.delete(k);
    }
    return out;
  }
}

export type ControlFrame = Keyed;
