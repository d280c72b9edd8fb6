// The sentences for wrong-code reports; io/attempts.ts decides when they come and what they count.
import type { WrongCodeReport } from '../app/api.js';

/**
 * "a peer at 10.0.0.5:40000 tried a wrong code", then
 * "12 more wrong-code attempts from 10.0.0.5:40000 in the last 5 s"
 * ("... from 10.0.0.5:40000 and 3 other addresses ..." when they came from several).
 */
export function wrongCodeWarning(r: WrongCodeReport): string {
  if (!r.more) return `a peer at ${r.peer} tried a wrong code`;
  const what = r.attempts === 1 ? 'wrong-code attempt' : 'wrong-code attempts';
  const others = r.otherPeers === 0 ? '' : ` and ${r.otherPeers} other address${r.otherPeers === 1 ? '' : 'es'}`;
  const seconds = Math.max(1, Math.round(r.spanMs / 1000));
  return `${r.attempts} more ${what} from ${r.peer}${others} in the last ${seconds} s`;
}
