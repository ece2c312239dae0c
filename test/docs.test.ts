import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../src/core/errors.js';
import { ROOT } from './helpers/cli.js';

test('docs/errors.md documents exactly the error codes the code has', async () => {
  const doc = await readFile(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...ERROR_CODES].sort());
});

test('the README quickstart names the commands that exist', async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  for (const [, script] of readme.matchAll(/npm (?:run )?(start|test|bench|demo|check|build)\b/g)) {
    assert.ok(script in pkg.scripts, `README uses npm ${script}`);
  }
  const ci = await readFile(path.join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /npm test/, 'CI runs the README test command');
});
