interface RingNode {
  id: number;
  prev: RingNode;
  next: RingNode;
}

/**
 * Round-robin over the streams that have something to send. next() hands out ids in turn and
 * advances, so calling it once per packet shares packets evenly among active streams. A newly
 * added id queues behind every active id (each gets its turn first). All operations are O(1).
 */
export class RoundRobinScheduler {
  private readonly nodes = new Map<number, RingNode>();
  /** The node next() returns; null when empty. */
  private cursor: RingNode | null = null;

  get size(): number {
    return this.nodes.size;
  }

  has(id: number): boolean {
    return this.nodes.has(id);
  }

  /** Activates id (no-op if already active). */
  add(id: number): void {
    if (this.nodes.has(id)) return;
    const node = { id } as RingNode;
    const cursor = this.cursor;
    if (cursor === null) {
      node.prev = node;
      node.next = node;
      this.cursor = node;
    } else {
      // Just before the cursor: the last to be served in the rotation from here.
      node.prev = cursor.prev;
      node.next = cursor;
      cursor.prev.next = node;
      cursor.prev = node;
    }
    this.nodes.set(id, node);
  }

  /** Deactivates id (no-op if not active). */
  remove(id: number): void {
    const node = this.nodes.get(id);
    if (node === undefined) return;
    this.nodes.delete(id);
    if (node.next === node) {
      this.cursor = null;
      return;
    }
    node.prev.next = node.next;
    node.next.prev = node.prev;
    if (this.cursor === node) this.cursor = node.next;
  }

  /** The id whose turn it is without advancing. */
  peek(): number | undefined {
    return this.cursor?.id;
  }

  /** The id whose turn it is; the turn then passes to the following id. */
  next(): number | undefined {
    const node = this.cursor;
    if (node === null) return undefined;
    this.cursor = node.next;
    return node.id;
  }

  /** Active ids in the order next() will return them. */
  ids(): number[] {
    const out: number[] = [];
    let node = this.cursor;
    for (let i = 0; node !== null && i < this.nodes.size; i++, node = node.next) out.push(node.id);
    return out;
  }
}
