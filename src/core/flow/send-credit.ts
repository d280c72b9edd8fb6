/**
 * Flow-control credit the peer grants us (MAX_DATA or MAX_STREAM_DATA). Limits are absolute
 * offsets and only ever grow, so applying updates in any order, duplicated or not, ends at the
 * largest one: loss and reordering of the frames cannot shrink the credit.
 */
export class SendCredit {
  private _limit: number;
  /** The limit last reported as blocking, so each limit is reported once. */
  private reportedBlockedAt: number | null = null;

  constructor(initialLimit: number) {
    this._limit = initialLimit;
  }

  /** Highest offset (or connection total) we may send up to. */
  get limit(): number {
    return this._limit;
  }

  /** Bytes we may still send when `sentSoFar` were already sent. */
  available(sentSoFar: number): number {
    return Math.max(0, this._limit - sentSoFar);
  }

  /** Applies a limit from the peer; true if it grew the credit. */
  update(newLimit: number): boolean {
    if (newLimit <= this._limit) return false;
    this._limit = newLimit;
    return true;
  }

  /**
   * The limit to put in DATA_BLOCKED / STREAM_DATA_BLOCKED when the credit is used up, or null
   * when not blocked or this limit was already reported.
   */
  blockedAt(sentSoFar: number): number | null {
    if (sentSoFar < this._limit || this.reportedBlockedAt === this._limit) return null;
    this.reportedBlockedAt = this._limit;
    return this._limit;
  }
}
