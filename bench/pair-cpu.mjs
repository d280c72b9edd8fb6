#!/usr/bin/env node
// CPU that the protocol core and the packet cipher spend per byte of a bulk transfer, without
// sockets, files or timers: a client and a server Connection in one process, each datagram
// handed straight to the other side, one stream of N MiB. Compares builds (each a tsc output
// directory, default ./dist) in interleaved runs, since a shared host's load swings between
// runs; prints each build's process CPU (min, median) and its median split by side.
//
//   node bench/pair-cpu.mjs [DIST...] [--datagram BYTES] [--mib N] [--runs N] [--cipher openssl|noble]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    datagram: { type: 'string', default: '1400' },
    mib: { type: 'string', default: '64' },
    runs: { type: 'string', default: '5' },
    cipher: { type: 'string', default: 'openssl' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) await child(resolve(positionals[0]), +values.datagram, +values.mib, values.cipher);
else parent(positionals.length > 0 ? positionals : ['dist']);

function parent(dists) {
  const self = fileURLToPath(import.meta.url);
  const runs = new Map(dists.map((d) => [d, []]));
  for (let i = 0; i < +values.runs; i++) {
    for (const d of dists) {
      const args = [self, d, '--child', '--datagram', values.datagram, '--mib', values.mib, '--cipher', values.cipher];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${d}: ${r.stderr}`);
      runs.get(d).push(JSON.parse(r.stdout));
    }
  }
  console.log(`${values.mib} MiB, ${values.datagram}-byte datagrams, ${values.cipher}, ${values.runs} runs`);
  for (const [d, rs] of runs) {
    const med = (k) => median(rs.map((r) => r[k]));
    const cpu = rs.map((r) => r.cpuMs).sort((a, b) => a - b);
    console.log(`${d}: CPU ms min ${cpu[0]} median ${med('cpuMs')} [${cpu.join(' ')}]; in calls: client ${med('clientMs')} server ${med('serverMs')}`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function child(dist, datagram, mib, cipherName) {
  const { Connection } = await import(`${dist}/core/connection.js`);
  const { nativeCipher } = await import(`${dist}/io/native-cipher.js`);
  const { nobleCipher } = await import(`${dist}/core/api.js`);
  const cipher = cipherName === 'noble' ? nobleCipher : nativeCipher;
  const make = (role) => new Connection({
    role, code: '0123456789abcdef0123456789abcdef', random: (n) => new Uint8Array(randomBytes(n)),
    now: performance.now(), cipher, maxDatagramSize: datagram, congestion: 'bbr',
  });
  const sides = { client: make('client'), server: make('server') };
  // The path allows any size up to the cap; discovery still probes up to it, as on loopback.
  for (const c of Object.values(sides)) c.setPathMtu?.(datagram, performance.now());
  const spent = { client: 0, server: 0 };
  const timed = (side, f) => {
    const t = performance.now();
    const r = f(sides[side]);
    spent[side] += performance.now() - t;
    return r;
  };
  const total = mib * 1024 * 1024;
  const src = randomBytes(256 * 1024);
  const wires = { client: [], server: [] };
  let written = 0, got = 0, sid = null, rid = null;
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  const pump = (side, other) => {
    const now = performance.now();
    for (let d = timed(side, (c) => c.pollTransmit(now)); d; d = timed(side, (c) => c.pollTransmit(now))) wires[other].push(d);
    const at = sides[side].pollTimeout();
    if (at !== null && at <= performance.now()) timed(side, (c) => c.handleTimeout(performance.now()));
  };
  while (got < total) {
    pump('client', 'server');
    pump('server', 'client');
    for (const side of ['server', 'client']) {
      for (const d of wires[side].splice(0)) timed(side, (c) => c.handleDatagram(d, performance.now()));
    }
    for (let ev; (ev = sides.client.pollEvent());) if (ev.type === 'connected') sid = sides.client.openStream();
    for (let ev; (ev = sides.server.pollEvent());) if (ev.type === 'stream_opened') rid = ev.id;
    while (sid !== null && written < total) {
      const n = timed('client', (c) => c.streamWrite(sid, src.subarray(0, Math.min(src.length, total - written))));
      written += n;
      if (n < src.length) break;
    }
    for (let r = rid === null ? null : timed('server', (c) => c.streamRead(rid, 256 * 1024)); r && r.data.length > 0; r = timed('server', (c) => c.streamRead(rid, 256 * 1024))) got += r.data.length;
    if (performance.now() - t0 > 300_000) throw new Error(`stuck at ${got} bytes`);
  }
  const u = process.cpuUsage(u0);
  console.log(JSON.stringify({ cpuMs: Math.round((u.user + u.system) / 1000), clientMs: Math.round(spent.client), serverMs: Math.round(spent.server) }));
}
