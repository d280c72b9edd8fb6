// Errors the io layer raises on streams and sessions. They carry the protocol's numbers so the
// app can tell a refusal from a cancellation without parsing messages.
import { VERSION, describeVersion } from '../core/wire/header.js';
import type { CloseReason } from '../core/api.js';
import { AppError } from '../core/api.js';
import { printable } from './printable.js';

/** The peer reset its sending side (RESET_STREAM) before the end of the data. */
export class StreamResetError extends Error {
  constructor(readonly code: number) {
    super(`the peer abandoned the stream (${codeName(code)})`);
    this.name = 'StreamResetError';
  }
}

/**
 * Passed to `stream.destroy(err)` to abort with a specific application code; any other error
 * (or none) aborts with CANCELLED.
 */
export class StreamAbort extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? `stream aborted (${codeName(code)})`);
    this.name = 'StreamAbort';
  }
}

/** The connection ended while the stream was still in use. */
export class ConnectionClosedError extends Error {
  constructor(readonly reason: CloseReason) {
    super(`connection closed: ${describeClose(reason)}`);
    this.name = 'ConnectionClosedError';
  }
}

const CODE_NAMES = new Map<number, string>(Object.entries(AppError).map(([k, v]) => [v, k.toLowerCase()]));

export function codeName(code: number): string {
  return CODE_NAMES.get(code) ?? `code 0x${code.toString(16)}`;
}

export function describeClose(reason: CloseReason): string {
  switch (reason.kind) {
    case 'local':
    case 'peer':
    case 'protocol_error': {
      const who = reason.kind === 'peer' ? 'by the peer' : reason.kind === 'local' ? 'locally' : 'protocol error';
      // A peer's CONNECTION_CLOSE reason is its text: escaped before it can reach a terminal.
      const why = reason.reason ? `: ${printable(reason.reason)}` : '';
      return `${who} (${codeName(reason.errorCode)})${why}`;
    }
    case 'idle_timeout':
      return 'idle timeout';
    case 'handshake_timeout':
      return 'handshake timeout';
    case 'wrong_code':
      return 'wrong code';
    case 'version_mismatch':
      return `the peer ${speaksOtherVersion(reason.peerVersion)}`;
  }
}

/** The advice every version-mismatch message ends with. */
export const SAME_RELEASE = 'use the same xfer release on both hosts';

/** "speaks xfer protocol 1, this xfer speaks 2": the two versions, as people read them. */
export function speaksOtherVersion(peerVersion: number): string {
  return `speaks xfer protocol ${describeVersion(peerVersion)}, this xfer speaks ${describeVersion(VERSION)}`;
}

/** The code to put in RESET_STREAM / STOP_SENDING for an error a stream was destroyed with. */
export function abortCode(err: Error | null | undefined): number {
  if (err instanceof StreamAbort) return err.code;
  return AppError.CANCELLED;
}
