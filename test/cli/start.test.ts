import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program.js';
import { isVersionOnly } from '../../src/cli/start.js';
import { VERSION } from '../../src/cli/version.js';
import { harness } from './fakes.js';

test('the --version fast path takes exactly the argv commander answers with the version alone', async () => {
  for (const argv of [['--version'], ['-V']]) {
    assert.ok(isVersionOnly(argv));
    const { deps, stdout, stderr } = harness();
    assert.equal(await runCli(argv, deps), 0);
    assert.equal(stderr.text, '');
    assert.equal(stdout.text, `${VERSION}\n`, 'what start() prints for it');
  }
  for (const argv of [[], ['--help'], ['-V', 'send'], ['send', '--version'], ['--versions'], ['-v']]) assert.ok(!isVersionOnly(argv), argv.join(' '));
});
