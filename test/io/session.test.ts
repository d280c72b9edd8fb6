import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionEvent, ConnectionHandle, StreamReadResult } from '../../src/core/api.js';
import { Session } from '../../src/io/session.js';
import type { XferStream } from '../../src/io/stream.js';
import type { DatagramPort, PeerAddress } from '../../src/io/network.js';

/**
 * A server connection whose first datagram both completes the handshake and opens stream 1
 * with data, as happens when the client's first packets are lost and its first surviving one
 * already carries a stream: all three events come out of one drain.
 */
function handshakeWithStream(payload: Uint8Array): { conn: ConnectionHandle; port: DatagramPort; deliver: () => void } {
  const events: ConnectionEvent[] = [];
  let unread: StreamReadResult | null = { data: payload, fin: true };
  const partial: Partial<ConnectionHandle> = {
    handleDatagram: () => {
      events.push({ type: 'connected' }, { type: 'stream_opened', id: 1 }, { type: 'stream_readable', id: 1 });
    },
    handleTimeout: () => {},
    pollEvent: () => events.shift() ?? null,
    pollTransmit: () => null,
    pollTimeout: () => null,
    streamRead: () => {
      const r = unread;
      unread = null;
      return r;
    },
    streamStopSending: () => {},
    streamReset: () => {},
    streamFinish: () => {},
    streamWrite: (_id, data) => data.length,
  };
  let handler: ((buf: Uint8Array, from: PeerAddress) => void) | null = null;
  const port: DatagramPort = {
    send: () => {},
    setHandler: (h) => (handler = h),
    address: () => ({ address: '127.0.0.1', port: 1 }),
    close: async () => {},
  };
  return { conn: partial as ConnectionHandle, port, deliver: () => handler?.(new Uint8Array(1), { address: '127.0.0.1', port: 2 }) };
}

test('a stream opened in the datagram that completes the handshake reaches a listener added after `connected`', async () => {
  const payload = new TextEncoder().encode('batch header');
  const { conn, port, deliver } = handshakeWithStream(payload);
  const session = new Session({ conn, port, peer: null, follow: true, clock: () => 0 });
  session.start();
  deliver();
  await session.connected;
  // The app only starts listening now, as the receiver does after accept() resolved.
  const stream = await new Promise<XferStream>((resolve, reject) => {
    session.on('stream', resolve);
    setTimeout(() => reject(new Error('the stream was never handed out')), 500);
  });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'batch header');
});
