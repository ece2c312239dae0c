#!/usr/bin/env node
// Runs tests under other Node majors (default 22 and 24, besides the one npm runs), with Node
// binaries from the npm registry's `node` package, so no version manager is needed. The test
// files are a quick cross-section unless TEST_FILES names others; build first (`npm run build`).
import { execFileSync, spawnSync } from 'node:child_process';

const majors = (process.env.NODE_VERSIONS ?? '22,24').split(',').filter(Boolean);
const files =
  process.env.TEST_FILES ??
  'src/core/plan.test.ts,test/cli/make.test.ts,test/web/uploads.test.ts,test/web/gallery-api.test.ts,test/e2e/embedded.test.ts';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = [];
for (const major of majors) {
  const bin = execFileSync(npm, ['exec', '-y', `--package=node@${major}`, '--', 'which', 'node'], {
    encoding: 'utf8',
  }).trim();
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n=== Node ${version}: ${files}`);
  const r = spawnSync(bin, ['scripts/test.mjs', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TEST_FILES: files },
  });
  results.push(`${version}: ${r.status === 0 ? 'pass' : `FAIL (${r.status ?? r.signal})`}`);
}
console.log(`\n${results.join('\n')}`);
process.exit(results.every((r) => r.endsWith('pass')) ? 0 : 1);
