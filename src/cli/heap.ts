// V8 heap settings for a long-running, allocation-heavy transfer process.
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size (about 1 MiB per semi-space) instead of
 * letting it grow to 16 MiB. Every packet allocates a few short-lived objects; with a large
 * young generation the old generation's headroom soon looks small next to it and V8 starts a
 * full mark-compact about every 250 ms (40 per 128 MiB sent, 7-23 ms each, during which the
 * pacer stalls and the link idles). Small, frequent scavenges are cheap here, and the committed
 * heap stays ~30 MB smaller. Measured on the 100 Mbit/s, 50 ms linkem link (128 MiB, 0 % loss):
 * 40 -> 20 mark-compacts, 86.5 -> 88.3 Mbit/s, sender peak RSS 113 -> 98 MB; 100,000-file tree
 * on loopback: sender peak RSS 146-155 -> 119-121 MB.
 *
 * The flag is read whenever the young generation would grow, so setting it at run time works
 * (unlike --max-semi-space-size, which V8 reads only when the heap is created) and also applies
 * inside the standalone binary, which has no way to pass V8 options on its command line.
 */
const SEMI_SPACE = '--semi-space-growth-factor=1';

/**
 * Frees the array buffers a scavenge found dead inside its pause instead of on a background
 * thread. A receiver leaves ~3 bytes of short-lived buffers per byte it takes in (datagram,
 * plaintext, read copy; src/core/flow/README.md) and V8 scavenges every 32 MB of them; when both
 * ends of a transfer and other work share a small host's cores, the background sweeper runs
 * late and the next 32 MB are allocated before the last are freed, so the peak RSS grows.
 * Freeing them inside the pause costs it nothing measurable. V8 reads the flag at every sweep,
 * so setting it at run time works.
 */
const SWEEP_IN_PAUSE = '--no-concurrent-array-buffer-sweeping';

const HEAP_FLAGS = `${SEMI_SPACE} ${SWEEP_IN_PAUSE}`;

export function tuneHeap(): void {
  setFlagsFromString(HEAP_FLAGS);
}
