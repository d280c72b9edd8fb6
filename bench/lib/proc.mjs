// Child processes for bench/link.mjs: run-to-completion with a timeout, long-running helpers,
// and a registry so the exit handler can kill whatever is still running (by pid, ours only).
import { spawn } from 'node:child_process';

const children = new Set();

export function killChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Runs a command to completion, killing it (by its own pid) after `timeoutMs`. */
export function run(cmd, args, { timeoutMs = 120_000, input = null } = {}) {
  return new Promise((resolveRun) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (input) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolveRun({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
  });
}

/** Starts a long-running command; the caller stops it with stop(). */
export function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.on('close', (code) => (children.delete(child), r(code))));
  return {
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
