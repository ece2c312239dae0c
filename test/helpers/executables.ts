import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * The path of a program, from PATH and then `extraDirs` (server packages put theirs in sbin
 * folders, which an ordinary user's PATH often lacks). Throws an error that names what to install:
 * a test that needs a server of its own fails rather than skips when the server is not there.
 */
export function findExecutable(name: string, extraDirs: string[], install: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} was not found (looked in PATH and ${extraDirs.join(', ')}): ${install}`);
}
