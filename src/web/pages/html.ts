/** Markup that is already safe: only `html` makes these, so data never becomes markup by accident. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

const render = (v: unknown): string => {
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
};

/** A template tag: every interpolated value is escaped unless it is itself `html` (or a list of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new SafeHtml(out);
}

/** Markup made by a trusted generator (the QR code's SVG), taken as it is. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);

/** ` name="value"`, or nothing when there is no value; `name` is the page's own, never data. */
export const attr = (name: string, value: string | number | undefined | false): SafeHtml | '' =>
  value === undefined || value === false ? '' : html` ${new SafeHtml(name)}="${value}"`;
