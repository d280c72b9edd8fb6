// What a sent packet carried, as far as loss recovery needs to know.
import type { ControlFrame } from './control-queue.js';

export type SentFrame =
  | { k: 'stream'; id: number; offset: number; length: number; fin: boolean }
  | { k: 'ctl'; f: ControlFrame }
  /** An ACK we sent; once the peer acknowledges it, ranges below `floor` need not be repeated. */
  | { k: 'ack'; floor: number }
  /** A path MTU probe (PING and PADDING) of this datagram size; its loss is no congestion signal. */
  | { k: 'mtu'; size: number }
  /** An ACK_FREQUENCY request; conn/ack-frequency.ts decides whether a lost one goes again. */
  | { k: 'afreq'; seq: number };
