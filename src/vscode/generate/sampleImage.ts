/** "Try with a Sample Image" (from the walkthrough): copies a sample product photo into the workspace and uses it. */
import * as vscode from 'vscode';
import { COMMANDS } from '../../commands';
import { showError } from '../notifications';

const SAMPLE_NAME = 'multiview-sample-mug.png';

export async function tryWithSample(extensionUri: vscode.Uri): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void showError(vscode.l10n.t('Open a folder first: the sample image and its views are saved into the workspace.'));
    return;
  }
  const target = vscode.Uri.joinPath(folder.uri, SAMPLE_NAME);
  // An existing file of that name is the user's (or an earlier copy): use it, never overwrite it.
  await vscode.workspace.fs.copy(vscode.Uri.joinPath(extensionUri, 'media', 'walkthrough', 'sample-mug.png'), target, { overwrite: false }).then(
    undefined,
    (error: unknown) => {
      if (!(error instanceof vscode.FileSystemError && error.code === 'FileExists')) {
        throw error;
      }
    },
  );
  await vscode.commands.executeCommand('revealInExplorer', target);
  await vscode.commands.executeCommand(COMMANDS.generateFromExplorer, target);
}
