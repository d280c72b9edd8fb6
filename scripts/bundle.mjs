#!/usr/bin/env node
// Bundles the CLI for bin/xfer (the second half of `npm run build`): src/cli/start.ts and all it
// imports, dependencies included, into dist/bundle/xfer.mjs. Loading one file instead of a few
// hundred modules is most of a fast start. Code behind a dynamic import() becomes a chunk of its
// own (dist/bundle/chunks/), loaded only when that import runs: main.ts behind `--version`, the
// transport behind --help, the progress libraries behind a terminal. meta.json lists which
// source went into which file (test/cli/lazy-load.test.ts reads it).
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cliBundleOptions } from '../release/bundle-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

try {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    ...cliBundleOptions(root),
    entryPoints: { xfer: 'src/cli/start.ts' },
    format: 'esm',
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // commander and cli-progress are CommonJS and require() Node's built-ins; ESM has no require.
    banner: { js: "import { createRequire as __xferRequire } from 'node:module'; const require = __xferRequire(import.meta.url);" },
    metafile: true,
  });
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
} catch (err) {
  console.error(`bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
