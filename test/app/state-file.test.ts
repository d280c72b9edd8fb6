import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { symlink, readFile, writeFile, truncate, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeState, parseState, readState, StateWriter } from '../../src/app/state-file.js';
import { tempDir } from './helpers.js';

test('state files round-trip, ignore a torn last digest and reject foreign content', async () => {
  const dir = await tempDir('state');
  const p = join(dir, 's');
  const d = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const w = await StateWriter.create(p, { v: 1, note: 'x' }, d[0]);
  await w.append(d[1]!);
  await w.append(d[2]!);
  await w.close();
  const s = await readState(p);
  assert.deepEqual(s?.meta, { v: 1, note: 'x' });
  assert.ok(s!.digests.equals(Buffer.concat(d)));
  await truncate(p, (await stat(p)).size - 5);
  assert.ok((await readState(p))!.digests.equals(Buffer.concat(d.slice(0, 2))));
  assert.equal(await readState(join(dir, 'missing')), null);
  await writeFile(join(dir, 'junk'), 'not a state file at all');
  assert.equal(await readState(join(dir, 'junk')), null);
  assert.equal(parseState(Buffer.from('XFS1\0\0\0\x05[1,2]')), null);
  assert.equal(parseState(encodeState({ a: 1 }, new Uint8Array(0)).subarray(0, 9)), null);
});

test('a state file is never written through a symlink', async () => {
  const dir = await tempDir('state');
  const victim = join(dir, 'victim');
  await writeFile(victim, 'keep');
  await symlink(victim, join(dir, 'link'));
  await assert.rejects(StateWriter.create(join(dir, 'link'), { v: 1 }), /ELOOP|symbolic/);
  assert.equal(await readFile(victim, 'utf8'), 'keep');
  assert.equal(await readState(join(dir, 'link')), null);
});
