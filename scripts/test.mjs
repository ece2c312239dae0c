#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 does not expand
// globs itself). Files run one at a time: the e2e files start many processes each. Extra
// arguments go to `node --test`, e.g. `npm test -- --test-name-pattern=plan`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
roots.forEach(walk);
const only = process.env.TEST_FILES?.split(',').filter(Boolean);
const selected = only ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...selected],
  // The AWS SDK's notice that it will drop Node 20 is for operators, not noise in test output.
  { stdio: 'inherit', env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env } },
);
process.exit(r.status ?? 1);
