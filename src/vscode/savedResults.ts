/** A saved result read from its sidecar, relative to the workspace folder that holds it (the one way to do so). */
import * as vscode from 'vscode';
import { readSavedResult, type SavedResult } from '../core/readSidecar';

export interface SavedResultInWorkspace {
  result: SavedResult;
  workspaceFolder: vscode.WorkspaceFolder;
}

/**
 * The result whose sidecar is `sidecarUri`. The sidecar must be a local file inside a workspace folder: the source
 * image path it records is relative to that folder. Throws (with a message that completes "cannot be opened: …")
 * when it is not, or when the sidecar cannot be read or is not a Multiview sidecar.
 */
export async function readSavedResultInWorkspace(sidecarUri: vscode.Uri): Promise<SavedResultInWorkspace> {
  const workspaceFolder = sidecarUri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(sidecarUri) : undefined;
  if (!workspaceFolder) {
    throw new Error(vscode.l10n.t('it is not in a folder of this workspace.'));
  }
  return { result: await readSavedResult(sidecarUri.fsPath, workspaceFolder.uri.fsPath), workspaceFolder };
}
