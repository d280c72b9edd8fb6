// What a listener prints so the user can start the other side: address, code, exact command.
import type { Endpoint } from '../app/api.js';
import { formatEndpoint, isWildcardHost } from './endpoint.js';

/** Quotes an argument for a POSIX shell only when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9._:/@%+=,\-[\]]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface BannerInput {
  bound: Endpoint;
  code: string;
  /** 'send' for `xfer recv`, 'pipe' for `xfer pipe --listen`. */
  peerCommand: 'send' | 'pipe';
  /** An address the sender can dial when we listen on a wildcard address. */
  suggestedHost: string | null;
}

export function listenBanner(b: BannerInput): string[] {
  const host = isWildcardHost(b.bound.host) ? (b.suggestedHost ?? 'HOST') : b.bound.host;
  const target = shellQuote(formatEndpoint({ host, port: b.bound.port }));
  const code = shellQuote(b.code);
  const cmd = b.peerCommand === 'send' ? `xfer send FILE... ${target} --code ${code}` : `… | xfer pipe ${target} --code ${code}`;
  return [
    `Listening on ${formatEndpoint(b.bound)} (UDP)`,
    `Code: ${b.code}`,
    'On the sender, run:',
    `  ${cmd}`,
  ];
}
