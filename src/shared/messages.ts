/**
 * Messages between the extension and the result panel's webview, typed once for both sides.
 * The panel's content is rendered into its HTML by the extension (readable without scripts); the webview only
 * sends the user's button actions back.
 */

export type PanelFile = 'grid' | 'sidecar';

export type FromPanelMessage =
  | { readonly type: 'open'; readonly file: PanelFile }
  | { readonly type: 'reveal' };

export function isFromPanelMessage(value: unknown): value is FromPanelMessage {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const message = value as { type?: unknown; file?: unknown };
  return message.type === 'reveal' || (message.type === 'open' && (message.file === 'grid' || message.file === 'sidecar'));
}
