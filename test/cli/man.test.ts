import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { harness } from './fakes.js';

/** The man page as plain text: roff escapes for '-' and font changes removed. */
function manText(): string {
  return readFileSync(new URL('../../man/xfer.1', import.meta.url), 'utf8')
    .replace(/\\-/g, '-')
    .replace(/\\f[BIRP]/g, '');
}

function longOptions(cmd: Command): string[] {
  const own = cmd.options.map((o) => o.long).filter((l): l is string => typeof l === 'string');
  return [...own, '--help'];
}

/** Long flags as the help screen prints them, so the check covers what users actually see. */
function helpFlags(cmd: Command): string[] {
  return [...cmd.helpInformation().matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]);
}

test('every subcommand and long option is documented in man/xfer.1', () => {
  const man = manText();
  const program = buildProgram(harness().deps);
  const missing: string[] = [];
  const cmds = [program, ...program.commands.filter((c) => c.name() !== 'help')];
  assert.ok(cmds.length >= 4, 'recv, send and pipe exist');
  for (const cmd of cmds) {
    if (cmd !== program && !new RegExp(`\\b${cmd.name()}\\b`).test(man)) missing.push(cmd.name());
    for (const flag of new Set([...longOptions(cmd), ...helpFlags(cmd)])) {
      if (!new RegExp(`${flag}(?![\\w-])`).test(man)) missing.push(`${cmd.name()} ${flag}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the man page lists every exit status and XFER_CODE', () => {
  const man = manText();
  const section = man.slice(man.indexOf('.SH EXIT STATUS'), man.indexOf('.SH ENVIRONMENT'));
  for (const code of Object.values(ExitCode)) {
    assert.match(section, new RegExp(`^\\.B ${code}$`, 'm'), `exit status ${code}`);
  }
  assert.match(man, /\.SH ENVIRONMENT[\s\S]*XFER_CODE/);
  for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'SECURITY', 'EXAMPLES']) assert.match(man, new RegExp(`^\\.SH ${s}$`, 'm'));
});

test('README starts with the fresh-clone commands and lists every exit status', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const first = readme.split('\n').slice(0, 2).map((l) => l.trim());
  assert.deepEqual(first, ['npm ci && npm run demo', 'npm ci && npm test']);
  for (const code of Object.values(ExitCode)) assert.match(readme, new RegExp(`^\\| ${code} \\|`, 'm'), `exit status ${code}`);
});
