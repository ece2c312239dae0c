/** Option parsers for commander: numbers stay numbers so the engine's checks can name the problem. */
export const num = (v: string): number => (v.trim() === '' ? NaN : Number(v));
