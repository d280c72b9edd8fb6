// Helpers for end-to-end tests: real `node bin/xfer` processes talking UDP on 127.0.0.1.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createReadStream, existsSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'xfer');

/** The e2e tests run the built CLI; say so plainly instead of failing obscurely. */
export function assertBuilt(): void {
  // bin/xfer runs the bundle; tests import the tsc output beside it.
  for (const f of ['cli/main.js', 'bundle/xfer.mjs']) {
    if (!existsSync(join(ROOT, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
  }
}

export interface Run {
  child: ChildProcess;
  /** Resolves when the process exits (or is killed by the hard timeout). */
  done: Promise<Result>;
  stderr(): string;
  /** Resolves once stderr matches, with the match. */
  waitStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** SHA-256 of everything written to stdout, and its length. */
  stdoutSha256: string;
  stdoutBytes: number;
  ms: number;
}

const live = new Set<ChildProcess>();

/** Kills every child still running; call from after/afterEach so no test leaks processes. */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

export function xfer(args: string[], opts: { timeoutMs?: number; env?: Record<string, string>; stdin?: 'pipe' | 'ignore' } = {}): Run {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...opts.env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let err = '';
  const hash = createHash('sha256');
  let outBytes = 0;
  const watchers = new Set<() => void>();
  child.stdout?.on('data', (b: Buffer) => {
    hash.update(b);
    outBytes += b.length;
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
    watchers.forEach((w) => w());
  });
  const hard = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<Result>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(hard);
      live.delete(child);
      resolve({ code, signal, stderr: err, stdoutSha256: hash.digest('hex'), stdoutBytes: outBytes, ms: performance.now() - started });
    });
  });
  const waitStderr = (re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = err.match(re);
        if (!m) return;
        cleanup();
        resolve(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`stderr never matched ${re} within ${timeoutMs} ms; got:\n${err}`));
      }, timeoutMs);
      const onExit = (): void => {
        check();
        if (watchers.has(check)) {
          cleanup();
          reject(new Error(`process exited before stderr matched ${re}; got:\n${err}`));
        }
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        watchers.delete(check);
        child.off('close', onExit);
      };
      watchers.add(check);
      child.on('close', onExit);
      check();
    });
  return { child, done, stderr: () => err, waitStderr };
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = await bindUdp(0);
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function bindUdp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** A random code (hex), different for every run so tests never share one. */
export function randomCode(): string {
  return randomBytes(16).toString('hex');
}

export function tempDir(prefix = 'xfer-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `size` random bytes in chunks and returns their SHA-256. */
export function writeRandomFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let left = size; left > 0; ) {
      const chunk = randomBytes(Math.min(left, 1 << 20));
      writeSync(fd, chunk);
      hash.update(chunk);
      left -= chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (b) => hash.update(b))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Starts `xfer recv` and waits until it says it listens. */
export async function startReceiver(port: number, code: string, outDir: string, extra: string[] = [], timeoutMs = 60_000): Promise<Run> {
  const r = xfer(['recv', '--listen', `127.0.0.1:${port}`, '--code', code, '--out', outDir, ...extra], { timeoutMs });
  await r.waitStderr(/Listening on \S+:\d+/);
  return r;
}

/**
 * The hooks every e2e file needs: the CLI built, a scratch directory for the file (removed at the
 * end), no xfer process outliving its test. Returns join(scratch, ...parts).
 */
export function e2eScratch(setup?: (at: (...parts: string[]) => string) => void): (...parts: string[]) => string {
  let dir = '';
  const at = (...parts: string[]): string => join(dir, ...parts);
  before(() => {
    assertBuilt();
    dir = tempDir();
    setup?.(at);
  });
  afterEach(killAll);
  after(() => removeDir(dir));
  return at;
}
