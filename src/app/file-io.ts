// The few file operations a receiver needs per file, on a plain file descriptor. fs/promises'
// FileHandle costs a tracked object and noticeably more main-thread time per call; a tree of
// 100,000 small files makes that the bottleneck. FileHandle satisfies the same interface, so
// tests can still inject one (with failures) through ReceiveOptions.openFile.
import { close, fchmod, fstat, fsync, ftruncate, futimes, open, write, type Stats } from 'node:fs';

/** What PartialFile uses of an open file; node's FileHandle has all of it. */
export interface WritableFile {
  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  stat(): Promise<Stats>;
  truncate(len: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  utimes(atime: number, mtime: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export type OpenFile = (path: string, flags: number, mode: number) => Promise<WritableFile>;

/** Opens `path` on a bare descriptor. */
export const openFd: OpenFile = (path, flags, mode) =>
  new Promise((resolve, reject) => open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(new FdFile(fd)))));

/** Runs a callback-style fs call as a promise. */
function call<T = void>(fn: (cb: (err: NodeJS.ErrnoException | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
}

class FdFile implements WritableFile {
  private closed = false;

  constructor(private readonly fd: number) {}

  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return new Promise((resolve, reject) =>
      write(this.fd, buf, offset, length, position, (err, bytesWritten) => (err ? reject(err) : resolve({ bytesWritten }))),
    );
  }

  stat(): Promise<Stats> {
    return call<Stats>((cb) => fstat(this.fd, cb));
  }

  truncate(len: number): Promise<void> {
    return call((cb) => ftruncate(this.fd, len, cb));
  }

  chmod(mode: number): Promise<void> {
    return call((cb) => fchmod(this.fd, mode, cb));
  }

  utimes(atime: number, mtime: number): Promise<void> {
    return call((cb) => futimes(this.fd, atime, mtime, cb));
  }

  sync(): Promise<void> {
    return call((cb) => fsync(this.fd, cb));
  }

  close(): Promise<void> {
    // Once only: a descriptor number is reused by the next open, closing it twice would hit that file.
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return call((cb) => close(this.fd, cb));
  }
}
