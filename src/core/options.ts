import { PermanentError } from './errors.js';

const describe = (v: unknown): string => `${typeof v === 'string' ? JSON.stringify(v) : String(v)} of type ${typeof v}`;

/**
 * Checks an integer option sharp-style.
 * @example checkInt('cell', 3, 4, 256) // throws "Expected integer between 4 and 256 for cell but received 3 of type number"
 */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PermanentError(
      'INVALID_OPTION',
      `Expected integer between ${min} and ${max} for ${name} but received ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Checks a number option sharp-style.
 * @example checkNumber('blend', 0.25, 0, 1) // 0.25
 */
export function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new PermanentError(
      'INVALID_OPTION',
      `Expected number between ${min} and ${max} for ${name} but received ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Checks a choice option.
 * @example checkChoice('format', 'png', ['jpeg', 'webp', 'png']) // 'png'
 */
export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new PermanentError(
      'INVALID_OPTION',
      `Expected one of ${choices.join(', ')} for ${name} but received ${describe(value)}`,
    );
  }
  return value as T;
}
