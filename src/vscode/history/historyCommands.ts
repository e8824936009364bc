/** The History view's commands on a result row: generate again, reveal, delete (to the trash, after confirming). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from '../../commands';
import { isFile } from '../../core/files';
import { ownedFiles } from '../../core/results/resultFiles';
import type { SavedResult } from '../../core/readSidecar';
import type { RegenerateArgument } from '../generate/generateCommands';
import { showError } from '../notifications';
import { asResultNode, selectedResults } from './historyNodes';
import { workspaceRelative } from './historyItems';
import type { ResultPanels } from '../panel/resultPanels';

type HistoryCommandIds =
  | typeof COMMANDS.historyRefresh
  | typeof COMMANDS.historyGenerateAgain
  | typeof COMMANDS.historyGenerateAgainWithNewSeed
  | typeof COMMANDS.historyReveal
  | typeof COMMANDS.historyDelete;

/** `refresh`: rescans the view when it exists (it is made when first shown); `panels`: closed with their result. */
export function historyCommands(refresh: () => void, panels: Pick<ResultPanels, 'closeIfGridGone'>): Pick<CommandHandlers, HistoryCommandIds> {
  const onResult = (work: (result: SavedResult) => Thenable<unknown>) => async (node: unknown) => {
    const result = asResultNode(node)?.result;
    if (result) await work(result);
  };
  return {
    [COMMANDS.historyRefresh]: refresh,
    [COMMANDS.historyGenerateAgain]: onResult((result) => regenerate(result, false)),
    [COMMANDS.historyGenerateAgainWithNewSeed]: onResult((result) => regenerate(result, true)),
    [COMMANDS.historyReveal]: onResult(revealInExplorer),
    // With several rows selected, the selection is deleted (after one confirmation that lists every file).
    [COMMANDS.historyDelete]: async (clicked?: unknown, selected?: unknown) => {
      const results = selectedResults(clicked, selected);
      if (results.length > 0) {
        await deleteResults(results);
        // A panel whose result is gone would offer exports of files that no longer exist.
        await Promise.all(results.map((result) => panels.closeIfGridGone(result)));
        refresh();
      }
    },
  };
}

function regenerate(result: SavedResult, newSeed: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand(COMMANDS.regenerate, { sidecar: vscode.Uri.file(result.sidecarPath), newSeed } satisfies RegenerateArgument);
}

async function revealInExplorer(result: SavedResult): Promise<void> {
  const target = (await isFile(result.gridPath)) ? result.gridPath : result.sidecarPath;
  await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(target));
}

/** Deletes one file; the error, unless it is gone already (deleted meanwhile: what was wanted). */
async function deleteFile(file: string, useTrash: boolean): Promise<Error | undefined> {
  try {
    await vscode.workspace.fs.delete(vscode.Uri.file(file), { useTrash, recursive: false });
    return undefined;
  } catch (error) {
    const notFound = error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
    return notFound ? undefined : error instanceof Error ? error : new Error(String(error));
  }
}

/** Asked when the trash cannot take the files (e.g. a remote without one): delete `remaining` for good? */
async function confirmPermanentDelete(error: Error, remaining: string[]): Promise<boolean> {
  const deletePermanently = vscode.l10n.t('Delete Permanently');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('The files could not be moved to the trash. Delete them permanently?'),
    {
      modal: true,
      detail: vscode.l10n.t('{0}\n\nThese files cannot be restored:\n{1}', error.message, remaining.map((f) => path.basename(f)).join('\n')),
    },
    deletePermanently,
  );
  return answer === deletePermanently;
}

/**
 * Deletes the results' own files (ownedFiles) after a modal confirmation that names them: to the trash, or, when
 * the trash cannot take them (e.g. a remote without one), permanently after a second confirmation.
 */
async function deleteResults(results: SavedResult[]): Promise<void> {
  const targets = (
    await Promise.all(
      results.map(async (result) => ownedFiles(result, await fs.readdir(path.dirname(result.sidecarPath)).catch(() => []))),
    )
  ).flat();
  if (targets.length === 0) {
    return;
  }
  const folders = [...new Set(targets.map((file) => workspaceRelative(path.dirname(file))))].join(', ');
  const listing = targets.map((file) => path.basename(file)).join('\n');
  const moveToTrash = vscode.l10n.t('Move to Trash');
  const question =
    results.length === 1
      ? vscode.l10n.t('Delete the Multiview result of {0} ({1} files)?', path.basename(results[0].sourceImagePath), targets.length)
      : vscode.l10n.t('Delete {0} Multiview results ({1} files)?', results.length, targets.length);
  const confirmed = await vscode.window.showWarningMessage(
    question,
    { modal: true, detail: vscode.l10n.t('These files in {0} will be moved to the trash:\n{1}', folders, listing) },
    moveToTrash,
  );
  if (confirmed !== moveToTrash) return;

  let useTrash = true;
  for (const [index, file] of targets.entries()) {
    let error = await deleteFile(file, useTrash);
    if (error && useTrash) {
      if (!(await confirmPermanentDelete(error, targets.slice(index)))) break;
      useTrash = false;
      error = await deleteFile(file, false);
    }
    if (error) {
      void showError(vscode.l10n.t('Could not delete {0}: {1}', path.basename(file), error.message));
      break;
    }
  }
}
