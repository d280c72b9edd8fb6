// The contract between src/app (transfer protocol) and src/cli (commander/ora/cli-progress).
// The CLI only calls these functions and maps XferError kinds to exit codes.
import type { FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { WrongCodeReport } from '../io/attempts.js';

export type { WrongCodeReport } from '../io/attempts.js';

export type CongestionName = 'bbr' | 'newreno';

/** Every failure the CLI can report; each maps to one documented exit code (cli/exit-codes.ts). */
export type ErrorKind =
  | 'usage'            // bad arguments
  | 'unreachable'      // host cannot be resolved / no answer within the handshake timeout
  | 'wrong_code'       // peer rejected the code
  | 'attempts'         // listener: --max-attempts failed handshakes, stopped listening
  | 'bind'             // cannot listen: port in use or not permitted
  | 'local_file'       // missing/unreadable source, output dir not writable
  | 'peer_gone'        // idle timeout or peer closed mid-transfer
  | 'transfer_failed'  // connection fine, but one or more items failed
  | 'interrupted'      // Ctrl-C / SIGTERM
  | 'internal';

export class XferError extends Error {
  constructor(readonly kind: ErrorKind, message: string) {
    super(message);
    this.name = 'XferError';
  }
}

/** One item on the wire: a file or the pipe. `key` is unique within a run. */
export interface ItemInfo {
  key: string;
  name: string;
  /** Total bytes when known (files), null for pipes. */
  total: number | null;
}

/** Progress callbacks; the CLI draws them, the app never touches the terminal. */
export interface ProgressSink {
  onPhase(phase: 'resolving' | 'listening' | 'handshake' | 'transferring' | 'closing'): void;
  onItemStart(item: ItemInfo): void;
  /** Cumulative bytes of this item delivered (sender: acknowledged by the peer's stream; receiver: written). */
  onItemProgress(key: string, bytes: number): void;
  onItemDone(key: string): void;
  onItemFailed(key: string, reason: string): void;
  /** The item needed no transfer (identical on the receiver); without it, onItemDone is called. */
  onItemSkipped?(key: string, reason: string): void;
  /** Warnings that are not failures (e.g. the reader of a pipe receiver's output went away). */
  onWarning(message: string): void;
  /** Receiver: wrong-code attempts, the first at once, then merged into one report per interval. */
  onWrongCode(report: WrongCodeReport): void;
}

export interface TransportOptions {
  code: string;
  congestion: CongestionName;
  /** Hard cap on sending rate, bytes/s; 0 = none. */
  rateLimit: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** Largest UDP payload, bytes; 0 or absent = as large as the path allows. */
  maxDatagram?: number;
  /** Listener: failed handshakes accepted before it stops (default 3). */
  maxAttempts?: number;
  progress: ProgressSink;
  /** Aborting it cancels the transfer (Ctrl-C): streams reset, CONNECTION_CLOSE sent. */
  signal: AbortSignal;
}

export interface Endpoint { host: string; port: number }

export interface ItemResult {
  /** Relative path, control characters escaped (safe to print). */
  name: string;
  /** Data bytes that travelled for it in this run (a resumed or skipped file counts less). */
  bytes: number;
  ok: boolean;
  error?: string;
  /** ok without sending: identical on the receiver. */
  skipped?: boolean;
  kind?: 'file' | 'dir' | 'symlink' | 'pipe';
}

export interface TransferSummary {
  /** Failures first-class: every failed item is listed (up to a cap), ok ones only in small runs. */
  items: ItemResult[];
  /** Items by outcome, always complete (the list above may be capped for huge trees). */
  counts?: { sent: number; skipped: number; failed: number; dirs: number; links: number };
  /** Data bytes that travelled in this run. */
  bytes: number;
  elapsedMs: number;
  /** Stats of the connection at the end (for --stats), as formatted key/values. */
  stats: Record<string, string | number>;
}

export interface SendOptions extends TransportOptions {
  remote: Endpoint;
  /** Files and directories (sent recursively) to send. */
  files: string[];
  /** Streams in flight at once (--streams, default 4); many small files share one stream. */
  concurrency: number;
  /** A file whose bytes stop moving for this long fails alone (reset with STALLED); 0 or absent: never. */
  stallTimeoutMs?: number;
  /** Send symbolic links inside directories as links (otherwise they are skipped with a warning). */
  symlinks?: boolean;
  /** false (--no-resume): partial files on the receiver are dropped and sent from the start. */
  resume?: boolean;
  /** Where block digests of big files are kept between runs; null or absent: no cache. */
  hashCacheDir?: string | null;
  /** How big files are read, bytes [start, end); tests inject failing sources here. Default: the file system. */
  readSource?: (path: string, start: number, end: number) => AsyncIterable<Uint8Array>;
}

export interface ReceiveOptions extends TransportOptions {
  listen: Endpoint;
  outDir: string;
  force: boolean;
  keepOpen: boolean;
  /** A file whose data stops arriving for this long fails alone (reset with STALLED); 0 or absent: never. */
  stallTimeoutMs?: number;
  /** fsync each file and its directory before and after the rename (durable, slower). */
  fsync?: boolean;
  /** Where block digests of big received files are kept between runs; null or absent: no cache. */
  hashCacheDir?: string | null;
  /** How files are opened for writing; tests inject failures here. Default: fs.promises.open. */
  openFile?: (path: string, flags: number, mode: number) => Promise<FileHandle>;
  /** Called once the socket is bound (port 0 resolved), before any peer arrives. */
  onListening(addr: Endpoint): void;
}

export interface PipeSendOptions extends TransportOptions { remote: Endpoint; input: Readable }
export interface PipeReceiveOptions extends TransportOptions {
  listen: Endpoint;
  output: Writable;
  onListening(addr: Endpoint): void;
}

/** Implemented in app/send.ts, app/receive.ts, app/pipe.ts; re-exported by app/index.ts. */
export interface AppApi {
  sendFiles(o: SendOptions): Promise<TransferSummary>;
  receiveFiles(o: ReceiveOptions): Promise<TransferSummary>;
  sendPipe(o: PipeSendOptions): Promise<TransferSummary>;
  receivePipe(o: PipeReceiveOptions): Promise<TransferSummary>;
}
