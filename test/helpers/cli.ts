import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'mosaicme.js');

export type Run = { code: number; stdout: string; stderr: string };

/**
 * Runs the real, built `mosaicme` command (npm test builds it first). With `clean`, the command
 * sees only `env` and PATH, as on a machine with nothing configured.
 */
export function mosaicme(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { cwd?: string; clean?: boolean } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: opts.clean ? { PATH: process.env.PATH ?? '', ...env } : { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
