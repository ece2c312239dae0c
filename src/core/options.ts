import { PermanentError } from './errors.js';

/**
 * An option out of its range. `option` is the name the engine knows it by (`cell`, `maxUses`), so
 * the CLI can say `--max-uses` and the API `maxUses`; the message reads the same for both.
 */
export class OptionError extends PermanentError {
  override name = 'OptionError';
  constructor(
    readonly option: string,
    readonly rule: string,
    readonly received: unknown,
  ) {
    super('INVALID_OPTION', sentence(option, rule, received));
  }

  /** The same message naming the option as the caller knows it, e.g. `--max-uses`. */
  as(name: string): string {
    return sentence(name, this.rule, this.received);
  }
}

const sentence = (name: string, rule: string, received: unknown): string => `${name} ${rule} (got ${shown(received)})`;

const shown = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : typeof v === 'number'
      ? String(v)
      : v === undefined
        ? 'nothing'
        : typeof v;

/**
 * Checks a whole-number option.
 * @example checkInt('cell', 3, 4, 256) // throws "cell must be a whole number from 4 to 256 (got 3)"
 */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new OptionError(name, `must be a whole number from ${min} to ${max}`, value);
  return value;
}

/**
 * Checks a number option.
 * @example checkNumber('blend', 0.25, 0, 1) // 0.25
 */
export function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new OptionError(name, `must be a number from ${min} to ${max}`, value);
  return value;
}

/**
 * Checks a choice option.
 * @example checkChoice('format', 'png', ['jpeg', 'webp', 'png']) // 'png'
 */
export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value))
    throw new OptionError(name, `must be one of ${choices.join(', ')}`, value);
  return value as T;
}
