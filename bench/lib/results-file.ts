// bench/RESULTS.md holds one section per benchmark between marker comments, so each bench can
// rewrite its own section without touching the other's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = '# Benchmark results\n\nWritten by the benchmarks themselves (see bench/README.md). Each section is replaced or\nappended by its own bench; edit text outside the markers freely.\n';

function markers(name: string): [string, string] {
  return [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
}

/** Replaces the body of section `name` (creating the file or section when missing). */
export function writeSection(path: string, name: string, body: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const [begin, end] = markers(name);
  const block = `${begin}\n${body.trimEnd()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
