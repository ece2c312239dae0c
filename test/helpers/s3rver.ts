import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Storage } from '../../src/adapters/storage/s3.js';
import { ROOT } from './cli.js';
import { accepts, freePort } from './net.js';

/**
 * Starts s3rver, an S3-compatible server, as its own process on a free loopback port. It needs
 * OpenSSL's legacy provider for its listing tokens, which stays out of the test process this way.
 */
export async function startS3rver(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-s3-'));
  const port = await freePort();
  const bin = path.join(ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`s3rver did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill();
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Our S3 adapter pointed at a running s3rver (its default credentials). */
export const s3rverStorage = (endpoint: string, over: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) =>
  new S3Storage({
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    urlExpiry: 3600,
    partSize: 5 * 1024 * 1024,
    ...over,
  });
