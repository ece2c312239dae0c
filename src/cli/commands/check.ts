import path from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../output.js';

export function registerCheck(program: Command, io: Io, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('check')
    .description('print the effective configuration (secrets masked) and test each connection')
    .option(
      '--config <file...>',
      "the original's engine.ini or ecsconfig.properties (also read from DATA_DIR/setting/)",
    )
    .option('--json', 'print JSON')
    .action((opts: { config?: string[]; json?: boolean }) =>
      run(async () => {
        const { loadConfig, describeConfig, ConfigError } = await import('../../app/config.js');
        const { compose, closeAll, socialChecks } = await import('../../app/compose.js');
        const { checkConnections } = await import('../../app/check.js');
        let config;
        try {
          config = loadConfig(process.env, { configFiles: opts.config?.map((f) => path.resolve(f)) });
        } catch (err) {
          if (err instanceof ConfigError) {
            io.err(err.message);
            return 1;
          }
          throw err;
        }
        const deps = compose(config);
        const results = await checkConnections(config, deps, 10_000, socialChecks(config)).finally(() =>
          closeAll(deps),
        );
        if (opts.json) io.out(JSON.stringify({ config: describeConfig(config), checks: results }));
        else {
          io.out(JSON.stringify(describeConfig(config), null, 2));
          for (const r of results) io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`);
        }
        return results.every((r) => r.ok) ? 0 : 1;
      }),
    );
}
