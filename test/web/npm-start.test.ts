import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mosaicme, ROOT } from '../helpers/cli.js';
import { accepts, freePort } from '../helpers/net.js';

// A service manager stops `npm start` with SIGTERM to npm itself; the server under it must go too.
test('npm start: says what is off and what is a demo, and SIGTERM to npm stops the server', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-npm-start-'));
  try {
    const made = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '200', '--size', '32']);
    assert.equal(made.code, 0, made.stderr);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: data };
    delete env.ADMIN_TOKEN;
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    npm.stdout.on('data', (d: Buffer) => (log += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      for (const end = Date.now() + 60_000; !log.includes('running:') && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 100));
      assert.ok(await accepts(port), log);
      assert.match(log, /operator view \(\/admin\) is off: set ADMIN_TOKEN/);
      assert.match(log, /generated demo library .*tiles add --remote/);

      const exited = once(npm, 'exit');
      npm.kill('SIGTERM');
      const [code, signal] = (await Promise.race([
        exited,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`npm did not exit: ${log}`)), 20_000)),
      ])) as [number | null, string | null];
      assert.ok(code === 0 || signal === 'SIGTERM', `exit ${code} ${signal}: ${log}`);
      assert.match(log, /stopping: finishing the jobs in hand/);
      assert.equal(await accepts(port), false, 'the server still answers after npm stopped');
    } finally {
      npm.kill('SIGKILL');
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
