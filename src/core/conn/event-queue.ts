import type { ConnectionEvent } from '../api.js';

/** FIFO without Array.shift's O(n) copying; events are drained after every call into the core. */
export class EventQueue {
  private items: ConnectionEvent[] = [];
  private head = 0;

  push(e: ConnectionEvent): void {
    this.items.push(e);
  }

  shift(): ConnectionEvent | null {
    if (this.head >= this.items.length) return null;
    const e = this.items[this.head++]!;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return e;
  }
}
