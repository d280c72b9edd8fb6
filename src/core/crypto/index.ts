// Public surface of core/crypto: packet AEAD, the one-time code, the key schedule and the
// handshake bodies.
export * from './aead.js';
export * from './code.js';
export * from './keys.js';
export * from './handshake.js';
export { constantTimeEqual } from './bytes.js';
