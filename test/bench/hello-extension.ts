/**
 * The reference for the activation figures: the smallest extension a developer starts from (the shape of `yo code`'s
 * "Hello World" TypeScript template), one command that shows a quick pick at once. Loaded by activation-sample.ts
 * under the same stub host as Multiview's bundle, so the two are timed the same way.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('hello.pick', () => {
      const pick = vscode.window.createQuickPick();
      pick.title = 'Hello World';
      pick.items = [{ label: 'Hello' }, { label: 'World' }];
      pick.show();
    }),
  );
}

export function deactivate(): void {}
