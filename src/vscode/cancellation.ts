import type * as vscode from 'vscode';

/**
 * An AbortSignal that follows a CancellationToken (a progress notification's Cancel, a chat's stop button): the
 * pure modules cancel with AbortSignal, VS Code with tokens. Dispose it when the work is done.
 */
export function abortSignalFor(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const subscription = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => subscription.dispose() };
}
