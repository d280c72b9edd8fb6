// Wrong-code attempts as the person watching a listener should hear of them: the first at once,
// then at most one report per interval with a count. A flood of hellos (each one a datagram,
// tens of thousands a second) must not become a flood of lines, nor bury the terminal.
import { unmapV4, type PeerAddress } from './network.js';
import { printable } from './printable.js';

/** One report: the first attempt after a quiet interval, or those counted since the last report. */
export interface WrongCodeReport {
  /** Where the latest of them came from, "host:port" ("[v6]:port"), escaped for a terminal. */
  peer: string;
  /** How many attempts this report covers. */
  attempts: number;
  /** Other source addresses among them (a spoofed flood has many), counted up to MAX_PEERS. */
  otherPeers: number;
  /** Whether they came before: false for the first attempt after a quiet interval. */
  more: boolean;
  /** The span they were counted over, ms (0 for a first attempt). */
  spanMs: number;
}

/** Reports after the first come at most this often. */
export const WRONG_CODE_INTERVAL_MS = 5_000;
/** Distinct addresses remembered per interval: bounds the memory a spoofed flood can take. */
const MAX_PEERS = 1_000;

export class WrongCodeLog {
  /** When the running interval began; null while quiet (the next attempt is reported at once). */
  private since: number | null = null;
  private count = 0;
  private last = '';
  private readonly peers = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: () => number,
    private readonly report: (r: WrongCodeReport) => void,
    private readonly intervalMs = WRONG_CODE_INTERVAL_MS,
  ) {}

  /** One wrong-code attempt from `from` (null: unknown, which a listener never sees). */
  note(from: PeerAddress | null): void {
    const peer = from ? printable(formatAddress(from)) : '?';
    if (this.since === null) {
      this.report({ peer, attempts: 1, otherPeers: 0, more: false, spanMs: 0 });
      this.startInterval();
      return;
    }
    this.count++;
    this.last = peer;
    if (this.peers.size < MAX_PEERS) this.peers.add(peer);
  }

  /** Reports what was counted so far and goes quiet (the listener stops waiting). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.reportCounted();
    this.since = null;
  }

  private startInterval(): void {
    this.since = this.clock();
    this.timer = setTimeout(() => this.endInterval(), this.intervalMs);
    this.timer.unref();
  }

  /** An interval without attempts ends the series; one with attempts is reported and goes on. */
  private endInterval(): void {
    this.timer = null;
    if (this.count === 0) {
      this.since = null;
      return;
    }
    this.reportCounted();
    this.startInterval();
  }

  private reportCounted(): void {
    if (this.count === 0 || this.since === null) return;
    const otherPeers = this.peers.size - (this.peers.has(this.last) ? 1 : 0);
    this.report({ peer: this.last, attempts: this.count, otherPeers, more: true, spanMs: this.clock() - this.since });
    this.count = 0;
    this.peers.clear();
  }
}

/** "10.0.0.5:40000", "[2001:db8::1]:40000". */
export function formatAddress(a: PeerAddress): string {
  const host = unmapV4(a.address);
  return host.includes(':') ? `[${host}]:${a.port}` : `${host}:${a.port}`;
}
