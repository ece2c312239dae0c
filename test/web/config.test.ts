import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../src/app/config.js';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-webcfg-'));
});
after(() => rm(cwd, { recursive: true, force: true }));

test('the web limits default to 25 MB, 50 megapixels and 10 uploads a minute, with no operator API', () => {
  const c = loadConfig({}, { cwd });
  assert.deepEqual(c.web, {
    adminToken: undefined,
    maxUploadBytes: 25 * 1024 * 1024,
    maxUploadPixels: 50_000_000,
    uploadRateLimit: 10,
    trustProxy: false,
  });
});

test('the web limits and the admin token come from the environment; the token is never printed', () => {
  const c = loadConfig(
    {
      ADMIN_TOKEN: 'correct-horse-battery-staple',
      MAX_UPLOAD_MB: '8',
      MAX_UPLOAD_PIXELS: '20e6',
      UPLOAD_RATE_LIMIT: '3',
      TRUST_PROXY: 'yes',
    },
    { cwd },
  );
  assert.deepEqual(c.web, {
    adminToken: 'correct-horse-battery-staple',
    maxUploadBytes: 8 * 1024 * 1024,
    maxUploadPixels: 20_000_000,
    uploadRateLimit: 3,
    trustProxy: true,
  });
  assert.ok(!JSON.stringify(describeConfig(c)).includes('correct-horse'));
});

test('bad web settings are listed together', () => {
  assert.throws(
    () => loadConfig({ ADMIN_TOKEN: 'short', MAX_UPLOAD_MB: '0', UPLOAD_RATE_LIMIT: 'lots' }, { cwd }),
    (err: ConfigError) =>
      /ADMIN_TOKEN: at least 16 characters/.test(err.message) &&
      /MAX_UPLOAD_MB: expected a whole number from 1 to 1024/.test(err.message) &&
      /UPLOAD_RATE_LIMIT: expected a whole number/.test(err.message),
  );
});
