/**
 * The only error the wire codecs throw for bad input bytes. Anything else escaping a decoder is
 * a bug; callers catch WireError, count the datagram as malformed and drop it.
 */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}
