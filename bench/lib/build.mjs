// The benches run the built CLI (bin/xfer loads a file under dist/), so a run on a stale dist
// would measure old code: this rebuilds when that file is missing or older than src.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { latestMtime } from './link-util.mjs';

/** The dist file bin/xfer imports (the bundle or tsc's output, whichever this checkout uses). */
export function builtEntry(root) {
  const bin = readFileSync(join(root, 'bin/xfer'), 'utf8');
  return join(root, /['"]\.\.\/(dist\/[^'"]+)['"]/.exec(bin)?.[1] ?? 'dist/cli/main.js');
}

/** Runs `npm run build` in `root` when the file bin/xfer loads is missing or older than any src file. */
export function ensureBuild(root) {
  const main = builtEntry(root);
  if (existsSync(main) && latestMtime(join(root, 'src')) <= statSync(main).mtimeMs) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}
