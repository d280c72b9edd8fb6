// What a connection counts for ConnectionStats, and how the figures of its parts add up to them.
import type { ConnectionStats } from '../api.js';
import type { MtuStats } from '../recovery/mtu-discovery.js';
import type { RecoverySnapshot } from './recovery-glue.js';

export class Counters {
  packetsSent = 0;
  packetsReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  droppedMalformed = 0;
  droppedUnauthenticated = 0;
  /** Datagrams that carried nothing but an ACK. */
  ackPacketsSent = 0;
}

export function connectionStats(n: Counters, r: RecoverySnapshot, m: MtuStats): ConnectionStats {
  return {
    ...r,
    ...n,
    datagramSize: m.current,
    datagramCap: m.max,
    mtuProbesSent: m.probesSent,
    mtuProbesLost: m.probesLost,
    mtuBlackHoles: m.blackHoles,
    lossRate: n.packetsSent > 0 ? r.packetsLost / n.packetsSent : 0,
  };
}
