// Text from the peer (close reasons, refusal and skip reasons, file names, addresses) as it may
// reach a terminal. A hostile peer must not be able to drive the terminal (escape sequences set
// its title or clear it), print a line of its own (a newline, U+2028), or make what is shown
// read differently from what it is (bidi overrides, invisible characters).

/**
 * Escaped: C0, DEL and C1 controls (\p{Cc}); format characters (\p{Cf}: bidi controls
 * U+061C, U+200E/F, U+202A-E, U+2066-9, zero-width space, word joiner, BOM, soft hyphen...);
 * the line and paragraph separators; lone surrogates. Zero-width (non-)joiners are kept: emoji
 * and Indic names need them, and they can neither move text nor start a line.
 */
const UNSAFE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every character that could act on a terminal or hide written as an escape that
 * reads as itself: `\x1b`, `\x9b`, `\u202e`, `\n`. Everything else is unchanged (a backslash
 * too, so escaping twice changes nothing and a name already escaped can be escaped again).
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.codePointAt(0)!;
  if (code <= 0xff) return `\\x${hex(code, 2)}`;
  if (code <= 0xffff) return `\\u${hex(code, 4)}`;
  return `\\u{${code.toString(16)}}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
