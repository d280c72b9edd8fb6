// Shared builders for recovery tests.
import type { SentPacketInit } from '../../../src/core/recovery/sent-packets.js';

export function pkt(
  pn: number,
  timeSent: number,
  opts: Partial<Omit<SentPacketInit<string>, 'pn' | 'timeSent'>> = {},
): SentPacketInit<string> {
  return {
    pn,
    timeSent,
    size: opts.size ?? 1000,
    ackEliciting: opts.ackEliciting ?? true,
    inFlight: opts.inFlight ?? true,
    streamId: opts.streamId === undefined ? null : opts.streamId,
    frames: opts.frames ?? [`f${pn}`],
  };
}

export const range = (start: number, end: number): { start: number; end: number } => ({ start, end });
