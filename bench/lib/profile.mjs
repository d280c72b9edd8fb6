// V8 .cpuprofile readers shared by bench:sim's loopback line (loopback.ts) and bench:loopback:
// where a real xfer process spends its CPU, by category and by function.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first .cpuprofile in `dir` (one process writes one), parsed; null when there is none. */
export function loadProfile(dir) {
  if (!existsSync(dir)) return null;
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  return f ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : null;
}

// bin/xfer runs an esbuild bundle, whose frames all name one file. esbuild (unminified) heads
// each module's code with a `// src/...` comment, so a frame's line tells its source module.
const markers = new Map();

function moduleMarkers(url) {
  if (!markers.has(url)) {
    let found = [];
    try {
      const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
      found = lines.flatMap((l, i) => (/^\/\/ ((?:src|node_modules)\/\S+)$/.exec(l) ? [[i, l.slice(3)]] : []));
    } catch {
      // gone (rebuilt since the run) or not a file: the frame keeps its url
    }
    markers.set(url, found);
  }
  return markers.get(url);
}

/** The source module of a bundle frame (e.g. `src/core/connection.ts`), or null when not in a bundle. */
function bundledModule(f) {
  if (!f.url.startsWith('file://') || !f.url.includes('/dist/bundle/')) return null;
  const list = moduleMarkers(f.url);
  let hit = null;
  for (const [line, mod] of list) if (line <= (f.lineNumber ?? 0)) hit = mod;
  return hit;
}

/** Sampled time per key of each sample's frame, and the total, so shares sum to 100 %. */
function sampledTime(profile, keyOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!f) return;
    const key = keyOf(f);
    totals.set(key, (totals.get(key) ?? 0) + dt);
    all += dt;
  });
  const shares = [...totals].map(([k, v]) => [k, all > 0 ? (100 * v) / all : 0]);
  return shares.sort((a, b) => b[1] - a[1]);
}

/** Sorts samples of a V8 .cpuprofile into the few places a transfer's time can go. */
export function categorise(profile) {
  return { shares: sampledTime(profile, (f) => category(f.functionName, bundledModule(f) ?? f.url)) };
}

/** `where` is the frame's url, or for bundled code its source module (`src/core/...`). */
function category(fn, where) {
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting for the socket, the disk or the pacer)';
  if (where === 'node:dgram' || where.includes('internal/dgram') || fn === 'doSend') return 'UDP socket calls';
  if (where.includes('internal/crypto/cipher') || fn === 'sealPacket' || /native-cipher\.[jt]s$/.test(where)) return 'AEAD (OpenSSL ChaCha20-Poly1305)';
  if (where.includes('internal/crypto/hash')) return 'SHA-256 of the file';
  if (/(^|\/)(dist|src)\/core\//.test(where)) return 'protocol (core: framing, ACKs, recovery, congestion)';
  if (/(^|\/)(dist|src)\//.test(where)) return 'xfer io/app/cli';
  return 'other (Node internals, file I/O, start-up)';
}

/**
 * The `n` functions with the most self time, as [label, %]: the function and its file:line
 * (1-based, relative to `root`; for bundled code the source module, then the bundle's file:line).
 */
export function topSelf(profile, n, root) {
  const where = (f) => {
    const fn = f.functionName || '(anonymous)';
    if (!f.url) return /^\(/.test(fn) ? fn : `${fn} (native)`;
    const line = f.lineNumber + 1;
    const mod = bundledModule(f);
    if (mod) return `${fn} ${mod} (${basename(fileURLToPath(f.url))}:${line})`;
    const file = f.url.startsWith('file://') ? relative(root, fileURLToPath(f.url)) : f.url;
    return `${fn} ${file}:${line}`;
  };
  return sampledTime(profile, where).slice(0, n);
}
