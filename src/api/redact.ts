/** What every redacted occurrence of the secret becomes. */
export const REDACTED = '***';

/**
 * Replaces every occurrence of `secret` in `text` with `***`, including the forms it takes when a
 * server echoes it back URL-encoded, JSON-escaped or base64-encoded.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || !text) return text;
  let result = text;
  for (const form of secretForms(secret)) {
    if (result.includes(form)) result = result.split(form).join(REDACTED);
  }
  return result;
}

/** Redacts every string (and object key) inside a JSON-like value; returns a copy. */
export function redactDeep(value: unknown, secret: string | undefined, depth = 0): unknown {
  // JSON from a server cannot be cyclic, but it can be absurdly deep: stop rather than overflow.
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return redactSecret(value, secret);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secret, depth + 1));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[redactSecret(key, secret)] = redactDeep(item, secret, depth + 1);
    }
    return copy;
  }
  return value;
}

/** The secret as it may appear in text: raw, URL-encoded, JSON-escaped, base64 / base64url. */
function secretForms(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  ];
  // Longest first, so that a longer form is not broken up by a shorter one it contains.
  return [...new Set(forms)].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}
