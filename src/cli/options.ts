// Options shared by every subcommand and their translation into the app's TransportOptions.
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { XferError } from '../app/api.js';
import type { CongestionName } from '../app/api.js';
import type { CliApp } from './context.js';
import { RATE_SYNTAX, parseIntInRange, parseRate, parseSeconds } from './format.js';
import { DEFAULT_CODE_WORDS, MAX_CODE_WORDS } from '../app/code.js';

export interface CommonOpts {
  code?: string;
  quiet?: boolean;
  stats?: boolean;
  cc: CongestionName;
  /** bytes/s, 0 = unlimited */
  rate: number;
  handshakeTimeout: number;
  idleTimeout: number;
  /** Largest UDP payload in bytes; 0 = as large as the path allows. */
  maxDatagram: number;
}

/** Every IP path carries 1200-byte UDP payloads (QUIC's floor); IPv4 UDP carries at most 65507. */
export const MIN_DATAGRAM = 1200;
export const MAX_DATAGRAM = 65_507;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/**
 * Twice the idle timeout: a dead peer ends the whole connection first (exit 6); this catches one
 * file stuck while the connection is alive (a hung source or disk).
 */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** Adapts a parser that throws RangeError to commander, which reports it as a usage error. */
export function argParser<T>(parse: (text: string) => T): (value: string) => T {
  return (value: string) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--code <code>', 'the shared one-time code (default: $XFER_CODE)')
    .option('-q, --quiet', 'no progress or summary output, only errors')
    .option('--stats', 'print connection statistics at the end')
    .addOption(new Option('--cc <algorithm>', 'congestion control').choices(['bbr', 'newreno']).default('bbr'))
    .addOption(
      new Option('--rate <limit>', `cap the sending rate, e.g. 50M (50 Mbit/s), 10MB/s, 500k; 0 = unlimited`)
        .argParser(argParser(parseRate))
        .default(0, '0'),
    )
    .addOption(
      new Option('--handshake-timeout <sec>', 'give up when the peer does not answer within SEC seconds')
        .argParser(argParser(parseSeconds))
        .default(DEFAULT_HANDSHAKE_TIMEOUT_MS, '10'),
    )
    .addOption(
      new Option('--idle-timeout <sec>', 'give up when the peer is silent for SEC seconds mid-transfer')
        .argParser(argParser(parseSeconds))
        .default(DEFAULT_IDLE_TIMEOUT_MS, '30'),
    )
    .addOption(
      new Option('--max-datagram <bytes>', `cap the UDP payload size (${MIN_DATAGRAM}-${MAX_DATAGRAM}); path MTU discovery finds the size up to it`)
        .argParser(argParser((t) => parseIntInRange(t, MIN_DATAGRAM, MAX_DATAGRAM)))
        .default(0, 'what the path allows'),
    );
}

/** --stall-timeout SEC for the file commands; 0 switches the watch off. */
export function stallTimeoutOption(): Option {
  const parse = (text: string): number => (text.trim() === '0' ? 0 : parseSeconds(text));
  return new Option('--stall-timeout <sec>', 'fail a file that makes no progress for SEC seconds; the others go on (0 = never)')
    .argParser(argParser(parse))
    .default(DEFAULT_STALL_TIMEOUT_MS, '60');
}

export const RATE_HELP = `Rate syntax (--rate): ${RATE_SYNTAX}.`;

/**
 * Where block digests of big files are kept between runs (what makes a resume or a skip of a
 * 100 GiB file cheap): $XFER_CACHE_DIR, else $XDG_CACHE_HOME/xfer, else ~/.cache/xfer; an empty
 * XFER_CACHE_DIR turns the cache off.
 */
export function hashCacheDir(env: Readonly<Record<string, string | undefined>>): string | null {
  const own = env['XFER_CACHE_DIR'];
  if (own !== undefined) return own.trim() === '' ? null : own;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'xfer');
  const home = env['HOME'];
  return home ? join(home, '.cache', 'xfer') : null;
}

function userCode(opts: CommonOpts, env: Readonly<Record<string, string | undefined>>): string | null {
  const raw = opts.code ?? env['XFER_CODE'];
  if (raw === undefined) return null;
  const code = raw.trim();
  if (code === '') throw new XferError('usage', opts.code !== undefined ? 'empty --code' : 'XFER_CODE is set but empty');
  return code;
}

/** The connecting side cannot invent a code: it must be the one the listener printed. */
export function senderCode(opts: CommonOpts, env: Readonly<Record<string, string | undefined>>): string {
  const code = userCode(opts, env);
  if (code === null) {
    throw new XferError('usage', 'a code is required: pass --code CODE (printed by the receiver) or set XFER_CODE');
  }
  return code;
}

/** What a listener (recv, pipe --listen) takes beyond the common options. */
export interface ListenerOpts {
  /** Words in a generated code after its number. */
  codeWords: number;
  /** Failed handshakes before the listener stops (exit 8). */
  maxAttempts: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/** --code-words and --max-attempts. */
export function addListenerOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--code-words <n>', `words in a generated code after its number (1-${MAX_CODE_WORDS}; each adds 11 bits)`)
        .argParser(argParser((t) => parseIntInRange(t, 1, MAX_CODE_WORDS)))
        .default(DEFAULT_CODE_WORDS),
    )
    .addOption(
      new Option('--max-attempts <n>', 'stop listening after N failed handshakes (wrong codes), exit 8')
        .argParser(argParser((t) => parseIntInRange(t, 1, 1000)))
        .default(DEFAULT_MAX_ATTEMPTS),
    );
}

/**
 * The listening side generates a code unless the user brought one. A user's code is taken as it
 * is: CPace lets each attempt test one guess only and the listener stops after --max-attempts,
 * so the code needs to resist a handful of online guesses, which no length check can judge.
 */
export function listenerCode(
  opts: CommonOpts & Partial<ListenerOpts>,
  env: Readonly<Record<string, string | undefined>>,
  app: Pick<CliApp, 'newCode'>,
): { code: string; generated: boolean } {
  const code = userCode(opts, env);
  if (code === null) return { code: app.newCode(opts.codeWords ?? DEFAULT_CODE_WORDS), generated: true };
  return { code, generated: false };
}
