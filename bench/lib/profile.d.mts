// Types for profile.mjs (plain JS, also run by bench:loopback without a build).
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber?: number } }[];
  samples: number[];
  timeDeltas: number[];
}
export interface Breakdown {
  /** Share of sampled time per category, in %, largest first. */
  shares: [string, number][];
}
/** The first .cpuprofile in `dir`, parsed; null when there is none. */
export function loadProfile(dir: string): CpuProfile | null;
/** Sorts samples of a V8 .cpuprofile into the few places a transfer's time can go. */
export function categorise(profile: CpuProfile): Breakdown;
/** The `n` functions with the most self time, as [function file:line, %]. */
export function topSelf(profile: CpuProfile, n: number, root: string): [string, number][];
