export { connectClient, type ClientParams } from './client.js';
export { defaultDeps } from './defaults.js';
export { ConnectionClosedError, StreamAbort, StreamResetError, codeName, describeClose } from './errors.js';
export type { DatagramPort, Network, PeerAddress } from './network.js';
export { Listener, type AcceptParams } from './server.js';
export { Session, type SessionOptions } from './session.js';
export { XferStream } from './stream.js';
export type { ConnParams, ConnectionFactory, TransportDeps } from './transport.js';
export { udpNetwork } from './udp.js';
