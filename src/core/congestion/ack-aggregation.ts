// Estimates how far ACKs run ahead of the bandwidth model ("ack aggregation"): receivers that
// ack every other packet, delayed ACKs, batching in the OS or the io loop's timer all deliver
// acknowledgements in clumps. Over an epoch that starts whenever ACKs fall behind the model,
// extra = bytes acked - bw x elapsed; the windowed max over ~10 rounds is the headroom the
// congestion window needs so that the sender does not stall while it waits for the next clump.
import { WindowedMaxByRound } from './windowed-filter.js';

/** Rounds the max extra is remembered: the same horizon as the bandwidth filter. */
export const EXTRA_ACKED_ROUNDS = 10;

export class AckAggregation {
  private epochStart: number | null = null;
  private epochAcked = 0;
  private readonly filter = new WindowedMaxByRound(EXTRA_ACKED_ROUNDS);

  /** `bw` in bytes per ms. */
  onAck(now: number, ackedBytes: number, bw: number, round: number): void {
    if (bw <= 0) return;
    const start = this.epochStart;
    if (start === null || this.epochAcked <= bw * (now - start)) {
      // ACKs are at or behind the model: no aggregation in progress, start a new epoch.
      this.epochStart = now;
      this.epochAcked = 0;
    }
    this.epochAcked += ackedBytes;
    const extra = this.epochAcked - bw * (now - this.epochStart!);
    this.filter.update(round, Math.max(0, extra));
  }

  extra(round: number): number {
    return this.filter.max(round);
  }

  reset(): void {
    this.epochStart = null;
    this.epochAcked = 0;
    this.filter.reset();
  }
}
