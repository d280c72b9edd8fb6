// The documented exit statuses (man/xfer.1, README) and the mapping from failures to them.
import { XferError } from '../app/api.js';
import type { ErrorKind } from '../app/api.js';

export const ExitCode = {
  OK: 0,
  TRANSFER_FAILED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  WRONG_CODE: 4,
  LOCAL_FILE: 5,
  PEER_GONE: 6,
  CANNOT_LISTEN: 7,
  TOO_MANY_ATTEMPTS: 8,
  INTERNAL: 70,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const BY_KIND: Record<ErrorKind, ExitCodeValue> = {
  usage: ExitCode.USAGE,
  unreachable: ExitCode.UNREACHABLE,
  wrong_code: ExitCode.WRONG_CODE,
  bind: ExitCode.CANNOT_LISTEN,
  attempts: ExitCode.TOO_MANY_ATTEMPTS,
  local_file: ExitCode.LOCAL_FILE,
  peer_gone: ExitCode.PEER_GONE,
  transfer_failed: ExitCode.TRANSFER_FAILED,
  interrupted: ExitCode.INTERRUPTED,
  internal: ExitCode.INTERNAL,
};

export function exitCodeForKind(kind: ErrorKind): ExitCodeValue {
  return BY_KIND[kind] ?? ExitCode.INTERNAL;
}

const FILE_ERRNOS = new Set([
  'ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'EMFILE', 'ENFILE', 'ELOOP', 'ENAMETOOLONG', 'EDQUOT', 'EFBIG',
]);

interface SystemErrorLike { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown }

/** Node system errors that escaped the app still deserve a meaningful status. */
function exitCodeForSystemError(e: SystemErrorLike): ExitCodeValue | null {
  if (typeof e.code !== 'string') return null;
  if (e.syscall === 'bind' || e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL') return ExitCode.CANNOT_LISTEN;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') {
    return ExitCode.UNREACHABLE;
  }
  if (FILE_ERRNOS.has(e.code) && (typeof e.path === 'string' || typeof e.syscall === 'string')) return ExitCode.LOCAL_FILE;
  return null;
}

/** One line, no stack: multi-line messages would break the "one error line" promise. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat === '' ? 'unknown error' : flat;
}

/** Maps anything thrown to an exit status and the single message line printed as `xfer: <message>`. */
export function describeFailure(err: unknown): { code: ExitCodeValue; message: string } {
  if (err instanceof XferError) return { code: exitCodeForKind(err.kind), message: oneLine(err.message) };
  if (err instanceof Error) {
    const sys = exitCodeForSystemError(err as SystemErrorLike);
    return { code: sys ?? ExitCode.INTERNAL, message: oneLine(err.message) };
  }
  return { code: ExitCode.INTERNAL, message: oneLine(String(err)) };
}
