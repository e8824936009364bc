/**
 * "Remove Background" on its own (Explorer and editor-tab context menus on images, the command palette): the
 * picture's subject on a transparent background, saved as `<image>-subject.png` in the output folder and opened.
 * One question first, which says it spends credits; several selected images make one job each.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from '../../commands';
import { runBackgroundRemovalJob, type SavedSubject } from '../../core/subjectJob';
import { keyOrExplain } from '../apiKeyStore';
import { reportFailure } from '../jobs/reportFailure';
import { tracked, withJobProgress } from '../jobs/runJob';
import { announceSavedFile, showError } from '../notifications';
import type { ExtensionServices } from '../services';
import { connectionFor, outputFolderFor, readSettingsOrExplain } from '../settings';
import { chooseUsableImages, imagesFromArguments } from './chooseImage';

interface RemovalRequest {
  imageUri: vscode.Uri;
  workspaceFolder: vscode.WorkspaceFolder;
  apiKey: string;
}

export function removeBackgroundCommands(services: ExtensionServices): Pick<CommandHandlers, typeof COMMANDS.removeBackground> {
  return {
    [COMMANDS.removeBackground]: (clicked?: unknown, selected?: unknown) => removeBackgrounds(services, imagesFromArguments(clicked, selected)),
  };
}

async function removeBackgrounds(services: ExtensionServices, given: vscode.Uri[]): Promise<void> {
  const images = (await chooseUsableImages(services, given)).map(({ uri }) => uri);
  if (images.length === 0) {
    return;
  }
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(images[0]) ?? vscode.workspace.workspaceFolders?.[0];
  if (!workspaceFolder) {
    void showError(vscode.l10n.t('Open a folder first: the cut-out is saved into the workspace.'));
    return;
  }
  const apiKey = await keyOrExplain(services.apiKeys, vscode.l10n.t('An API key is needed to remove the background.'));
  if (!apiKey || !(await confirmCost(images))) {
    return;
  }
  await Promise.all(
    images.map((imageUri) => runRemovalWithProgress(services, { imageUri, workspaceFolder: vscode.workspace.getWorkspaceFolder(imageUri) ?? workspaceFolder, apiKey })),
  );
}

/** The one question: it names the picture(s) and says it is a paid job. */
async function confirmCost(images: vscode.Uri[]): Promise<boolean> {
  const subject = images.length === 1 ? path.basename(images[0].path) : vscode.l10n.t('{0} images', images.length);
  const remove = {
    label: vscode.l10n.t('Remove the Background'),
    detail:
      images.length === 1
        ? vscode.l10n.t('One job on your account: spends credits. The cut-out is saved as a PNG beside the results.')
        : vscode.l10n.t('One job per image on your account: spends credits. Each cut-out is saved as a PNG beside the results.'),
  };
  const picked = await vscode.window.showQuickPick([remove], { title: vscode.l10n.t('Remove Background: {0}', subject), ignoreFocusOut: true });
  return picked === remove;
}

async function runRemovalWithProgress(services: ExtensionServices, request: RemovalRequest): Promise<void> {
  const settings = readSettingsOrExplain(request.imageUri);
  if (!settings) {
    return;
  }
  const name = path.basename(request.imageUri.path);
  try {
    const saved = await withJobProgress(
      (control) =>
        tracked(services, vscode.l10n.t('{0} (background)', name), control, (session) =>
          runBackgroundRemovalJob({
            ...session,
            connection: connectionFor(settings, request.apiKey, services.log),
            imagePath: request.imageUri.fsPath,
            workspaceFolder: request.workspaceFolder.uri.fsPath,
            outputFolder: outputFolderFor(settings, request.imageUri),
            longSide: settings.uploadLongSide,
          }),
        ),
      vscode.l10n.t('Multiview: removing the background of {0}', name),
    );
    await announceSubject(services, saved);
  } catch (error) {
    await reportFailure(services, request, error, (again) => runRemovalWithProgress(services, again));
  }
}

/** The cut-out opens in VS Code's image preview; a message names it, with Reveal. */
async function announceSubject(services: ExtensionServices, saved: SavedSubject): Promise<void> {
  services.log.info(`Saved ${saved.path} (${saved.width} × ${saved.height}, job ${saved.jobId})`);
  const uri = vscode.Uri.file(saved.path);
  await vscode.commands.executeCommand('vscode.open', uri, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  await announceSavedFile(vscode.l10n.t('saved the cut-out {0}.', path.basename(saved.path)), uri);
}
