#!/usr/bin/env node
// Memory and small-file benchmark (issue 5). Runs the built CLI (`npm run build` first) as two
// real processes over loopback UDP and prints:
//   - peak RSS (VmHWM) of the sender and of the receiver for one big file (default 4 GiB,
//     sparse: it reads as zeros, so the disk is not what is measured) and for a tree of many
//     small files (default 100,000);
//   - the time for that tree, next to `tar c | nc` over TCP loopback on the same tree.
// It prints figures and asserts nothing. Options:
//   --files N      files in the tree (default 100000)
//   --gib N        size of the big file in GiB (default 4)
//   --cc bbr|newreno  congestion control for xfer (default: xfer's default)
//   --skip-big, --skip-tree, --skip-tar
//   --keep         keep the work directory (printed)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, ftruncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when `name` is on PATH (the tar | nc comparison needs nc, which a fresh machine lacks). */
function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'xfer');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const flag = (name) => args.includes(name);
const FILES = opt('--files', 100_000);
const GIB = opt('--gib', 4);
const ccAt = args.indexOf('--cc');
const CC = ccAt >= 0 ? ['--cc', args[ccAt + 1]] : [];

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench/memory: dist/ is missing, run `npm run build` first');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'xfer-membench-'));
const env = { PATH: process.env.PATH ?? '', XFER_CACHE_DIR: join(work, 'cache') };

/** Peak resident set (kB) of a live process, from /proc; null once it is gone. */
function vmHwm(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Spawns a command, polls its peak RSS until it exits. */
function run(cmd, argv, o = {}) {
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: ROOT, env: o.env ?? env, stdio: ['ignore', 'ignore', 'pipe'], shell: o.shell ?? false });
  let stderr = '';
  let peak = 0;
  const watchers = [];
  child.stderr.on('data', (b) => {
    stderr += b.toString();
    for (const w of watchers) w();
  });
  const poll = setInterval(() => {
    const v = vmHwm(child.pid);
    if (v !== null) peak = Math.max(peak, v);
  }, 25);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr, peakMb: peak / 1024, ms: performance.now() - t0 });
    });
  });
  const wait = (re) => new Promise((resolve, reject) => {
    const check = () => {
      const m = stderr.match(re);
      if (m) resolve(m);
    };
    watchers.push(check);
    check();
    done.then(() => reject(new Error(`exited before ${re}: ${stderr}`)));
  });
  return { child, done, wait };
}

async function xferPair(paths, outDir) {
  mkdirSync(outDir, { recursive: true });
  const code = randomBytes(16).toString('hex');
  const recv = run(process.execPath, [BIN, 'recv', '--listen', '127.0.0.1:0', '--out', outDir, '--code', code]);
  const [, port] = await recv.wait(/Listening on \S*:(\d+)/);
  const send = run(process.execPath, [BIN, 'send', ...paths, `127.0.0.1:${port}`, '--code', code, '--stats', ...CC]);
  const [s, r] = await Promise.all([send.done, recv.done]);
  if (s.code !== 0 || r.code !== 0) {
    console.error(`xfer failed: sender ${s.code} receiver ${r.code}\n--- sender\n${s.stderr}\n--- receiver\n${r.stderr}`);
  }
  return { send: s, recv: r, ms: Math.max(s.ms, r.ms) };
}

function freeTcpPort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function tarNc(srcParent, name, outDir) {
  mkdirSync(outDir, { recursive: true });
  const port = await freeTcpPort();
  const t0 = performance.now();
  const recv = run('sh', ['-c', `nc -l 127.0.0.1 ${port} | tar x -C '${outDir}'`]);
  await new Promise((r) => setTimeout(r, 200)); // let nc listen
  const t1 = performance.now();
  const send = run('sh', ['-c', `tar c -C '${srcParent}' '${name}' | nc -N 127.0.0.1 ${port}`]);
  const [s, r] = await Promise.all([send.done, recv.done]);
  if (s.code !== 0 || r.code !== 0) console.error(`tar|nc failed: ${s.stderr} ${r.stderr}`);
  return { ms: performance.now() - t1, setupMs: t1 - t0 };
}

function makeTree(root, n) {
  const pool = randomBytes(1 << 20);
  const perDir = 1000;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const dir = join(root, `d${String(Math.floor(i / perDir)).padStart(4, '0')}`);
    if (i % perDir === 0) mkdirSync(dir, { recursive: true });
    const size = 100 + ((i * 7919) % 3900); // 100..3999 bytes, ~2 KiB on average
    const off = (i * 104729) % (pool.length - size);
    writeFileSync(join(dir, `file-${i}.dat`), pool.subarray(off, off + size));
    bytes += size;
  }
  return bytes;
}

function countTree(root) {
  let files = 0;
  let bytes = 0;
  const visit = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  visit(root);
  return { files, bytes };
}

const mb = (x) => `${x.toFixed(0)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rows = [];

try {
  if (!flag('--skip-big')) {
    const big = join(work, 'big.img');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, GIB * 1024 ** 3);
    closeSync(fd);
    console.error(`big file: ${GIB} GiB (sparse) ...`);
    const r = await xferPair([big], join(work, 'out-big'));
    const got = statSync(join(work, 'out-big', 'big.img')).size;
    rows.push([`${GIB} GiB file`, mb(r.send.peakMb), mb(r.recv.peakMb), s(r.ms), got === GIB * 1024 ** 3 ? 'complete' : `INCOMPLETE (${got})`]);
    rmSync(join(work, 'out-big'), { recursive: true, force: true });
    rmSync(big, { force: true });
  }
  if (!flag('--skip-tree')) {
    const src = join(work, 'src');
    console.error(`tree: generating ${FILES} files ...`);
    const bytes = makeTree(join(src, 'tree'), FILES);
    console.error(`tree: ${(bytes / 2 ** 20).toFixed(1)} MiB; xfer ...`);
    const r = await xferPair([join(src, 'tree')], join(work, 'out-tree'));
    const got = countTree(join(work, 'out-tree', 'tree'));
    const ok = got.files === FILES && got.bytes === bytes;
    rows.push([`${FILES} files (${(bytes / 2 ** 20).toFixed(0)} MiB)`, mb(r.send.peakMb), mb(r.recv.peakMb), s(r.ms), ok ? 'complete' : `INCOMPLETE (${got.files} files)`]);
    if (!flag('--skip-tar') && !hasCommand('nc')) {
      rows.push([`  same tree, tar c | nc (TCP)`, '-', '-', '-', 'skipped: no nc (apt-get install netcat-openbsd)']);
    } else if (!flag('--skip-tar')) {
      console.error('tree: tar c | nc ...');
      const t = await tarNc(src, 'tree', join(work, 'out-tar'));
      const gt = countTree(join(work, 'out-tar', 'tree'));
      rows.push([`  same tree, tar c | nc (TCP)`, '-', '-', s(t.ms), gt.files === FILES ? 'complete' : `INCOMPLETE (${gt.files} files)`]);
    }
  }
} finally {
  if (flag('--keep')) console.error(`work directory kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const head = ['scenario', 'sender peak RSS', 'receiver peak RSS', 'time', 'result'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log(`node ${process.version}, loopback 127.0.0.1, ${CC.length ? CC.join(' ') : 'default congestion control'}; RSS = VmHWM polled every 25 ms`);
