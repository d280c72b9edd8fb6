#!/usr/bin/env node
// Builds a single-file executable (Node SEA): bundle the CLI into one CommonJS file with esbuild,
// turn it into a SEA blob, and inject that into a copy of this node binary with postject.
// Output: release/xfer-<platform>-<arch>; intermediates in release/out/.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import postject from 'postject';
import { cliBundleOptions } from './bundle-options.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, 'out');
const bundle = join(outDir, 'xfer.cjs');
const blob = join(outDir, 'xfer.blob');
const seaConfig = join(outDir, 'sea-config.json');
const target = join(here, `xfer-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
// Fixed by Node: the fuse postject flips so the binary looks for the injected blob.
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function step(msg) {
  console.log(`release: ${msg}`);
}

async function bundleCli() {
  step(`bundling src/cli/start.ts -> ${relative(root, bundle)}`);
  const result = await build({
    ...cliBundleOptions(root),
    // A tiny entry: the SEA runs one script, and it must start the CLI itself.
    stdin: {
      contents: "import { start } from './src/cli/start.ts';\nvoid start();\n",
      resolveDir: root,
      sourcefile: 'sea-entry.ts',
      loader: 'ts',
    },
    // SEA only runs CommonJS; esbuild converts the ESM-only dependencies (ora, chalk, noble).
    format: 'cjs',
    outfile: bundle,
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
}

function makeBlob() {
  const config = {
    main: bundle,
    output: blob,
    // Without this every run prints an ExperimentalWarning on stderr.
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
  };
  writeFileSync(seaConfig, `${JSON.stringify(config, null, 2)}\n`);
  step(`writing SEA blob -> ${relative(root, blob)}`);
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
}

function removeSignature(file) {
  // A copied, signed binary would fail verification once modified; Linux binaries are unsigned.
  if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', file], { stdio: 'inherit' });
  if (process.platform === 'win32') {
    try {
      execFileSync('signtool', ['remove', '/s', file], { stdio: 'inherit' });
    } catch {
      step('signtool not found; keeping the signature (the binary may warn)');
    }
  }
}

async function inject() {
  step(`copying ${process.execPath} -> ${relative(root, target)}`);
  rmSync(target, { force: true });
  copyFileSync(process.execPath, target);
  chmodSync(target, 0o755);
  removeSignature(target);
  step('injecting the blob with postject');
  await postject.inject(target, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: FUSE,
    ...(process.platform === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
  if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', target], { stdio: 'inherit' });
  chmodSync(target, 0o755);
}

function smokeTest() {
  const version = execFileSync(target, ['--version'], { encoding: 'utf8', env: {}, cwd: outDir }).trim();
  step(`built ${relative(root, target)} (xfer ${version})`);
}

try {
  mkdirSync(outDir, { recursive: true });
  await bundleCli();
  makeBlob();
  await inject();
  smokeTest();
} catch (err) {
  console.error(`release: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
