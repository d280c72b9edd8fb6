// Shared pieces for app tests: options, a recording progress sink, temp directories.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ItemInfo, ProgressSink, TransportOptions, WrongCodeReport } from '../../src/app/api.js';

export class Recorder implements ProgressSink {
  readonly log: string[] = [];
  readonly started: ItemInfo[] = [];
  readonly done: string[] = [];
  readonly failed: [string, string][] = [];
  readonly warnings: string[] = [];
  readonly wrongCodes: WrongCodeReport[] = [];
  readonly progress = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  onProgressHook: ((key: string, bytes: number) => void) | null = null;

  onPhase(phase: string): void {
    this.log.push(`phase:${phase}`);
  }
  onItemStart(item: ItemInfo): void {
    this.started.push(item);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
  }
  onItemProgress(key: string, bytes: number): void {
    const before = this.progress.get(key) ?? 0;
    if (bytes < before) throw new Error(`progress went backwards for ${key}`);
    this.progress.set(key, bytes);
    this.onProgressHook?.(key, bytes);
  }
  onItemDone(key: string): void {
    this.inFlight--;
    this.done.push(key);
  }
  onItemFailed(key: string, reason: string): void {
    this.inFlight--;
    this.failed.push([key, reason]);
  }
  onWarning(message: string): void {
    this.warnings.push(message);
  }
  onWrongCode(r: WrongCodeReport): void {
    this.wrongCodes.push(r);
  }
  nameOf(key: string): string | undefined {
    return this.started.find((i) => i.key === key)?.name;
  }
}

export function transport(progress: ProgressSink, signal = new AbortController().signal, over: Partial<TransportOptions> = {}): TransportOptions {
  return {
    code: 'test-code',
    congestion: 'newreno',
    rateLimit: 0,
    handshakeTimeoutMs: 2000,
    idleTimeoutMs: 5000,
    progress,
    signal,
    ...over,
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `xfer-${prefix}-`));
}

export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.xfer-part'));
}
