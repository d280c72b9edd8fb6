// bench/link.mjs --wall and --mtu-sweep (issue 20): xfer against a TCP file copy of the same
// file, wall clock from starting the sender to the receiver's exit with the file whole, so
// Node's start-up, the handshake and the close count as a user waiting for the file sees them.
import { fmt } from './link-util.mjs';
import { ratioCell, rateCell, runSeries, runsTable, standing, tcpMethod, xferMethod } from './wall-series.mjs';

const MiB = 1 << 20;
const RATE = 100;
const MTU_LOSS = 5;
const REF_MTU = 1500;

const escape = (s) => String(s).replace(/\|/g, '\\|');

/** --wall: 100 Mbit/s, 25 ms one-way, random loss on both directions per row. */
export async function wallMode({ opts, env, tcpSkip, log }) {
  log(`-- wall clock: linkem ${env.link.name} ${RATE} Mbit/s, 25 ms one-way, ${fmt(opts.wallSize / MiB, 0)} MiB, losses ${opts.wallLosses.join(', ')} %`);
  env.link.up('--rate', String(RATE), '--delay', '25ms', '--loss', '0');
  const methods = [tcpMethod('cubic', tcpSkip('cubic')), tcpMethod('bbr', tcpSkip('bbr')), xferMethod];
  const conds = opts.wallLosses.map((loss) => ({ label: `${loss} %`, loss }));
  const prepare = (c) => env.link.set('--loss', String(c.loss), '--ge', 'off');
  const rows = await runSeries({ env, conds, methods, repeat: opts.repeat, size: opts.wallSize, prepare, log });
  env.link.down();
  const intro = `**Wall clock** (\`--wall\`): ${fmt(opts.wallSize / MiB, 0)} MiB file b → a, linkem ${RATE} Mbit/s, 25 ms one-way (50 ms RTT), default 50 ms drop-tail queue, random loss on both directions; Mbit/s = file bits / (start of the sender process → receiver exited with the whole file), % of ${RATE} × (1 − loss).`;
  return section(intro, wallTable(rows, methods, opts.cc), { rows, methods, repeat: opts.repeat, head: 'loss' });
}

function wallTable(rows, methods, cc) {
  const lines = [`| loss | TCP CUBIC copy | TCP BBR copy | xfer (${cc}) | xfer datagram | xfer ÷ BBR copy | link loss b→a, queue drops | target |`, '|---|---:|---:|---:|---:|---:|---:|:--|'];
  for (const { cond, runs, link } of rows) {
    const ideal = RATE * (1 - cond.loss / 100);
    const [cubic, bbr, x] = ['cubic', 'bbr', 'xfer'].map((k) => standing(runs, k));
    const cells = [rateCell(cubic, ideal, methods[0].skip), rateCell(bbr, ideal, methods[1].skip), rateCell(x, ideal), x?.datagram ?? '–', ratioCell(x, bbr)];
    lines.push(`| ${cond.label} | ${cells.map(escape).join(' | ')} | ${fmt(link.lossPct, 2)} %, ${link.queueDrops} | ${wallTarget(cond.loss, x, bbr, ideal)} |`);
  }
  return lines.join('\n');
}

/** Issue 20's wall-clock targets: ≥ 1.0× the TCP BBR copy at 1 and 5 % loss; at 15 %, ≥ 2× and ≥ 65 % of the link's rate × (1 − loss). */
function wallTarget(loss, x, bbr, ideal) {
  const factor = { 1: 1, 5: 1, 15: 2 }[loss];
  if (!factor) return 'none set';
  const ok = (b) => (b ? '✓' : '✗');
  const good = x?.ok && x.shaOk;
  const parts = [bbr && Number.isFinite(bbr.mbps) ? `≥ ${factor}× BBR ${ok(good && x.mbps >= factor * bbr.mbps)}` : '≥ BBR: no BBR figure'];
  if (loss === 15) parts.push(`≥ 65 % of ${fmt(ideal, 0)} ${ok(good && x.mbps >= 0.65 * ideal)}`);
  return parts.join(', ');
}

/**
 * --mtu-sweep: the link re-created per MTU (`--mtu` is an `up` option), 100 Mbit/s, 5 ms
 * one-way, 5 % loss. MTU 1500 always runs first: it is the reference the others are judged on.
 */
export async function mtuSweep({ opts, env, tcpSkip, log }) {
  const mtus = [REF_MTU, ...opts.mtus.filter((m) => m !== REF_MTU)];
  log(`-- MTU sweep: linkem ${env.link.name} ${RATE} Mbit/s, 5 ms one-way, ${MTU_LOSS} % loss, ${fmt(opts.mtuSize / MiB, 0)} MiB, MTU ${mtus.join(', ')}`);
  const methods = [tcpMethod('bbr', tcpSkip('bbr')), xferMethod];
  const conds = mtus.map((mtu) => ({ label: String(mtu), mtu }));
  const prepare = (c) => {
    env.link.down();
    env.link.up('--rate', String(RATE), '--delay', '5ms', '--loss', String(MTU_LOSS), '--mtu', String(c.mtu));
  };
  const rows = await runSeries({ env, conds, methods, repeat: opts.repeat, size: opts.mtuSize, prepare, log });
  env.link.down();
  const intro = `**Path MTU** (\`--mtu-sweep\`): ${fmt(opts.mtuSize / MiB, 0)} MiB file b → a, linkem ${RATE} Mbit/s, 5 ms one-way (10 ms RTT), ${MTU_LOSS} % random loss on both directions, link re-created with \`--mtu\` per row (a datagram larger than the MTU leaves as IP fragments, each lost on its own); wall-clock Mbit/s (file bits / start of the sender → receiver exited with the whole file), % of ${RATE} × (1 − ${MTU_LOSS / 100}). *xfer datagram* is what \`xfer send --stats\` reports (– when it prints none); packets/MiB counts IP packets on the data path, so fragmentation shows as a higher count.`;
  return section(intro, mtuTable(rows, methods, opts.cc), { rows, methods, repeat: opts.repeat, head: 'MTU' });
}

function mtuTable(rows, methods, cc) {
  const ideal = RATE * (1 - MTU_LOSS / 100);
  const ref = standing(rows.find((r) => r.cond.mtu === REF_MTU).runs, 'xfer');
  const lines = [`| MTU | TCP BBR copy | xfer (${cc}) | xfer datagram | xfer ÷ own MTU ${REF_MTU} | xfer ÷ BBR copy | link b→a: loss, queue drops, packets/MiB | target |`, '|---|---:|---:|---:|---:|---:|---:|:--|'];
  for (const { cond, runs, link } of rows) {
    const [bbr, x] = ['bbr', 'xfer'].map((k) => standing(runs, k));
    const own = cond.mtu === REF_MTU ? '(reference)' : ratioCell(x, ref);
    const cells = [rateCell(bbr, ideal, methods[0].skip), rateCell(x, ideal), x?.datagram ?? '–', own, ratioCell(x, bbr)];
    lines.push(`| ${cond.label} | ${cells.map(escape).join(' | ')} | ${fmt(link.lossPct, 2)} %, ${link.queueDrops}, ${fmt(link.pktsPerMiB, 0)} | ${mtuTarget(cond.mtu, x, ref, bbr)} |`);
  }
  return lines.join('\n');
}

/** Issue 20's path-MTU targets: ≥ 0.85× xfer's own rate at MTU 1500 and ≥ 1.0× the TCP BBR copy, same run. */
function mtuTarget(mtu, x, ref, bbr) {
  if (mtu === REF_MTU) return 'reference';
  const good = x?.ok && x.shaOk;
  const ok = (b) => (b ? '✓' : '✗');
  const vsRef = ref?.ok ? `≥ 0.85× own ${REF_MTU} ${ok(good && x.mbps >= 0.85 * ref.mbps)}` : `≥ 0.85× own ${REF_MTU}: no reference`;
  const vsBbr = bbr && Number.isFinite(bbr.mbps) ? `≥ 1× BBR ${ok(good && x.mbps >= bbr.mbps)}` : '≥ 1× BBR: no BBR figure';
  return `${vsRef}, ${vsBbr}`;
}

/** A mode's markdown: what ran, its table, and with --repeat every run. */
function section(intro, tableText, { rows, methods, repeat, head }) {
  const runs =
    repeat > 1
      ? [
          '',
          `Each figure above is the median of ${repeat} interleaved runs (a failed or corrupt xfer run stands for its row instead); every run, with the share of CPU time the hypervisor took from this VM during it (/proc/stat "steal"):`,
          '',
          runsTable(rows, methods, head),
        ]
      : [];
  return [intro, '', tableText, ...runs].join('\n');
}
