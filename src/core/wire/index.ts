// The wire codec: varints, packet headers and frames. Pure functions over Uint8Array.
export * from './errors.js';
export * from './varint.js';
export * from './header.js';
export * from './frame.js';
export * from './frames/padding.js';
export * from './frames/ping.js';
export * from './frames/ack.js';
export * from './frames/reset-stream.js';
export * from './frames/stop-sending.js';
export * from './frames/stream.js';
export * from './frames/max-data.js';
export * from './frames/max-stream-data.js';
export * from './frames/max-streams.js';
export * from './frames/data-blocked.js';
export * from './frames/stream-data-blocked.js';
export * from './frames/connection-close.js';
export * from './frames/handshake-done.js';
