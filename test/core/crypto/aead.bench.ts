// Throughput of packet seal/open at a typical payload size. Not a test (no .test.ts suffix);
// run with: node --import tsx test/core/crypto/aead.bench.ts
import { randomBytes } from 'node:crypto';
import { openPayload, sealPayload, type PacketKey } from '../../../src/core/crypto/aead.js';

const PAYLOAD = 1400 - 1 - 8 - 4 - 16;
const key: PacketKey = { key: new Uint8Array(randomBytes(32)), iv: new Uint8Array(randomBytes(12)) };
const aad = new Uint8Array(randomBytes(13));
const plain = new Uint8Array(randomBytes(PAYLOAD));

function run(label: string, seconds: number, fn: (pn: number) => void): void {
  for (let i = 0; i < 2000; i++) fn(i); // warm up the JIT
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let j = 0; j < 100; j++) fn(n++);
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const mbps = (n * PAYLOAD) / secs / 1e6;
  console.log(`${label}: ${mbps.toFixed(1)} MB/s (${(n / secs).toFixed(0)} packets/s, ${PAYLOAD}-byte payloads)`);
}

const sealedByPn: Uint8Array[] = [];
for (let i = 0; i < 256; i++) sealedByPn.push(sealPayload(key, i, aad, plain));

run('seal', 2, (pn) => { sealPayload(key, pn, aad, plain); });
run('open', 2, (pn) => {
  if (openPayload(key, pn & 255, aad, sealedByPn[pn & 255]!) === null) throw new Error('open failed');
});
