import { MosaicError, PermanentError } from '../core/errors.js';
import { OptionError } from '../core/options.js';
import { flagName } from './parse.js';

/** How a command talks: results on stdout, notes and errors on stderr, one line each. */
export type Io = {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
};

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

/** One line for a person; the stack only when asked for with --verbose. */
export function reportError(io: Io, err: unknown, verbose: boolean): void {
  const msg =
    err instanceof OptionError ? err.as(flagName(err.option)) : err instanceof Error ? err.message : String(err);
  io.err(`mosaicme: ${msg}`);
  if (verbose && err instanceof Error && err.stack) io.err(err.stack);
  else if (!(err instanceof MosaicError)) io.err('(run again with --verbose for details)');
}

export const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Options that contradict each other: a usage error like an option out of range. */
export class UsageError extends PermanentError {
  override name = 'UsageError';
  constructor(message: string) {
    super('INVALID_OPTION', message);
  }
}

export const isUsageError = (err: unknown): boolean => err instanceof OptionError || err instanceof UsageError;
