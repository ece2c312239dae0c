import { Command, CommanderError } from 'commander';
import { isUsageError, processIo, reportError, type Io } from './output.js';
import { usageLine } from './parse.js';
import { registerMake } from './commands/make.js';
import { registerTiles } from './commands/tiles.js';
import { registerCheck } from './commands/check.js';
import { registerServe } from './commands/serve.js';
import { registerWall } from './commands/wall.js';

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process too. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const verbose = argv.includes('--verbose');
  const program = new Command('mosaicme')
    .description('MosaicMe: turn photos into photomosaics')
    .option('--verbose', 'show stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`mosaicme: ${usageLine(s)}\n`),
    })
    .showHelpAfterError('(add --help for usage)');
  const run = async (fn: () => Promise<number>) => {
    try {
      code = await fn();
    } catch (err) {
      reportError(io, err, verbose);
      // One exit code for every usage error, whether commander or the engine found it.
      code = isUsageError(err) ? 2 : 1;
    }
  };
  registerMake(program, io, run);
  registerTiles(program, io, run);
  registerCheck(program, io, run);
  registerServe(program, io, run);
  registerWall(program, io, run);
  const addVerbose = (c: Command): void => {
    if (c.commands.length === 0) c.option('--verbose', 'show stack traces on errors');
    c.commands.forEach(addVerbose);
  };
  program.commands.forEach(addVerbose);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}
