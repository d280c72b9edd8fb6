// Windowed extremum filters for the BBR model.
//
// WindowedMaxByRound keeps one bucket per round trip (the max seen in that round) for the last
// `rounds` rounds. An exact max over a ring of ~10 numbers is cheaper to reason about than the
// classic three-sample approximation and costs nothing at this size: reading it is a scan of
// ten values, and it is read a few times per ACK at most.

export class WindowedMaxByRound {
  private readonly buckets: number[];
  /** Round number each bucket belongs to; -1 = empty. */
  private readonly owners: number[];

  constructor(private readonly rounds: number) {
    if (!(rounds >= 1) || !Number.isInteger(rounds)) throw new RangeError(`bad window ${rounds}`);
    this.buckets = new Array<number>(rounds).fill(0);
    this.owners = new Array<number>(rounds).fill(-1);
  }

  /** Offers `value` observed during round `round` (rounds never go backwards). */
  update(round: number, value: number): void {
    const i = round % this.rounds;
    if (this.owners[i] !== round) {
      this.owners[i] = round;
      this.buckets[i] = value;
    } else if (value > this.buckets[i]!) {
      this.buckets[i] = value;
    }
  }

  /** Max over the rounds (round - rounds, round]; 0 when none. */
  max(round: number): number {
    let best = 0;
    for (let i = 0; i < this.rounds; i++) {
      const owner = this.owners[i]!;
      if (owner >= 0 && owner > round - this.rounds && owner <= round) best = Math.max(best, this.buckets[i]!);
    }
    return best;
  }

  /** Forgets everything but `value` for `round`. */
  resetTo(round: number, value: number): void {
    this.reset();
    this.update(round, value);
  }

  reset(): void {
    this.owners.fill(-1);
    this.buckets.fill(0);
  }
}
