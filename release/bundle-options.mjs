// The esbuild options every bundle of the CLI shares: the ESM bundle bin/xfer runs
// (scripts/bundle.mjs, part of `npm run build`) and the release binary's single CommonJS file
// (release/build.mjs). Each adds its entry, format and output.

/** Options for bundling src/cli with its dependencies, relative to the repo at `root`. */
export function cliBundleOptions(root) {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: false,
    legalComments: 'linked',
    logLevel: 'warning',
  };
}
