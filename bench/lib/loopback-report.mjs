// Tables and the RESULTS.md entry of bench:loopback: medians per path and tool, the issue's
// ratios and targets, every run, and the optional CPU profiles.
import { fmt } from './link-util.mjs';
import { categorise, loadProfile, topSelf } from './profile.mjs';

const TOP = 12;
// Busy cores before a run above which other load is reported: the machine figures count it.
const BUSY_CORES = 0.2;

/** Median of `key` over the runs that finished exact (each column on its own); NaN when none did. */
function median(runs, key) {
  const xs = runs.filter((r) => r.ok && r.exact).map(key).filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return NaN;
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

function summary(runs) {
  if (!runs.length) return null;
  const f = (k) => median(runs, (r) => r[k]);
  const datagrams = [...new Set(runs.map((r) => r.datagram ?? '–'))].join(', ');
  return { mbps: f('mbps'), cpu: f('cpu'), steal: f('steal'), procs: f('procs'), own: f('own'), datagrams, exact: runs.every((r) => r.ok && r.exact), n: runs.length };
}

const ratio = (a, b) => (Number.isFinite(a / b) ? `${fmt(a / b, 2)}×` : '–');

/** The issue's target for the path and whether xfer meets it (judged on the medians). */
function target(id, x, s) {
  const speed = x && s ? x.mbps / s.mbps : NaN;
  const cpu = x && s ? x.cpu / s.cpu : NaN;
  const mark = (ok) => (ok ? '✓' : '✗');
  const goal = id === 'lo' ? 'MB/s ≥ scp’s' : '≥ 100 MB/s and ≥ 0.5× scp; CPU ≤ 3× scp';
  // Every copy must be exact: one failed xfer run fails its row whatever the medians say.
  if (x && !x.exact) return [goal, '✗ an xfer run failed'];
  if (id === 'lo') return [goal, Number.isFinite(speed) ? mark(speed >= 1) : '–'];
  const fast = x && Number.isFinite(speed) ? mark(x.mbps >= 100 && speed >= 0.5) : '–';
  return [goal, `${fast} speed, ${Number.isFinite(cpu) ? mark(cpu <= 3) : '–'} CPU`];
}

function mainTable(results) {
  const lines = ['| path | tool | MB/s | CPU-s/GiB, machine | steal s/GiB | CPU-s/GiB, processes | datagram (--stats) | xfer’s own MB/s | exact |', '|---|---|---:|---:|---:|---:|---|---:|:-:|'];
  for (const { path, xfer, scp, cipher, sshError } of results) {
    for (const [tool, runs] of [['xfer', xfer], [`scp (${cipher ?? 'not run'})`, scp]]) {
      const s = summary(runs);
      if (!s) {
        lines.push(`| ${path.label} | ${tool} | – | – | – | – | | | ${sshError ? `skipped: ${sshError}` : ''} |`);
        continue;
      }
      const x = tool === 'xfer';
      lines.push(`| ${path.label} | ${tool} | ${fmt(s.mbps, 1)} | ${fmt(s.cpu, 2)} | ${fmt(s.steal, 2)} | ${fmt(s.procs, 2)} | ${x ? s.datagrams : ''} | ${x ? fmt(s.own, 1) : ''} | ${s.exact ? '✓' : '✗'} |`);
    }
  }
  return lines.join('\n');
}

function ratioTable(results) {
  const lines = ['| path | xfer ÷ scp, MB/s | xfer ÷ scp, CPU (machine) | xfer ÷ scp, CPU (processes) | target (issue 20) | met |', '|---|---:|---:|---:|---|---|'];
  for (const { path, xfer, scp } of results) {
    const x = summary(xfer);
    const s = summary(scp);
    const [goal, met] = target(path.id, x, s);
    lines.push(`| ${path.label} | ${ratio(x?.mbps, s?.mbps)} | ${ratio(x?.cpu, s?.cpu)} | ${ratio(x?.procs, s?.procs)} | ${goal} | ${met} |`);
  }
  return lines.join('\n');
}

function runsTable(results) {
  const lines = ['| path | tool | run | MB/s | wall s | CPU-s/GiB, machine | processes | steal s/GiB | background cores | datagram | own MB/s | exact |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|:-:|'];
  for (const { path, xfer, scp } of results) {
    const all = xfer.map((r, i) => [r, i]).concat(scp.map((r, i) => [r, i]));
    for (const [r, i] of all) {
      const x = r.tool === 'xfer';
      if (!r.ok || !r.exact) {
        lines.push(`| ${path.label} | ${r.tool} | ${i + 1} | ${'| '.repeat(8)}✗ ${(r.note || 'copy differs').replace(/\|/g, '\\|')} |`);
        continue;
      }
      const exact = '✓';
      lines.push(`| ${path.label} | ${r.tool} | ${i + 1} | ${fmt(r.mbps, 1)} | ${fmt(r.wall, 2)} | ${fmt(r.cpu, 2)} | ${fmt(r.procs, 2)} | ${fmt(r.steal, 2)} | ${fmt(r.bg, 2)} | ${x ? (r.datagram ?? '–') : ''} | ${x ? fmt(r.own, 1) : ''} | ${exact} |`);
    }
  }
  return lines.join('\n');
}

function profileText(results, root) {
  const out = [];
  for (const { path, profile } of results) {
    if (!profile) continue;
    out.push(`#### Profile, ${path.label} (one extra xfer run under \`node --cpu-prof\`: ${fmt(profile.run.mbps, 1)} MB/s)`, '');
    for (const [side, dir] of [['sender', profile.send], ['receiver', profile.recv]]) {
      const p = loadProfile(dir);
      if (!p) {
        out.push(`${side}: no profile written`, '');
        continue;
      }
      const items = topSelf(p, TOP, root).map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${fmt(v, 1)} |`);
      const cats = categorise(p).shares.map(([k, v]) => `${k} ${fmt(v, 1)} %`).join(' · ');
      out.push(`${side}, top ${TOP} by self time:`, '', '| function file:line | % |', '|---|---:|', ...items, '', `${side} by category: ${cats}`, '');
    }
  }
  return out.join('\n');
}

function notes(info, results) {
  const n = info.opts.repeat;
  const args = info.opts.xferArgs.join(' ');
  const cipher = results.find((r) => r.cipher)?.cipher;
  return [
    `MB = 10^6 bytes; GiB = 2^30 bytes. ${n > 1 ? `Each figure is the median of ${n} runs (each column on its own; xfer and scp interleaved), over the runs that finished exact. ` : ''}` +
      'Wall clock: xfer from starting `xfer send` (its receiver already listening) to both processes exiting; scp from starting `scp` (sshd already listening) to its exit. ' +
      '*CPU-s/GiB, machine*: the whole machine’s busy time from /proc/stat (user+nice+system+irq+softirq) over that wall time, per GiB moved, as the issue counts it; it includes whatever else ran meanwhile ' +
      '(*background cores*: busy cores in the 0.5 s before each run), and steal is shown apart. ' +
      '*processes*: CPU time of the transferring processes alone (both xfer processes; scp, ssh and the sshd session), which leaves out other load and kernel work charged outside them. ' +
      `*xfer’s own MB/s*: the rate xfer’s summary prints (connection up to last acknowledgement). xfer${args ? ` ran with \`${args}\`` : ''} ` +
      `(cipher: ${process.env.XFER_CIPHER ? `XFER_CIPHER=${process.env.XFER_CIPHER}` : 'default'}); scp used OpenSSH’s default cipher${cipher ? ` (${cipher} negotiated)` : ''}. Source and copies on tmpfs (/dev/shm); every copy checked by size and SHA-256.`,
  ].join('\n');
}

/** A line saying so when other load ran beside the runs, since the machine figures count it. */
function busyWarning(results) {
  const bg = Math.max(...results.flatMap((r) => [...r.xfer, ...r.scp].map((x) => x.bg)).filter(Number.isFinite), 0);
  if (bg < BUSY_CORES) return [];
  return ['', `**Not a quiet machine:** other load kept up to ${fmt(bg, 2)} cores busy just before a run (runs table, *background cores*); the machine CPU figures include it and the rates are lower than on an idle host.`];
}

/** `table`: what the terminal shows; `full`: that plus every run, the profiles and the run's context, for RESULTS.md. */
export function report(results, info) {
  const quoted = info.argv.map((a, i) => (/[\s"']/.test(a) || info.argv[i - 1] === '--xfer-args' ? `"${a}"` : a));
  const cmd = `npm run bench:loopback${quoted.length ? ` -- ${quoted.join(' ')}` : ''}`;
  const size = info.opts.size % 2 ** 20 ? `${info.opts.size} bytes` : `${info.opts.size / 2 ** 20} MiB`;
  const head = [
    `### bench:loopback — ${info.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${cmd}\` · ${size} of random data · Node ${process.version} · ${info.cpu} · wall ${fmt(info.wallS, 0)} s` +
      `${info.opts.xferArgs.length ? ` · xfer send given \`${info.opts.xferArgs.join(' ')}\`` : ''}` +
      `${info.asRoot ? '' : ' · not root: no namespace path'}${info.sshProblem ? ` · no scp: ${info.sshProblem}` : ''}`,
  ];
  const tables = [mainTable(results), '', ratioTable(results), ...busyWarning(results)];
  const profiles = profileText(results, info.root);
  const table = [...head, '', ...tables, '', profiles].join('\n').trimEnd();
  const full = [...head, '', ...tables, '', notes(info, results), '', 'All runs:', '', runsTable(results), '', profiles].join('\n').trimEnd();
  return { table, full };
}
