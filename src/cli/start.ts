// What bin/xfer runs (as dist/bundle/xfer.mjs). `xfer --version` alone is answered here, before
// anything else loads; everything else goes to main.ts, which loads only then. The answer is
// commander's own for that argv (test/cli/start.test.ts holds the two to each other).
import { VERSION } from './version.js';

/** argv that asks for the version and nothing else. */
export function isVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

export async function start(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (isVersionOnly(argv)) {
    // A reader that went away (`xfer -V | true`) must not crash the process with a stack trace.
    process.stdout.on('error', () => {});
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { main } = await import('./main.js');
  await main(argv);
}
