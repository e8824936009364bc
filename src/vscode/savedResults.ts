/** A saved result read from its sidecar, relative to the workspace folder that holds it (the one way to do so). */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { compareNewestFirst, finishedAtLabel, MAX_SIDECARS, maybeSidecar, resultDescription, SIDECAR_GLOB } from '../core/history';
import { showInformation } from './notifications';
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

/** Every saved result of the workspace that reads, newest first (at most MAX_SIDECARS sidecars are read). */
export async function findSavedResults(token?: vscode.CancellationToken): Promise<SavedResultInWorkspace[]> {
  // `undefined` exclude: files.exclude applies (search.exclude does not).
  const uris = (await vscode.workspace.findFiles(SIDECAR_GLOB, undefined, MAX_SIDECARS, token)).filter((uri) => uri.scheme === 'file' && maybeSidecar(uri.fsPath));
  const reads = await Promise.all(uris.map((uri) => readSavedResultInWorkspace(uri).catch(() => undefined)));
  return reads.filter((read) => read !== undefined).sort((a, b) => compareNewestFirst(a.result, b.result));
}

/**
 * The command palette's question: which saved results (newest first, with their time, seed and job), one or several.
 * None (and `whenNone` said) when the workspace has none yet.
 */
export async function pickSavedResults(options: { title: string; placeHolder: string; canPickMany: boolean; whenNone: string }): Promise<SavedResultInWorkspace[]> {
  const targets = await findSavedResults();
  if (targets.length === 0) {
    void showInformation(options.whenNone);
    return [];
  }
  const items = targets.map((target) => ({
    label: path.basename(target.result.sourceImagePath),
    description: `${finishedAtLabel(target.result.finishedAtMs, vscode.env.language)} · ${resultDescription(target.result)}`,
    detail: vscode.workspace.asRelativePath(target.result.sidecarPath, false),
    target,
  }));
  const common = { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true };
  const picked = options.canPickMany ? await vscode.window.showQuickPick(items, { ...common, canPickMany: true }) : [await vscode.window.showQuickPick(items, common)];
  return (picked ?? []).flatMap((item) => (item ? [item.target] : []));
}
