/**
 * A JSON object (not null, not an array): the first check on anything read from outside (an API answer, a sidecar,
 * a message or state from the webview). Dependency-free, so the webview bundle can share it.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
