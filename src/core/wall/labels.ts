/**
 * Row letters as on spreadsheets: A … Z, AA, AB, … (row 0 is A).
 * @example rowLetters(27) // "AB"
 */
export function rowLetters(row: number): string {
  let s = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * The printed name of a wall cell: its row letters, a dash, its column from 1. Cell numbers run
 * row by row from the top left, as everywhere in the engine.
 * @example cellLabel(2 * 40 + 13, 40) // "C-14"
 */
export function cellLabel(cell: number, cols: number): string {
  return `${rowLetters(Math.floor(cell / cols))}-${(cell % cols) + 1}`;
}

/**
 * The cell a label names on a wall of `cols`×`rows`, or undefined when it names none. Accepts
 * lower case and spaces ("c 14"), as people type it into a search box.
 * @example parseLabel('C-14', 40, 30) // 93
 */
export function parseLabel(label: string, cols: number, rows: number): number | undefined {
  const m = /^\s*([A-Za-z]{1,4})\s*[-\s]?\s*(\d{1,5})\s*$/.exec(label);
  if (!m) return undefined;
  let row = 0;
  for (const ch of m[1].toUpperCase()) row = row * 26 + (ch.charCodeAt(0) - 64);
  row -= 1;
  const col = Number(m[2]) - 1;
  if (row < 0 || row >= rows || col < 0 || col >= cols) return undefined;
  return row * cols + col;
}
