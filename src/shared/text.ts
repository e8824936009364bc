/** Characters a person cannot see, which must not hide in what is shown, sent or used as a name. */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE_CHARACTER = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
const EVERY_INVISIBLE_CHARACTER = new RegExp(INVISIBLE_CHARACTER.source, 'g');
const LINE_CONTROL = /[\t\n\v\f\r]/;

/** `text` without control, zero-width and bidi characters (tabs and line breaks are kept: they are white space). */
export function withoutInvisibleCharacters(text: string): string {
  return text.replace(EVERY_INVISIBLE_CHARACTER, '');
}

/** True when `text` holds a control, zero-width or bidi character, a tab or a line break. */
export function hasControlCharacters(text: string): boolean {
  return INVISIBLE_CHARACTER.test(text) || LINE_CONTROL.test(text);
}
