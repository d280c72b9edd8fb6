// Helpers for bench/link.mjs and bench/loopback.mjs: test files, RESULTS.md sections, number formatting.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves to null after `ms` without holding the process open: a race's losing timer must not delay its exit. */
export const deadline = (ms) => new Promise((r) => setTimeout(() => r(null), ms).unref());

export function fmt(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

export function pct(x, of) {
  return Number.isFinite(x) && of > 0 ? `${((100 * x) / of).toFixed(x / of < 0.1 ? 1 : 0)} %` : '—';
}

/** Newest mtime (ms) of any file under `dir`. */
export function latestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? latestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function sha256(path) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest('hex');
}

/**
 * A test file of `size` bytes in `dir`, reused when it already exists: with `master` null, random
 * bytes; otherwise the first `size` bytes of master (so every size shares one random source).
 */
export async function ensureFile(master, size, dir) {
  const path = join(dir, master ? `part-${size}.bin` : `random-${size}.bin`);
  if (!existsSync(path) || statSync(path).size !== size) {
    if (master) {
      await pipeline(createReadStream(master.path, { start: 0, end: size - 1 }), createWriteStream(path));
    } else {
      let left = size;
      const source = Readable.from(
        (function* () {
          while (left > 0) {
            const n = Math.min(left, 1 << 20);
            left -= n;
            yield randomBytes(n);
          }
        })(),
      );
      await pipeline(source, createWriteStream(path));
    }
  }
  return { path, size, sha: await sha256(path) };
}

/** Appends `body` inside the marked section `name` of the results file (creating either). */
export function appendSection(path, name, body) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n\nWritten by the benchmarks themselves (see bench/README.md).\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? `${text.slice(0, j).trimEnd()}\n\n${body.trimEnd()}\n${text.slice(j)}`
      : `${text.trimEnd()}\n\n${begin}\n## ${name} runs (newest last)\n\n${body.trimEnd()}\n${end}\n`;
  writeFileSync(path, next);
}
