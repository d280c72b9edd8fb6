import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WireError, decodeFrames, parseHeader } from '../../../src/core/wire/index.js';
import { hex } from './arbitraries.js';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));

interface Sample {
  name: string;
  bytes: Uint8Array;
  expect: string[] | null;
}

function load(name: string): Sample {
  const lines = readFileSync(dir + name, 'utf8').split('\n');
  assert.match(lines[0] ?? '', /^# \S/, `${name} must start with a description comment`);
  const expectLine = lines.find((l) => l.startsWith('# expect:'));
  const body = lines.filter((l) => !l.startsWith('#')).join(' ');
  return { name, bytes: hex(body), expect: expectLine ? expectLine.slice(9).trim().split(/\s+/) : null };
}

/** Header kind plus frame types, the shape `# expect:` lines describe. */
function decodePacket(bytes: Uint8Array): string[] {
  const { header, headerLength } = parseHeader(bytes);
  if (header.form === 'long') return ['long', header.packetType];
  return ['short', ...decodeFrames(bytes.subarray(headerLength)).map((f) => f.type)];
}

const samples = readdirSync(dir).filter((n) => n.endsWith('.hex')).sort().map(load);

describe('seed corpus', () => {
  test('has both verdicts', () => {
    assert.ok(samples.filter((s) => s.name.startsWith('ok-')).length >= 5);
    assert.ok(samples.filter((s) => s.name.startsWith('bad-')).length >= 5);
  });

  for (const s of samples) {
    test(s.name, () => {
      if (s.name.startsWith('ok-')) {
        const got = decodePacket(s.bytes);
        assert.ok(s.expect, 'ok samples need an # expect: line');
        assert.deepEqual(got, s.expect);
      } else {
        assert.ok(s.name.startsWith('bad-'), 'corpus files are named ok-* or bad-*');
        assert.throws(() => decodePacket(s.bytes), WireError);
      }
    });
  }
});
