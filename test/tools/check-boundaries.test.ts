import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-boundaries.mjs', import.meta.url));
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'xfer-bounds-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

function run(root: string): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: r.status, lines: r.stderr.split('\n').filter((l) => /^src\//.test(l)) };
}

const CLEAN_CORE = [
  '// Date, setTimeout, process and Buffer in a comment are fine',
  '/* import x from "node:fs"; Math.random() */',
  "import { x } from './x.js';",
  "const s = 'process Date Buffer';",
  'const t = `setTimeout ${x.process} done`;',
  'const re = /Date\'s/;',
  'export const v = s + t + re.source + x.performance;',
  '',
].join('\n');

test('a clean tree passes', () => {
  const root = fixture({
    'src/core/ok.ts': CLEAN_CORE,
    'src/io/udp.ts': "import dgram from 'node:dgram';\nexport const d = dgram;\n",
    'src/app/send.ts': "import { stat } from 'node:fs/promises';\nexport const s = stat;\n",
    'src/cli/main.ts': "import { Command } from 'commander';\nexport const c = Command;\n",
  });
  const r = run(root);
  assert.deepEqual(r.lines, []);
  assert.equal(r.status, 0);
});

test('violations are listed as file:line and fail the run', () => {
  const root = fixture({
    'src/core/bad.ts': [
      "import { readFile } from 'node:fs';", // 1
      "import crypto from 'crypto';", // 2
      'const now = Date.now();', // 3
      'setTimeout(() => {}, 1);', // 4
      'const r = Math . random();', // 5
      'const b = Buffer.from([1]);', // 6
      "const e = process.env['X'];", // 7
      'const p = performance.now();', // 8
      "const m = await import('fs/promises');", // 9
      "export { Command } from 'commander';", // 10
      'setImmediate(() => {}); setInterval(() => {}, 1);', // 11
      '',
    ].join('\n'),
    'src/core/deep/nested.ts': "// fine\nimport ora from 'ora';\n",
    'src/app/ui.ts': "import { MultiBar } from 'cli-progress';\nimport dgram from 'node:dgram';\n",
    'src/io/ui.ts': "\nimport { Command } from 'commander';\n",
  });
  const r = run(root);
  assert.equal(r.status, 1);
  const expected = [
    "src/core/bad.ts:1: imports 'node:fs'",
    "src/core/bad.ts:2: imports 'crypto'",
    "src/core/bad.ts:3: uses 'Date'",
    "src/core/bad.ts:4: uses 'setTimeout'",
    "src/core/bad.ts:5: uses 'Math.random'",
    "src/core/bad.ts:6: uses 'Buffer'",
    "src/core/bad.ts:7: uses 'process'",
    "src/core/bad.ts:8: uses 'performance'",
    "src/core/bad.ts:9: imports 'fs/promises'",
    "src/core/bad.ts:10: imports 'commander'",
    "src/core/bad.ts:11: uses 'setImmediate'",
    "src/core/bad.ts:11: uses 'setInterval'",
    "src/core/deep/nested.ts:2: imports 'ora'",
    "src/app/ui.ts:1: imports 'cli-progress'",
    "src/app/ui.ts:2: imports 'node:dgram'",
    "src/io/ui.ts:2: imports 'commander'",
  ];
  assert.deepEqual([...r.lines].sort(), [...expected].sort());
});

test('the real tree is checked by default', () => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.match(r.stdout + r.stderr, /check-boundaries: (ok|\d+ violation)/);
});
