// A bulk-transfer application for one client/server Connection pair, as xfer uses it for one
// file: the client writes `size` bytes on one stream and finishes it; the server reads and
// counts them. Payload bytes come from one reused buffer, so a 250 MB run costs no memory.
import type { Connection } from '../../src/core/connection.js';
import type { ConnectionEvent } from '../../src/core/api.js';

const CHUNK = 1 << 16;

export class BulkFlow {
  /** Bytes the receiving application has read, in order. */
  received = 0;
  /** Virtual time the client saw 'connected'. */
  connectedAt: number | null = null;
  /** Virtual time every byte (and the FIN) was acknowledged. */
  finishedAt: number | null = null;
  closed: ConnectionEvent | null = null;
  private written = 0;
  private streamId: number | null = null;
  private finSent = false;
  private readonly chunk: Uint8Array;

  constructor(
    private readonly client: Connection,
    private readonly server: Connection,
    /** Bytes to send; Infinity sends until the run stops. */
    readonly size: number,
    private readonly clock: () => number,
  ) {
    this.chunk = new Uint8Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) this.chunk[i] = (i * 131 + 7) & 255;
  }

  get done(): boolean {
    return this.finishedAt !== null || this.closed !== null;
  }

  /** Feed every event of the client ('a') or server ('b') side here. */
  onEvent(side: 'a' | 'b', e: ConnectionEvent): void {
    if (e.type === 'closed') this.closed ??= e;
    if (side === 'a') this.onClientEvent(e);
    else this.onServerEvent(e);
  }

  private onClientEvent(e: ConnectionEvent): void {
    switch (e.type) {
      case 'connected':
        this.connectedAt = this.clock();
        this.streamId = this.client.openStream();
        this.pump();
        break;
      case 'stream_writable':
        this.pump();
        break;
      case 'stream_finished':
        this.finishedAt = this.clock();
        break;
      case 'stream_readable':
        // The server's empty answer; reading it lets the stream close on both sides.
        while (this.client.streamRead(e.id)) {}
        break;
      default:
        break;
    }
  }

  private onServerEvent(e: ConnectionEvent): void {
    if (e.type !== 'stream_opened' && e.type !== 'stream_readable') return;
    for (let r = this.server.streamRead(e.id, 1 << 20); r; r = this.server.streamRead(e.id, 1 << 20)) {
      this.received += r.data.length;
      if (r.fin) this.server.streamFinish(e.id);
    }
  }

  private pump(): void {
    const id = this.streamId;
    if (id === null || this.finSent) return;
    while (this.written < this.size) {
      const at = this.written % CHUNK;
      const n = this.client.streamWrite(id, this.chunk.subarray(at, Math.min(CHUNK, at + this.size - this.written)));
      if (n === 0) return;
      this.written += n;
    }
    this.client.streamFinish(id);
    this.finSent = true;
  }
}
