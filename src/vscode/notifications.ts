/** How Multiview words its notifications: every one starts with the extension's name, added here and only here. */
import * as vscode from 'vscode';

/** A whole sentence (already translated where it was made) behind the extension's name. */
export function multiviewMessage(message: string): string {
  return vscode.l10n.t({ message: 'Multiview: {0}', args: [message], comment: '{0} is a whole sentence, already translated.' });
}

export function showError(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(multiviewMessage(message), ...actions);
}

export function showWarning(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(multiviewMessage(message), ...actions);
}

export function showInformation(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(multiviewMessage(message), ...actions);
}

/**
 * A message about a file just saved, with "Open" (when `open` says how: a preview, the model viewer…) and
 * "Reveal in Explorer"; resolves once the user has chosen or dismissed it.
 */
export async function announceSavedFile(message: string, uri: vscode.Uri, { open, warning = false }: { open?: (uri: vscode.Uri) => Thenable<unknown>; warning?: boolean } = {}): Promise<void> {
  const openLabel = vscode.l10n.t('Open');
  const reveal = vscode.l10n.t('Reveal in Explorer');
  const action = await (warning ? showWarning : showInformation)(message, ...(open ? [openLabel, reveal] : [reveal]));
  if (action === openLabel && open) {
    await open(uri);
  } else if (action === reveal) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
  }
}

/** Opens the Settings editor on one setting (the action of every message about a setting). */
export function openSetting(setting: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', setting);
}
