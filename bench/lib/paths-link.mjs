// bench/link.mjs --paths (issue 21): xfer against a TCP BBR file copy of the same file on links
// that jitter, reorder and duplicate packets, on a thin return path, and next to a TCP CUBIC
// flow. Wall clock as in --wall: from starting the sender to the receiver's exit with the whole
// file, byte-exact (size and SHA-256).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFile, fmt, sleep } from './link-util.mjs';
import { run, start } from './proc.mjs';
import { median, withSteal } from './runs.mjs';
import { ratioCell, rateCell, runsTable, standing, tcpMethod, xferMethod } from './wall-series.mjs';

const MiB = 1 << 20;
const IPERF_PORT = 5201;
// The CUBIC flow runs this long and xfer (or the BBR copy) joins it this much later: CUBIC has
// left slow start by then, and a 64 MiB transfer at an equal share (~47 Mbit/s) ends well
// before CUBIC does.
const CUBIC_SECS = 25;
const JOIN_AFTER_MS = 3000;
// How often the bytes at the receiver are sampled while a flow shares the link with CUBIC: the
// flow's rate is taken over the time both ran, which may end before the flow does.
const SAMPLE_MS = 200;

const ok = (b) => (b ? '✓' : '✗');
const escape = (s) => String(s).replace(/\|/g, '\\|');

/** Issue 21's targets; x and bbr are the standing runs, conn xfer's parsed --stats. */
const vsBbr = (factor) => (x, bbr) => (bbr && Number.isFinite(bbr.mbps) ? `≥ ${factor}× BBR ${ok(good(x) && x.mbps >= factor * bbr.mbps)}` : `≥ ${factor}× BBR: no BBR figure`);
const atLeast = (mbps) => (x) => `≥ ${mbps} Mbit/s ${ok(good(x) && x.mbps >= mbps)}`;
const spuriousAtMost = (pctOfFile) => (x, _bbr, size) => {
  const b = x?.conn?.spuriousBytes;
  return Number.isFinite(b) ? `spurious ≤ ${pctOfFile} % ${ok((100 * b) / size <= pctOfFile)}` : 'spurious: not printed';
};
const good = (x) => !!(x?.ok && x.shaOk);

/**
 * The cells: `up` is the linkem `up` options (the link is re-created per cell, since
 * `--jitter-reorder` cannot be unset), `loss` the random loss for the ideal rate. Ids select
 * cells with --cells.
 */
const GROUPS = [
  {
    title: 'Jitter and reordering',
    about: '100 Mbit/s, 10 ms each way (20 ms RTT), linkem\'s default 50 ms drop-tail queue, every impairment on both directions',
    size: 64 * MiB,
    base: ['--rate', '100', '--delay', '10ms'],
    cells: [
      { id: 'j1', label: 'jitter ±1 ms, reordering', up: ['--jitter', '1ms', '--jitter-reorder'], loss: 0, targets: [vsBbr(1), spuriousAtMost(2)] },
      { id: 'j2', label: 'jitter ±2 ms, reordering', up: ['--jitter', '2ms', '--jitter-reorder'], loss: 0, targets: [vsBbr(1), spuriousAtMost(2)] },
      { id: 'j2o', label: 'jitter ±2 ms, in order', up: ['--jitter', '2ms'], loss: 0, targets: [] },
      { id: 'r2', label: '`--reorder 2` (2 % skip the delay)', up: ['--reorder', '2'], loss: 0, targets: [atLeast(70), vsBbr(4)] },
      {
        id: 'mix',
        label: '5 % loss + `--reorder 2` + 1 % duplicates + jitter ±2 ms, reordering',
        up: ['--loss', '5', '--reorder', '2', '--duplicate', '1', '--jitter', '2ms', '--jitter-reorder'],
        loss: 5,
        targets: [atLeast(60), vsBbr(6), (x) => `byte-exact ${ok(good(x))}`],
      },
    ],
  },
  {
    title: 'Thin return path',
    // Data flows b -> a, so the return path (ACKs) is a -> b.
    about: '100 Mbit/s b → a (data), 1 Mbit/s a → b (ACKs), 20 ms each way, default 50 ms queues (the 1 Mbit/s one holds its minimum of 10 × 1500 bytes), loss on both directions',
    size: 32 * MiB,
    base: ['--ba-rate', '100', '--ab-rate', '1', '--delay', '20ms'],
    cells: [
      { id: 'thin0', label: '100 / 1 Mbit/s, 0 % loss', up: [], loss: 0, targets: [vsBbr(1)] },
      { id: 'thin1', label: '100 / 1 Mbit/s, 1 % loss', up: ['--loss', '1'], loss: 1, targets: [vsBbr(1)] },
    ],
  },
];

const CUBIC_CELL = { id: 'cubic', up: ['--rate', '100', '--delay', '25ms', '--queue-ms', '50'], size: 64 * MiB };

export const PATH_CELLS = [...GROUPS.flatMap((g) => g.cells.map((c) => c.id)), CUBIC_CELL.id];

/**
 * xfer's --stats figures: the sender's (retransmissions, spurious losses, data packets) and the
 * datagrams the receiver sent, counted whole as bench:sim's paths table does: nearly all are
 * ACK-only, and every one of them takes the return path.
 */
function connStats(r) {
  const s = statsBlock(r.sendText ?? '');
  const rv = statsBlock(r.recvText ?? '');
  if (!s) return null;
  const num = (v) => (v === undefined ? NaN : Number(v));
  const spurious = (s['spurious losses (bytes)'] ?? '').match(/^(\d+) \((\d+)\)$/);
  // A checkout older than the ACK-only count (--xfer DIR) sent next to none from the sender.
  const dataPkts = num(s['packets sent']) - (num(s['ACK-only packets sent']) || 0);
  return {
    retransmitted: num(s['retransmitted bytes']),
    spuriousLosses: spurious ? Number(spurious[1]) : NaN,
    spuriousBytes: spurious ? Number(spurious[2]) : NaN,
    reorder: s['reorder tolerance'] ?? null,
    dataPkts,
    acksPerData: rv ? num(rv['packets sent']) / dataPkts : NaN,
  };
}

/** The "  key  value" lines under `connection stats:` (xfer's --stats, src/cli/report.ts), or null. */
export function statsBlock(text) {
  const i = text.indexOf('connection stats:');
  if (i < 0) return null;
  const out = {};
  for (const line of text.slice(i).split('\n').slice(1)) {
    const m = line.match(/^\s+(\S.*?)\s{2,}(\S.*?)\s*$/);
    if (!m) break;
    out[m[1]] = m[2];
  }
  return out;
}

/** linkem's counters since the last reset: loss, queue drops, duplicates and packets per direction. */
function linkCounters(link) {
  try {
    const j = JSON.parse(link.ctl('stats', link.name, '--json'));
    const dir = (d) => ({ pkts: d.rx_pkts, lost: d.drop_loss + d.drop_ge, queueDrops: d.drop_queue, dups: d.duplicated, reordered: d.reordered });
    return { ba: dir(j.ba), ab: dir(j.ab) };
  } catch {
    return null;
  }
}

/** `repeat` interleaved rounds of every method on the link as it is, each with its counters. */
async function runCell({ env, file, methods, repeat, label, log }) {
  const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
  for (let n = 0; n < repeat; n++) {
    for (const m of methods) {
      if (m.skip) continue;
      env.link.ctl('stats', env.link.name, '--reset');
      const r = await withSteal(() => m.run(env, file));
      const run1 = { ...r, counters: linkCounters(env.link), conn: m.key === 'xfer' ? connStats(r) : null };
      log(`   ${label} ${m.label}${repeat > 1 ? ` (${n + 1}/${repeat})` : ''}: ${describe(run1)}`);
      runs[m.key].push(run1);
    }
  }
  return runs;
}

function describe(r) {
  const status = r.ok ? (r.shaOk ? '' : ' SHA MISMATCH') : ` ${r.partial ? '' : '✗ '}${r.note}`;
  const c = r.conn;
  const spurious = c && Number.isFinite(c.spuriousLosses) ? `, spurious ${c.spuriousLosses} (${fmt(c.spuriousBytes / 1e6, 2)} MB)` : '';
  const conn = c ? `, retx ${fmt(c.retransmitted / 1e6, 1)} MB${spurious}, ACKs/data ${fmt(c.acksPerData, 3)}${c.reorder ? `, tolerance ${c.reorder}` : ''}` : '';
  const k = r.counters;
  const link = k ? `, b→a lost ${k.ba.lost} queue ${k.ba.queueDrops} of ${k.ba.pkts}, a→b queue ${k.ab.queueDrops} of ${k.ab.pkts}` : '';
  return `${fmt(r.mbps, 2)} Mbit/s in ${fmt(r.wallMs / 1000, 2)} s${status}${conn}${link}, steal ${fmt(r.steal, 1)} %`;
}

/** --paths: issue 21's cells (all, or those named by --cells), each group as one table. */
export async function pathsMode({ opts, env, tcpSkip, iperfSkip, log }) {
  const penv = { ...env, recvStats: true };
  const wanted = (id) => !opts.cells || opts.cells.includes(id);
  const methods = [tcpMethod('bbr', tcpSkip('bbr')), xferMethod];
  const parts = [
    `**Real paths** (\`--paths\`, issue 21): file b → a, xfer against a TCP BBR copy (socat) of the same file, interleaved; Mbit/s = file bits / (start of the sender process → receiver exited with the whole file, size and SHA-256 checked).`,
  ];
  for (const g of GROUPS) {
    const cells = g.cells.filter((c) => wanted(c.id));
    if (!cells.length) continue;
    const size = opts.size || g.size;
    const file = await ensureFile(null, size, env.work);
    const rows = [];
    for (const cell of cells) {
      log(`-- paths: ${cell.label} (linkem ${env.link.name} ${[...g.base, ...cell.up].join(' ')}), ${fmt(size / MiB, 0)} MiB`);
      env.link.up(...g.base, ...cell.up);
      rows.push({ cond: cell, runs: await runCell({ env: penv, file, methods, repeat: opts.repeat, label: cell.id, log }) });
      env.link.down();
    }
    parts.push('', `*${g.title}*: ${fmt(size / MiB, 0)} MiB, ${g.about}.`, '', cellTable(rows, methods, opts.cc, size));
    if (opts.repeat > 1) parts.push('', `Medians of ${opts.repeat} interleaved runs (a failed or corrupt xfer run stands for its row); every run [steal %]:`, '', runsTable(rows, methods, 'link'));
  }
  // The notes explain the cell tables' columns; the CUBIC table says what its own are.
  if (parts.length > 1) parts.push('', NOTES);
  if (wanted(CUBIC_CELL.id)) parts.push('', await cubicSection({ opts, env: penv, methods, iperfSkip, log }));
  return parts.join('\n');
}

const NOTES = [
  '*retransmitted* is `xfer send --stats`\' retransmitted bytes (% of the file); *spurious* its spurious losses (packets declared lost and then',
  'acknowledged) with the stream bytes they carried; *ACKs / data packet* is the datagrams the receiver sent (`xfer recv --stats`, nearly',
  'all ACK-only) per data datagram the sender sent. The link columns are linkem\'s counters (`linkem stats --json`) over the xfer run that stands for the row:',
  'packets lost to random loss and dropped at the full queue on the data path (b → a), and queue drops on the return path (a → b).',
].join('\n');

function cellTable(rows, methods, cc, size) {
  const lines = [
    `| link | xfer (${cc}) | TCP BBR copy | xfer ÷ BBR | retransmitted | spurious: losses, bytes | ACKs / data packet | xfer datagram | link b→a: lost, queue drops · a→b queue drops | target |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|:--|',
  ];
  for (const { cond, runs } of rows) {
    const ideal = 100 * (1 - cond.loss / 100);
    const [bbr, x] = ['bbr', 'xfer'].map((k) => standing(runs, k));
    const c = x?.conn;
    const k = x?.counters;
    const cells = [
      cond.label,
      rateCell(x, ideal),
      rateCell(bbr, ideal, methods[0].skip),
      ratioCell(x, bbr),
      c ? `${fmt(c.retransmitted / 1e6, 1)} MB (${fmt((100 * c.retransmitted) / size, 1)} %)` : '–',
      c && Number.isFinite(c.spuriousLosses) ? `${c.spuriousLosses}, ${fmt(c.spuriousBytes / 1e6, 2)} MB (${fmt((100 * c.spuriousBytes) / size, 2)} %)` : '–',
      c ? fmt(c.acksPerData, 3) : '–',
      x?.datagram ?? '–',
      k ? `${k.ba.lost} (${fmt((100 * k.ba.lost) / Math.max(1, k.ba.pkts), 2)} %), ${k.ba.queueDrops} · ${k.ab.queueDrops}` : '–',
      cond.targets.length ? cond.targets.map((t) => t(x, bbr, size)).join(', ') : 'none set',
    ];
    lines.push(`| ${cells.map(escape).join(' | ')} |`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------ next to a CUBIC flow

/** Bytes under `path` (a file, or a directory's files, hidden ones included), 0 when absent. */
function bytesAt(path) {
  try {
    if (!existsSync(path)) return 0;
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    return readdirSync(path).reduce((n, e) => n + bytesAt(join(path, e)), 0);
  } catch {
    return 0; // a file renamed or removed between listing and stat
  }
}

/** Samples the bytes under `path` every SAMPLE_MS until stop(), which returns [{ t, bytes }]. */
function sampler(path) {
  const samples = [];
  const timer = setInterval(() => samples.push({ t: performance.now(), bytes: bytesAt(path) }), SAMPLE_MS);
  return () => (clearInterval(timer), samples);
}

/** Bytes the flow had delivered at time t: the whole file after it finished, else interpolated from samples. */
function deliveredAt(t, r, samples, size) {
  const end = r.startedAt + r.wallMs;
  if (r.ok && t >= end) return size;
  const pts = [{ t: r.startedAt, bytes: 0 }, ...samples.filter((s) => s.t > r.startedAt)];
  let prev = pts[0];
  for (const p of pts) {
    if (p.t >= t) return prev.bytes + ((p.bytes - prev.bytes) * (t - prev.t)) / Math.max(1e-9, p.t - prev.t);
    prev = p;
  }
  return prev.bytes;
}

/**
 * One run: iperf3 CUBIC b -> a for CUBIC_SECS, `method` joining it JOIN_AFTER_MS later. Both rates
 * are taken over the time both ran. iperf3 3.12's -J intervals count from its test start,
 * which comes after the connection set-up: the bench places it halfway through the time the
 * client process spent beyond the test (set-up and the results exchange take a few round trips each).
 */
async function besideCubic(env, method, file) {
  const server = start(...env.link.inNs('a', ['iperf3', '-s', '-1', '-B', env.aIp, '-p', String(IPERF_PORT)]));
  try {
    if (!(await env.link.waitListening('t', IPERF_PORT, 10_000))) return { ok: false, note: 'iperf3 server did not start' };
    env.link.ctl('stats', env.link.name, '--reset');
    const spawnedAt = performance.now();
    const client = run(...env.link.inNs('b', ['iperf3', '-c', env.aIp, '-p', String(IPERF_PORT), '-t', String(CUBIC_SECS), '-C', 'cubic', '-J', '-i', '1', '--connect-timeout', '10000']), { timeoutMs: (CUBIC_SECS + 60) * 1000 });
    await sleep(JOIN_AFTER_MS);
    const path = join(env.work, method.key === 'xfer' ? 'out' : 'tcp.out');
    const stop = sampler(path);
    const r = await withSteal(() => method.run(env, file));
    const samples = stop();
    const c = await client;
    const counters = linkCounters(env.link);
    let j;
    try {
      j = JSON.parse(c.stdout);
    } catch {
      return { ...r, ok: false, counters, note: `iperf3 ${c.timedOut ? 'timed out' : `failed (${c.code})`}` };
    }
    if (j.error) return { ...r, ok: false, counters, note: `iperf3: ${j.error}` };
    const dur = j.end.sum_sent.end * 1000;
    const testStart = spawnedAt + Math.max(0, c.ms - dur) / 2;
    const os = Math.max(r.startedAt, testStart);
    const oe = Math.min(r.startedAt + r.wallMs, testStart + dur);
    if (!(oe > os)) return { ...r, ok: false, counters, note: 'the flow and CUBIC did not overlap' };
    let cubicBytes = 0;
    for (const iv of j.intervals) {
      const s = testStart + iv.sum.start * 1000;
      const e = testStart + iv.sum.end * 1000;
      cubicBytes += (iv.sum.bytes * Math.max(0, Math.min(e, oe) - Math.max(s, os))) / Math.max(1e-9, e - s);
    }
    const flowBytes = deliveredAt(oe, r, samples, file.size) - deliveredAt(os, r, samples, file.size);
    const flowMbps = (flowBytes * 8) / ((oe - os) * 1000);
    const cubicMbps = (cubicBytes * 8) / ((oe - os) * 1000);
    const outlasted = r.startedAt + r.wallMs - (testStart + dur);
    return {
      ...r,
      counters,
      conn: method.key === 'xfer' ? connStats(r) : null,
      flowMbps,
      cubicMbps,
      overlapS: (oe - os) / 1000,
      share: flowMbps / ((flowMbps + cubicMbps) / 2),
      cubicWholeMbps: j.end.sum_received.bits_per_second / 1e6,
      cubicRetx: j.end.sum_sent.retransmits,
      outlastedS: outlasted > 0 ? outlasted / 1000 : 0,
      cubicRan: j.end.sender_tcp_congestion ?? j.start?.test_start?.congestion ?? null,
    };
  } finally {
    await server.stop();
  }
}

async function cubicSection({ opts, env, methods, iperfSkip, log }) {
  const size = opts.size || CUBIC_CELL.size;
  const intro = `*Next to one TCP CUBIC flow*: linkem 100 Mbit/s, 25 ms each way (50 ms RTT), 50 ms drop-tail queue (\`--queue-ms 50\`); \`iperf3 -C cubic\` b → a for ${CUBIC_SECS} s, then, ${JOIN_AFTER_MS / 1000} s in, a ${fmt(size / MiB, 0)} MiB transfer b → a. Both rates are over the time both ran (from starting the sender to the end of the transfer or of CUBIC's ${CUBIC_SECS} s, whichever came first): the flow's from the bytes at the receiver, CUBIC's from iperf3's 1 s intervals (sender side); *÷ equal share* = the flow's rate ÷ half of what both got (issue 21: 0.8–1.25× for xfer).`;
  if (iperfSkip) return `${intro}\n\nSkipped: ${iperfSkip}.`;
  const file = await ensureFile(null, size, env.work);
  log(`-- paths: next to CUBIC (linkem ${env.link.name} ${CUBIC_CELL.up.join(' ')}), ${fmt(size / MiB, 0)} MiB`);
  env.link.up(...CUBIC_CELL.up);
  // xfer first, then the reference: the order of the other cells' runs.
  const order = [methods[1], methods[0]].filter((m) => !m.skip);
  const runs = Object.fromEntries(order.map((m) => [m.key, []]));
  for (let n = 0; n < opts.repeat; n++) {
    for (const m of order) {
      const r = await besideCubic(env, m, file);
      log(`   cubic ${m.label}${opts.repeat > 1 ? ` (${n + 1}/${opts.repeat})` : ''}: ${describe(r)}; over ${fmt(r.overlapS, 1)} s: flow ${fmt(r.flowMbps, 1)}, CUBIC ${fmt(r.cubicMbps, 1)} Mbit/s, ÷ share ${fmt(r.share, 2)}${r.outlastedS ? `, outlasted CUBIC by ${fmt(r.outlastedS, 1)} s` : ''}`);
      runs[m.key].push(r);
    }
  }
  env.link.down();
  const lines = [
    '| flow next to CUBIC | flow Mbit/s while both ran | CUBIC Mbit/s meanwhile | both ran | ÷ equal share | whole transfer (wall clock) | CUBIC over its run, retransmits | xfer retransmitted, spurious | link b→a: queue drops | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|:--|',
  ];
  for (const m of order) {
    const rs = runs[m.key];
    const bad = m.key === 'xfer' ? rs.find((r) => !Number.isFinite(r.share) || !r.ok || !r.shaOk) : null;
    const r = bad ?? median(rs, (v) => v.share);
    const label = m.key === 'xfer' ? `xfer (${opts.cc})` : `${m.label} (reference)`;
    const c = r.conn;
    const target = m.key === 'xfer' ? `0.8–1.25× ${ok(good(r) && r.share >= 0.8 && r.share <= 1.25)}` : 'reference';
    const cells = [
      label,
      fmt(r.flowMbps, 1),
      fmt(r.cubicMbps, 1),
      `${fmt(r.overlapS, 1)} s${r.outlastedS ? ` (flow outlasted CUBIC by ${fmt(r.outlastedS, 1)} s)` : ''}`,
      `${fmt(r.share, 2)}×`,
      rateCell(r, 100),
      `${fmt(r.cubicWholeMbps, 1)}${r.cubicRan && r.cubicRan !== 'cubic' ? ` (ran ${r.cubicRan})` : ''}, ${r.cubicRetx ?? '–'}`,
      c ? `${fmt(c.retransmitted / 1e6, 1)} MB, ${Number.isFinite(c.spuriousBytes) ? `${fmt(c.spuriousBytes / 1e6, 2)} MB` : '–'}` : '–',
      r.counters ? String(r.counters.ba.queueDrops) : '–',
      target,
    ];
    lines.push(`| ${cells.map(escape).join(' | ')} |`);
  }
  const every =
    opts.repeat > 1
      ? ['', `Medians by ÷ equal share of ${opts.repeat} runs (a failed or corrupt xfer run stands for its row); every run, flow / CUBIC Mbit/s [steal %]:`, '', ...order.map((m) => `- ${m.label}: ${runs[m.key].map((r) => `${fmt(r.flowMbps, 1)} / ${fmt(r.cubicMbps, 1)}${r.ok ? '' : ' ✗'} [${fmt(r.steal, 1)}]`).join(', ')}`)]
      : [];
  return [intro, '', ...lines, ...every].join('\n');
}
