import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultServer } from './commands/serve.js';
import { flagName, usageLine } from './parse.js';

test('option names become the flags a person typed', () => {
  assert.equal(flagName('cell'), '--cell');
  assert.equal(flagName('maxUses'), '--max-uses');
  assert.equal(flagName('variantDistance'), '--variant-distance');
});

test("commander's invalid-argument wording reads like every other option error", () => {
  assert.equal(
    usageLine("error: option '--cell <px>' argument 'abc' is invalid. must be a number"),
    '--cell must be a number (got "abc")',
  );
  assert.equal(
    usageLine("error: option '-o, --output <file>' argument 'x' is invalid. must be a file"),
    '--output must be a file (got "x")',
  );
  assert.equal(usageLine("error: unknown option '--sparkles'\n"), "unknown option '--sparkles'");
});

test('submit finds the server on PORT, else GALLERY_URL, else localhost:8000', () => {
  assert.equal(defaultServer({ PORT: '9001', GALLERY_URL: 'https://mosaic.example.org' }), 'http://localhost:9001');
  assert.equal(defaultServer({ GALLERY_URL: 'https://mosaic.example.org' }), 'https://mosaic.example.org');
  assert.equal(defaultServer({}), 'http://localhost:8000');
});
