// Types for the part of link-util.mjs (plain JS, run by bench:link without a build) that the
// TypeScript benches use.
/** Newest mtime (ms) of any file under `dir`, recursively. */
export function latestMtime(dir: string): number;
