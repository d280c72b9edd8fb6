// Small binary files that keep block digests (see hashing.ts) across runs: the receiver's
// sidecar beside a partial file, and entries of the hash cache. Layout:
//   "XFS1" | u32 big-endian length of the meta JSON | meta JSON | 32-byte block digests...
// Digests are only ever appended, each after the data it covers was written, so a file cut
// short by a crash still describes a prefix that is really there (a torn last digest is
// ignored). Opened with O_NOFOLLOW: a planted symlink must not redirect these writes.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DIGEST_LEN } from './hashing.js';

const MAGIC = Buffer.from('XFS1');
/** The meta part is a handful of fields; anything bigger is not ours. */
const MAX_META = 4096;
/** 32 bytes per 4 MiB block: 8 MiB of digests would describe a 1 PiB file. */
const MAX_DIGEST_BYTES = 8 * 1024 * 1024;

export type StateMeta = Record<string, unknown>;

export interface StateContent {
  meta: StateMeta;
  /** Whole digests, concatenated. */
  digests: Buffer;
}

/** The content, or null when the file is missing, not a regular file, or not in this format. */
export async function readState(path: string): Promise<StateContent | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size < 8 || st.size > 8 + MAX_META + MAX_DIGEST_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return parseState(buf.subarray(0, bytesRead));
  } catch {
    return null;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export function parseState(buf: Buffer): StateContent | null {
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) return null;
  const n = buf.readUInt32BE(4);
  if (n > MAX_META || 8 + n > buf.length) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return null;
  const rest = buf.subarray(8 + n);
  const whole = rest.length - (rest.length % DIGEST_LEN);
  return { meta: meta as StateMeta, digests: Buffer.from(rest.subarray(0, whole)) };
}

export function encodeState(meta: StateMeta, digests: Uint8Array): Buffer {
  const m = Buffer.from(JSON.stringify(meta));
  if (m.length > MAX_META) throw new RangeError('state meta too large');
  const head = Buffer.alloc(8);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(m.length, 4);
  return Buffer.concat([head, m, digests]);
}

/** Writes a state file from scratch and keeps it open for appending digests. */
export class StateWriter {
  private constructor(private readonly fh: FileHandle, private pos: number) {}

  static async create(path: string, meta: StateMeta, digests: Uint8Array = new Uint8Array(0)): Promise<StateWriter> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const fh = await open(path, flags, 0o600);
    try {
      const body = encodeState(meta, digests);
      await writeAt(fh, body, 0);
      return new StateWriter(fh, body.length);
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  async append(digest: Uint8Array): Promise<void> {
    await writeAt(this.fh, digest, this.pos);
    this.pos += digest.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function writeAt(fh: FileHandle, data: Uint8Array, pos: number): Promise<void> {
  for (let off = 0; off < data.length; ) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, pos + off);
    off += bytesWritten;
  }
}
