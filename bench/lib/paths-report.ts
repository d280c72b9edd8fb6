// Markdown for bench:sim's "real paths" section: the link-model cells and xfer next to NewReno
// in three queue depths, with issue 21's targets where a simulator figure can be held to them.
import type { LinkConfig } from '../../test/sim/harness.js';
import { fmt } from './measure.js';
import type { PathResult } from './paths.js';
import type { ShareResult } from './sharing.js';

const MB = 1e6;
const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/** A counter that may be missing from this build's stats: '-' then. */
function optional(x: number | null, scale = 1, digits = 0): string {
  return x === null ? '-' : fmt(x / scale, digits);
}

function linkText(l: LinkConfig): string {
  const parts = [`${l.rateMbps} Mbit/s`, `${l.delayMs} ms`];
  if (l.lossPct) parts.push(`${l.lossPct} % loss`);
  if (l.jitterMs) parts.push(`±${l.jitterMs} ms${l.jitterReorder ? ' reordering' : ''}`);
  if (l.skipDelayPct) parts.push(`${l.skipDelayPct} % skip`);
  if (l.duplicatePct) parts.push(`${l.duplicatePct} % dup`);
  return parts.join(', ');
}

/** The two directions, or one of them when they are configured alike. */
function linksText(forward: LinkConfig, reverse: LinkConfig): string {
  const f = linkText(forward);
  const r = linkText(reverse);
  return f === r ? `${f}, both ways` : `${f} / ${r}`;
}

export function pathTable(rs: readonly PathResult[]): string {
  const lines = [
    '| link | model (forward / back) | MiB | time s | goodput Mbit/s | % of ideal | retransmitted MB | spurious losses / MB | return datagrams per data datagram | return queue drops |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rs) {
    const s = r.spec;
    const ackRatio = r.forwardDatagrams > 0 ? r.returnDatagrams / r.forwardDatagrams : NaN;
    lines.push(
      `| ${s.label} | ${linksText(s.forward, s.reverse)} | ${fmt(s.sizeBytes / (1 << 20), 0)} | ${fmt(r.elapsedMs / 1000, 2)}${r.finished ? '' : ' (cap)'} | ` +
        `${fmt(r.goodputMbps)} | ${fmt(r.pctOfIdeal)} | ${fmt(r.retransmittedBytes / MB, 1)} | ${optional(r.spuriousLosses)} / ${optional(r.spuriousBytes, MB, 1)} | ` +
        `${fmt(ackRatio, 3)} (${r.returnDatagrams} / ${r.forwardDatagrams}) | ${r.returnQueueDrops} |`,
    );
  }
  lines.push(
    '',
    'Virtual time, linkem\'s models and defaults (`test/sim/harness.ts`): a 50 ms drop-tail queue at the rate (at least',
    '10 × 1500 bytes) and 28 header bytes per datagram counted against rate and queue, as linkem counts IP packets. Jitter,',
    'skip-delay, duplicates and loss apply to both directions, as linkem\'s `--X`. *time* runs from the handshake to the',
    'last ACK; *(cap)* = stopped at 20 × the ideal time. *% of ideal* = goodput / (forward rate × (1 − loss)).',
    '*spurious* = the sender\'s `spuriousLosses` / `spuriousBytes` (`-` where this build\'s stats have none).',
    '*return datagrams per data datagram* = datagrams the receiver offered to the return link / datagrams the sender',
    'offered to the forward one (nearly all ACK-only during a transfer); *return queue drops* = those the return',
    'queue refused. Issue 21\'s targets are for bench:link against a TCP BBR copy in the same run; the simulator',
    'has no TCP, so this table gives the figures to compare with bench:link\'s.',
  );
  return lines.join('\n');
}

/** xfer's share next to NewReno, as a multiple of an equal split of what the two got together. */
function equalShareRatio(r: ShareResult): number {
  const [mine = 0, other = 0] = r.lateMbps;
  const equal = (mine + other) / 2;
  return equal > 0 ? mine / equal : NaN;
}

export function queueShareTable(rs: readonly ShareResult[]): string {
  const lines = [
    '| next to NewReno | queue | xfer Mbit/s, 10–20 s | NewReno Mbit/s, 10–20 s | xfer ÷ equal share | utilisation % | target 0.8–1.25× |',
    '|---|---:|---:|---:|---:|---:|:--|',
  ];
  for (const r of rs) {
    const s = r.spec;
    const ratio = equalShareRatio(r);
    const bdps = s.queueBdp ?? 1;
    lines.push(
      `| ${s.flows[0]!.cc}, ${s.rateMbps} Mbit/s × ${s.rttMs} ms | ${bdps} BDP | ${fmt(r.lateMbps[0] ?? NaN)} | ${fmt(r.lateMbps[1] ?? NaN)} | ` +
        `${fmt(ratio, 2)} | ${fmt(r.lateUtilisationPct)} | ${mark(ratio >= 0.8 && ratio <= 1.25)} |`,
    );
  }
  lines.push(
    '',
    'One shared drop-tail FIFO (`lib/shared-net.ts`), both flows from 0 s, 20 s; *equal share* = half of what the two',
    'flows got together over 10–20 s. Issue 21 asks for 0.8–1.25× next to NewReno with 0.5, 1 and 4 BDP of queue.',
  );
  return lines.join('\n');
}
