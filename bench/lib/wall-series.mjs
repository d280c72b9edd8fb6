// Wall-clock runs for bench/link.mjs's --wall and --mtu-sweep: TCP copies and xfer transfers
// of one file, each timed from starting the sender to the receiver's exit with the file whole.
import { ensureFile, fmt, pct } from './link-util.mjs';
import { median, withSteal } from './runs.mjs';
import { tcpCopy } from './tcp-copy.mjs';
import { xferOnce } from './xfer-run.mjs';

const MiB = 1 << 20;

/** A TCP copy with `cc` as a method of runSeries; `skip` (why it cannot run) leaves it out. */
export function tcpMethod(cc, skip) {
  return { key: cc, label: `TCP ${cc.toUpperCase()} copy`, skip, run: (env, file) => tcpCopy(env, file, cc, env.budgetMs) };
}

/** An xfer transfer as a method of runSeries; its rate is the same wall clock as the copies'. */
export const xferMethod = {
  key: 'xfer',
  label: 'xfer',
  async run(env, file) {
    const r = await xferOnce(env, file.path, file.size, env.budgetMs);
    const mbps = r.ok ? (file.size * 8) / (r.wallMs * 1000) : (r.partialMbps ?? NaN);
    return { ...r, mbps, partial: !!r.timedOut, shaOk: r.ok && r.sha === file.sha };
  },
};

/**
 * For each condition: `prepare(cond)` (set up the link), then `repeat` rounds of every method in
 * order, interleaved so that a slow spell of the host touches all of them alike. Link loss is
 * counted over the xfer runs. Returns [{ cond, runs: { key: [result] }, link }].
 */
export async function runSeries({ env, conds, methods, repeat, size, prepare, log }) {
  const file = await ensureFile(null, size, env.work);
  const rows = [];
  for (const cond of conds) {
    await prepare(cond);
    const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
    let loss = { lost: 0, queueDrops: 0, pkts: 0 };
    for (let n = 0; n < repeat; n++) {
      for (const m of methods) {
        if (m.skip) continue;
        env.link.ctl('stats', env.link.name, '--reset');
        const r = await withSteal(() => m.run(env, file));
        if (m.key === 'xfer') loss = addLoss(loss, env.link.dataPathLoss());
        log(`   ${cond.label} ${m.label}${repeat > 1 ? ` (${n + 1}/${repeat})` : ''}: ${describe(r)}`);
        runs[m.key].push(r);
      }
    }
    rows.push({ cond, runs, link: { lossPct: (100 * loss.lost) / Math.max(1, loss.pkts), queueDrops: loss.queueDrops, pktsPerMiB: loss.pkts / repeat / (size / MiB) } });
  }
  return rows;
}

function addLoss(sum, l) {
  return { lost: sum.lost + (l.lossPct / 100) * l.pkts, queueDrops: sum.queueDrops + l.queueDrops, pkts: sum.pkts + l.pkts };
}

function describe(r) {
  const secs = `${fmt(r.wallMs / 1000, 2)} s${Number.isFinite(r.ms) ? ` (sender exit at ${fmt(r.ms / 1000, 2)} s)` : ''}`;
  const own = r.summary?.match(/\(([\d.]+ [kMG]bit\/s)\)/)?.[1];
  const extra = `${own ? `, xfer's own ${own}` : ''}${r.datagram ? `, datagram ${r.datagram}` : ''}`;
  const status = r.ok ? (r.shaOk ? '' : ' SHA MISMATCH') : r.partial ? ` ${r.note}` : ` ✗ ${r.note}`;
  return `${fmt(r.mbps, 2)} Mbit/s wall, ${secs}${status}${extra}, steal ${fmt(r.steal, 1)} %`;
}

/**
 * The run that stands for a method in a row: a failed or corrupt one if any (a finding whatever
 * the others did), else the median by rate. A TCP copy cut off by the budget is not a failure:
 * its partial rate is its figure. A skipped method has no runs and gives null.
 */
export function standing(runs, key) {
  const rs = runs[key] ?? [];
  if (!rs.length) return null;
  const bad = rs.find((r) => (!r.ok && !(r.partial && key !== 'xfer')) || (r.ok && !r.shaOk));
  return bad ?? median(rs, (r) => r.mbps);
}

/** "81.2 (96 %)", "12.3 (14 %) partial: …", "— ✗ why", or "skipped: why" for a method not run. */
export function rateCell(r, ideal, skip) {
  if (!r) return skip ? `skipped: ${skip}` : '—';
  const v = Number.isFinite(r.mbps) ? `${fmt(r.mbps, r.mbps < 10 ? 2 : 1)} (${pct(r.mbps, ideal)})` : '—';
  if (r.ok) return r.shaOk ? v : `${v} ✗ SHA-256 mismatch`;
  return r.partial ? `${v} ${r.note}` : `${v} ✗ ${r.note}`;
}

/** a ÷ b as "1.23×", with "(vs partial)" when b is a cut-off copy's lower rate; '—' when either is missing. */
export function ratioCell(a, b) {
  if (!a?.ok || !b || !Number.isFinite(b.mbps) || b.mbps <= 0) return '—';
  return `${fmt(a.mbps / b.mbps, 2)}×${b.partial ? ' (vs partial)' : ''}`;
}

/** Every run's wall-clock rate in run order, with the VM's steal time over it in brackets. */
export function runsTable(rows, methods, firstHead) {
  const one = (r) => `${Number.isFinite(r.mbps) ? fmt(r.mbps, r.mbps < 10 ? 2 : 1) : '—'}${r.ok ? '' : r.partial ? ' partial' : ' ✗'}${Number.isFinite(r.steal) ? ` [${fmt(r.steal, 1)}]` : ''}`;
  const shown = methods.filter((m) => !m.skip);
  const lines = [`| ${firstHead} | ${shown.map((m) => `${m.label} runs [steal %]`).join(' | ')} |`, `|---|${shown.map(() => '---|').join('')}`];
  for (const { cond, runs } of rows) lines.push(`| ${cond.label} | ${shown.map((m) => runs[m.key].map(one).join(', ')).join(' | ')} |`);
  return lines.join('\n');
}
