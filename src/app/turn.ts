// Keeping the event loop responsive while a batch is worked through: the transport's ACKs and
// packets are only handled between turns, so a loop over many small files yields now and then.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch (ms) a batch loop runs before letting the event loop handle packets. */
export const TURN_MS = 1;

export class TurnBudget {
  private start = performance.now();

  constructor(private readonly ms = TURN_MS) {}

  /** Resolves at once while the budget lasts; otherwise after one event-loop turn. */
  async check(): Promise<void> {
    if (performance.now() - this.start < this.ms) return;
    await nextTurn();
    this.start = performance.now();
  }
}
