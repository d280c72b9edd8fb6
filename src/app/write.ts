// Writing to a transport stream with backpressure, as a promise.
import type { XferStream } from '../io/stream.js';

/**
 * Resolves once `s` can take more (at once, or on 'drain'); rejects if the stream is or
 * becomes destroyed. `onAccepted` runs when the transport took these bytes (copied them);
 * `onReleased` runs then or when they were dropped: either way `chunk` may be reused.
 */
export function writeChunk(s: XferStream, chunk: Uint8Array, onAccepted?: () => void, onReleased?: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (s.destroyed) {
      onReleased?.();
      reject(s.errored ?? new Error('stream closed'));
      return;
    }
    const more = s.write(chunk, (err) => {
      if (!err) onAccepted?.();
      onReleased?.();
    });
    if (more) {
      resolve();
      return;
    }
    const settle = (err?: Error | null): void => {
      s.off('drain', onDrain);
      s.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(s.errored ?? new Error('stream closed'));
    s.on('drain', onDrain);
    s.on('close', onClose);
  });
}

/**
 * `p`, or a rejection as soon as `s` closes (stalled, reset, Ctrl-C, connection lost), so a
 * source read that never returns cannot hold an item forever. Not Promise.race against one
 * long-lived "closed" promise: every race would leave a reaction on it holding its result (a
 * data chunk) until the stream closes, which kept a whole file in memory.
 */
export function unlessClosed<T>(s: XferStream, p: Promise<T>): Promise<T> {
  if (s.destroyed) {
    p.catch(() => undefined);
    return Promise.reject(s.errored ?? new Error('stream closed'));
  }
  return new Promise<T>((resolve, reject) => {
    const onClose = (): void => reject(s.errored ?? new Error('stream closed'));
    s.once('close', onClose);
    p.then(
      (v) => {
        s.off('close', onClose);
        resolve(v);
      },
      (e: unknown) => {
        s.off('close', onClose);
        reject(e as Error);
      },
    );
  });
}
