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

/** Opens the Settings editor on one setting (the action of every message about a setting). */
export function openSetting(setting: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', setting);
}
