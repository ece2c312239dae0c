import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';

export type Running = { child: ChildProcess; log: () => string };

/** Starts `mosaicme <args>` (serve or worker) with only `env` (plus PATH) and waits until it runs. */
export async function startMosaicme(args: string[], env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mosaicme.js'), ...args], {
    // Tests upload many photos from one address; the limit itself is tested in test/web.
    // The AWS SDK's notice that it will drop Node 20 is for operators, not noise in test logs.
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      UPLOAD_RATE_LIMIT: '10000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const end = Date.now() + 60_000;
  while (!log.includes('running:')) {
    if (Date.now() > end || child.exitCode !== null)
      throw new Error(`mosaicme ${args.join(' ')} did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, log: () => log };
}

export type Status = { state: string; percent?: number; reason?: string };

/** A client of one running server's HTTP API. */
export function apiClient(port: number) {
  const api = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${p}`, init);
  const upload = async (photo: Uint8Array, name?: string) => {
    const form = new FormData();
    form.append('photo', new Blob([new Uint8Array(photo)]), 'photo.jpg');
    if (name) form.append('name', name);
    return api('/api/requests', { method: 'POST', body: form });
  };
  /** Uploads and returns the request id. */
  const submit = async (photo: Uint8Array, name?: string) =>
    ((await (await upload(photo, name)).json()) as { id: string }).id;
  const statusOf = async (id: string) => (await (await api(`/api/requests/${id}`)).json()) as Status;
  /** Polls until every request is in one of `states` (or the time is up); returns their states. */
  const waitForAll = async (ids: string[], states = ['done', 'failed'], ms = 120_000): Promise<Status[]> => {
    const end = Date.now() + ms;
    for (;;) {
      const all = await Promise.all(ids.map(statusOf));
      if (all.every((s) => states.includes(s.state)) || Date.now() > end) return all;
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  return {
    port,
    api,
    upload,
    submit,
    statusOf,
    waitForAll,
    waitFor: async (id: string, states?: string[], ms?: number) => (await waitForAll([id], states, ms))[0],
  };
}
