import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { PermanentError } from '../../core/errors.js';
import { UsageError, type Io } from '../output.js';

/** `serve` runs every role; `collect` only when a social network is configured. */
const SERVE = ['web', 'intake', 'library', 'engine', 'wall', 'publish', 'cache'];

async function runRoles(io: Io, roles: string[], configFiles?: string[], serve = false): Promise<number> {
  const { loadConfig, ConfigError, hasSocial } = await import('../../app/config.js');
  const { startRoles, ROLES } = await import('../../app/main.js');
  for (const r of roles) {
    if (!(ROLES as readonly string[]).includes(r))
      throw new UsageError(`there is no role ${JSON.stringify(r)}; the roles are ${ROLES.join(', ')}`);
  }
  let config;
  try {
    config = loadConfig(process.env, { configFiles: configFiles?.map((f) => path.resolve(f)) });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  if (serve && hasSocial(config)) roles = [...roles, 'collect'];
  const running = await startRoles(config, roles as (typeof ROLES)[number][], (line) => io.err(line));
  io.err(
    `running: ${roles.join(', ')} (storage ${config.storage.kind}, queue ${config.queue.kind}, cache ${config.cache.kind})`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.err('stopping: finishing the jobs in hand');
  await running.stop();
  return 0;
}

/**
 * Where `submit` finds the server without `--server`: a `PORT` set here means `serve` listens on
 * this machine; else the site's own address, as replies link to it; else `serve`'s default.
 */
export function defaultServer(env: NodeJS.ProcessEnv): string {
  if (env.PORT) return `http://localhost:${env.PORT}`;
  return env.GALLERY_URL || 'http://localhost:8000';
}

export function registerServe(program: Command, io: Io, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('serve')
    .description(
      'run everything in one process: web, intake, library, engine, wall, publish, cache (and collect, with a social network)',
    )
    .option('--config <file...>', "the original's engine.ini or ecsconfig.properties")
    .action((opts: { config?: string[] }) => run(() => runRoles(io, SERVE, opts.config, true)));

  program
    .command('worker')
    .description('run one or more pipeline stages: web, intake, library, engine, wall, publish, cache, collect')
    .argument('<roles...>', 'the roles to run')
    .option('--config <file...>', "the original's engine.ini or ecsconfig.properties")
    .action((roles: string[], opts: { config?: string[] }) => run(() => runRoles(io, roles, opts.config)));

  program
    .command('submit')
    .description(
      'ask a running MosaicMe for a mosaic of a photo (or, with --wall, put it on a live wall), and wait for it',
    )
    .argument('<photo>', 'the photo')
    .option('--name <name>', 'who asks (shown in the gallery)')
    .option('--wall <id>', 'put the photo on this live wall (see `mosaicme wall list`)')
    .option(
      '--server <url>',
      'the MosaicMe server (default: localhost on PORT if set, else GALLERY_URL, else http://localhost:8000)',
    )
    .option('--no-wait', 'return as soon as the request is accepted')
    .action((photo: string, opts: { name?: string; server?: string; wait: boolean; wall?: string }) =>
      run(async () => {
        const server = opts.server ?? defaultServer(process.env);
        const bytes = await readFile(photo).catch(() => {
          throw new PermanentError('UNREADABLE_IMAGE', `${photo}: file not found`);
        });
        const form = new FormData();
        form.append('photo', new Blob([bytes]), path.basename(photo));
        if (opts.name) form.append('name', opts.name);
        const route = opts.wall ? `/api/walls/${encodeURIComponent(opts.wall)}/photos` : '/api/requests';
        const res = await fetch(new URL(route, server), { method: 'POST', body: form }).catch((err: Error) => {
          throw new PermanentError(
            'DOWNLOAD_FAILED',
            `cannot reach ${server} (${err.message}); is MosaicMe running there? Name another with --server <url>`,
          );
        });
        const body = (await res.json()) as { id?: string; message?: string; error?: string };
        if (res.status !== 202 || !body.id) {
          io.err(`mosaicme: ${photo}: ${body.message ?? body.error ?? `server answered ${res.status}`}`);
          return 1;
        }
        io.out(`request ${body.id} accepted`);
        if (!opts.wait) return 0;
        let last = '';
        let told = false;
        for (;;) {
          await new Promise((r) => setTimeout(r, 500));
          const s = (await (await fetch(new URL(`/api/requests/${body.id}`, server))).json()) as {
            state: string;
            percent?: number;
            reason?: string;
            mosaic?: { page_url?: string };
            wall?: { label?: string; url?: string; refused?: string };
          };
          const line = s.state === 'rendering' ? `rendering ${s.percent ?? 0}%` : s.state;
          if (line !== last) io.err((last = line));
          if (s.state === 'done' && s.wall?.label) {
            io.out(`placed at ${s.wall.label}: ${new URL(s.wall.url ?? `/walls/${opts.wall}`, server)}`);
            return 0;
          }
          if (s.wall?.refused && opts.wall && !told && (told = true))
            io.err(`the wall is ${s.wall.refused}: the photo becomes a mosaic instead`);
          if (s.state === 'done') {
            // The mosaic's page (deep zoom, download, share), as the reply links to it.
            io.out(`done: ${new URL(s.mosaic?.page_url ?? `/mosaics/${body.id}`, server)}`);
            return 0;
          }
          if (s.state === 'failed') {
            io.err(`mosaicme: failed: ${s.reason}`);
            return 1;
          }
        }
      }),
    );
}
