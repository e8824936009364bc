/** Escaping for text put into the result panel's HTML: every string from the API or the user passes here. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

/** A tagged template that escapes every interpolated value unless it is already `SafeHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, index) => {
    const rendered = Array.isArray(value) ? value.map(renderValue).join('') : renderValue(value);
    out += rendered + strings[index + 1];
  });
  return new SafeHtml(out);
}

function renderValue(value: unknown): string {
  return value instanceof SafeHtml ? value.value : escapeHtml(value);
}
