// Types for build.mjs (plain JS, also run by bench:loopback without a build).
/** Runs `npm run build` in `root` when the file bin/xfer loads is missing or older than any src file. */
export function ensureBuild(root: string): void;
