// Pipes: one stream, constant memory. The sender hashes stdin as it goes and appends the
// SHA-256; the receiver writes everything but the last 32 bytes (held back, since it cannot
// know which bytes are the trailer until FIN) and checks them at the end.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppError } from '../core/api.js';
import { ConnectionClosedError, StreamAbort } from '../io/errors.js';
import { connectClient } from '../io/client.js';
import { Listener } from '../io/server.js';
import type { Session } from '../io/session.js';
import type { XferStream } from '../io/stream.js';
import type { TransportDeps } from '../io/transport.js';
import type { ItemResult, PipeReceiveOptions, PipeSendOptions, ProgressSink, TransferSummary } from './api.js';
import { BATCH_VERSION } from './batch.js';
import { ByteReader } from './bytes.js';
import { encodeAnswer, ProtocolError, toHeader, TRAILER_LEN } from './codec.js';
import { connParams, runTransfer, summary, toEndpoint, transferTime } from './run.js';
import { sendItem, SourceError } from './send-item.js';

const KEY = 'pipe';
const NAME = 'stdin';
const CHUNK = 256 * 1024;

export async function sendPipe(deps: TransportDeps, o: PipeSendOptions): Promise<TransferSummary> {
  const session = await connectClient(deps, { ...connParams(o), host: o.remote.host, port: o.remote.port, onPhase: (p) => o.progress.onPhase(p) });
  const t0 = deps.clock();
  let done: number | null = null;
  o.progress.onPhase('transferring');
  const item = await runTransfer(session, o, 'receiver', async () => {
    const s = await session.openStream();
    o.progress.onItemStart({ key: KEY, name: NAME, total: null });
    const header = { v: 1, kind: 'pipe', name: NAME, size: null, mode: 0, mtime: 0 } as const;
    const out = await sendItem(s, header, () => readInput(o.input), (b) => o.progress.onItemProgress(KEY, b));
    if (out.ok) o.progress.onItemDone(KEY);
    else o.progress.onItemFailed(KEY, out.error ?? 'failed');
    done = deps.clock();
    o.progress.onPhase('closing');
    // The receiver's verdict is in and it needs nothing more from us: hang up without waiting a
    // round trip for its close (receiveSession does not depend on ours arriving).
    await session.hangUp(AppError.NONE, 'done');
    return { name: NAME, bytes: out.bytes, ok: out.ok, ...(out.ok ? {} : { error: out.error }) };
  });
  return summary([item], transferTime(t0, done, deps.clock()), session.stats());
}

async function* readInput(input: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of input) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
  } catch (e) {
    throw new SourceError(`cannot read the input: ${(e as Error).message}`);
  }
}

export async function receivePipe(deps: TransportDeps, o: PipeReceiveOptions): Promise<TransferSummary> {
  const listener = await Listener.open(deps, o.listen.host, o.listen.port);
  try {
    o.onListening(toEndpoint(listener.address()));
    o.progress.onPhase('listening');
    const session = await listener.accept({ ...connParams(o), maxAttempts: o.maxAttempts, onWarning: (m) => o.progress.onWarning(m), onWrongCode: (r) => o.progress.onWrongCode(r) });
    const t0 = deps.clock();
    o.progress.onPhase('transferring');
    const items = await runTransfer(session, o, 'sender', () => receiveSession(session, o));
    return summary(items, deps.clock() - t0, session.stats());
  } finally {
    await listener.close();
  }
}

async function receiveSession(session: Session, o: PipeReceiveOptions): Promise<ItemResult[]> {
  const results: Promise<ItemResult>[] = [];
  let answered = false;
  session.on('stream', (s: XferStream) => {
    // One pipe per connection; anything else is refused.
    if (results.length === 0) results.push(receiveData(s, o.output, o.progress).finally(() => (answered = true)));
    else refuseExtra(s);
  });
  const reason = await session.closed;
  // The pipe had its verdict before the connection ended: the sender had nothing more to send.
  const complete = answered;
  const items = await Promise.all(results);
  if (reason.kind === 'peer' && reason.errorCode === AppError.NONE) return items;
  // The sender hangs up once answered, without waiting for our goodbye; its close can be lost.
  if (complete && reason.kind === 'idle_timeout') return items;
  throw new ConnectionClosedError(reason);
}

function refuseExtra(s: XferStream): void {
  s.on('error', () => undefined);
  s.stopReading(AppError.REFUSED);
  s.end(encodeAnswer({ ok: false, error: 'only one pipe per connection' }));
  s.resume();
}

/** Never rejects: the result says how the pipe went. */
async function receiveData(s: XferStream, output: Writable, progress: ProgressSink): Promise<ItemResult> {
  s.on('error', () => undefined);
  const reader = new ByteReader(s);
  const sink = new OutputSink(output);
  progress.onItemStart({ key: KEY, name: NAME, total: null });
  try {
    const v = await reader.framed();
    if ((v as { v?: unknown } | null)?.v === BATCH_VERSION) throw new ProtocolError('this receiver takes a pipe (xfer pipe --listen); send files to xfer recv');
    const h = toHeader(v);
    if (h.kind !== 'pipe') throw new ProtocolError(`expected a pipe, got a ${h.kind}`);
    const hash = createHash('sha256');
    let tail: Buffer = Buffer.alloc(0);
    for (let chunk = await reader.next(CHUNK); chunk; chunk = await reader.next(CHUNK)) {
      const [out, keep] = holdBack(tail, chunk);
      tail = keep;
      if (out.length === 0) continue;
      hash.update(out);
      await sink.write(out);
      progress.onItemProgress(KEY, sink.written);
    }
    await sink.flushed();
    if (tail.length !== TRAILER_LEN) throw new ProtocolError('the data ended before the checksum');
    if (!timingSafeEqual(tail, hash.digest())) throw new ProtocolError('checksum mismatch, the data was corrupted on the way');
    s.end(encodeAnswer({ ok: true }));
    progress.onItemDone(KEY);
    return { name: NAME, bytes: sink.written, ok: true };
  } catch (e) {
    if (e instanceof OutputError && e.code === 'EPIPE') {
      // Our reader stopped reading (`| head -c 100`): its choice, not a failure here. The sender
      // is stopped and told; its exit status says the data did not all arrive.
      s.stopReading(AppError.PIPE_CLOSED);
      if (!s.destroyed) s.end(encodeAnswer({ ok: false, error: `the receiver's output was closed after ${sink.written} bytes` }));
      void reader.discard();
      progress.onWarning(`the output was closed after ${sink.written} bytes; stopped the sender`);
      progress.onItemDone(KEY);
      return { name: NAME, bytes: sink.written, ok: true, kind: 'pipe' };
    }
    const why = e instanceof OutputError ? e.message : `the pipe failed: ${(e as Error).message}`;
    if (e instanceof OutputError || e instanceof ProtocolError) {
      s.stopReading(e instanceof OutputError ? AppError.PIPE_CLOSED : AppError.INTEGRITY);
      if (!s.destroyed) s.end(encodeAnswer({ ok: false, error: why }));
      void reader.discard();
    } else {
      s.destroy(new StreamAbort(AppError.CANCELLED));
    }
    progress.onItemFailed(KEY, why);
    return { name: NAME, bytes: sink.written, ok: false, error: why };
  } finally {
    sink.detach();
  }
}

/** Splits `tail + chunk` into what may be written now and the last TRAILER_LEN bytes. */
export function holdBack(tail: Buffer, chunk: Buffer): [Buffer, Buffer] {
  if (chunk.length >= TRAILER_LEN) {
    const cut = chunk.length - TRAILER_LEN;
    const out = tail.length === 0 ? chunk.subarray(0, cut) : Buffer.concat([tail, chunk.subarray(0, cut)]);
    return [out, chunk.subarray(cut)];
  }
  const all = Buffer.concat([tail, chunk]);
  const cut = Math.max(0, all.length - TRAILER_LEN);
  return [all.subarray(0, cut), all.subarray(cut)];
}

class OutputError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** Backpressured writes to the output (bytes handed over: `written`); EPIPE and the like become OutputError. */
class OutputSink {
  written = 0;
  private failed: Error | null = null;
  private readonly onError = (e: Error): void => {
    this.failed ??= e;
  };

  constructor(private readonly out: Writable) {
    out.on('error', this.onError);
  }

  async write(chunk: Buffer): Promise<void> {
    this.check();
    const more = this.out.write(chunk, (err) => {
      if (err) this.failed ??= err;
    });
    this.written += chunk.length;
    if (!more) await this.drain();
    this.check();
  }

  /** Resolves once the last write was handed to the OS (or failed). */
  async flushed(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.out.writableLength === 0) resolve();
      else this.out.write(Buffer.alloc(0), () => resolve());
    });
    this.check();
  }

  detach(): void {
    this.out.off('error', this.onError);
  }

  private drain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.out.on('error', done);
    });
  }

  private check(): void {
    const e = this.failed ?? (this.out.destroyed ? new Error('closed') : null);
    if (!e) return;
    // A stream destroyed without an error is an output whose reader went away, like EPIPE.
    const code = (e as NodeJS.ErrnoException).code ?? (this.failed ? undefined : 'EPIPE');
    throw new OutputError(`cannot write the output: ${code ?? e.message}`, code);
  }
}
