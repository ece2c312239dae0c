import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export type Cert = { key: string; cert: string; certFile: string };

let made: Promise<Cert> | undefined;

/**
 * A self-signed certificate for 127.0.0.1, made once per test process with the openssl CLI, for
 * fake servers of networks whose client libraries speak only HTTPS. Clients trust it through
 * `ca`, or a child process through `NODE_EXTRA_CA_CERTS=<certFile>`.
 */
export function localCert(): Promise<Cert> {
  made ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-tls-'));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
  })();
  return made;
}
