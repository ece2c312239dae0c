import { InvalidArgumentError } from 'commander';

/**
 * Option parser for commander: numbers stay numbers so the engine's checks can name the range;
 * text that is no number at all is refused here, where the text is still known.
 */
export const num = (v: string): number => {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

/** `maxUses` → `--max-uses`: the engine names options as the API does, a person typed the flag. */
export const flagName = (option: string): string => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Commander's own wording, `error: option '--cell <px>' argument 'abc' is invalid. must be a number`,
 * said the way every other option error is said: `--cell must be a number (got "abc")`.
 */
export function usageLine(commanderMessage: string): string {
  const m = /^error: option '(?:-[^-][^ ,']*, )?(-[^ ,']+)[^']*' argument '(.*)' is invalid\. (.*)$/s.exec(
    commanderMessage.trim(),
  );
  if (m) return `${m[1]} ${m[3]} (got ${JSON.stringify(m[2])})`;
  return commanderMessage.trim().replace(/^error: /, '');
}
