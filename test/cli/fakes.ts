// In-process doubles for the CLI's dependencies: a scriptable app and captured streams.
import { PassThrough, Writable } from 'node:stream';
import type {
  PipeReceiveOptions, PipeSendOptions, ReceiveOptions, SendOptions, TransferSummary,
} from '../../src/app/api.js';
import type { CliApp, CliDeps } from '../../src/cli/context.js';

export class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 100;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

export function summary(items: { name: string; bytes: number; ok?: boolean; error?: string }[], elapsedMs = 1000): TransferSummary {
  const list = items.map((i) => ({ name: i.name, bytes: i.bytes, ok: i.ok ?? true, ...(i.error ? { error: i.error } : {}) }));
  return { items: list, bytes: list.reduce((a, i) => a + i.bytes, 0), elapsedMs, stats: { rttMs: 1.5, packetsLost: 0 } };
}

type Calls = {
  sendFiles: SendOptions[];
  receiveFiles: ReceiveOptions[];
  sendPipe: PipeSendOptions[];
  receivePipe: PipeReceiveOptions[];
};

export interface FakeApp extends CliApp {
  calls: Calls;
  /** What every transfer function does; default: a successful empty summary. */
  behave: (kind: keyof Calls, o: SendOptions | ReceiveOptions | PipeSendOptions | PipeReceiveOptions) => Promise<TransferSummary>;
}

export function fakeApp(): FakeApp {
  const calls: Calls = { sendFiles: [], receiveFiles: [], sendPipe: [], receivePipe: [] };
  const app: FakeApp = {
    calls,
    behave: async () => summary([{ name: 'a', bytes: 10 }]),
    newCode: (words = 3) => ['42', 'amber', 'falcon', 'river', 'stone', 'maple', 'otter', 'lamp', 'cedar'].slice(0, words + 1).join('-'),
    sendFiles: (o) => (calls.sendFiles.push(o), app.behave('sendFiles', o)),
    receiveFiles: (o) => (calls.receiveFiles.push(o), app.behave('receiveFiles', o)),
    sendPipe: (o) => (calls.sendPipe.push(o), app.behave('sendPipe', o)),
    receivePipe: (o) => (calls.receivePipe.push(o), app.behave('receivePipe', o)),
  };
  return app;
}

export interface Harness { deps: CliDeps; app: FakeApp; stdout: Capture; stderr: Capture; controller: AbortController }

export function harness(env: Record<string, string> = {}): Harness {
  const app = fakeApp();
  const stdout = new Capture();
  const stderr = new Capture();
  const controller = new AbortController();
  let t = 0;
  const deps: CliDeps = {
    app,
    env,
    stdin: new PassThrough(),
    stdout,
    stderr,
    signal: controller.signal,
    now: () => (t += 10),
    localAddress: () => '192.0.2.7',
  };
  return { deps, app, stdout, stderr, controller };
}
