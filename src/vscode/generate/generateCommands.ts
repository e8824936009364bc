/**
 * "Generate Multiview": chooses the image(s), asks for the key and the parameters, then runs one job (or a batch of
 * them, for several images selected in the Explorer). "Generate Again" re-runs a saved result's parameters.
 * The jobs themselves run in jobs/runJob.ts; this file is only the commands and their questions.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from '../../commands';
import { isFile } from '../../core/files';
import { fromSidecar } from '../../core/parameterMapping';
import { type GenerationParameters, sanitizeParameters } from '../../core/parameters';
import { backgroundRemovalMatters, paddingMatters } from '../../image/engine';
import { runBatchWithProgress } from '../jobs/batchGeneration';
import { type JobRequest, runWithProgress } from '../jobs/runJob';
import { showError } from '../notifications';
import { readSavedResultInWorkspace } from '../savedResults';
import type { ExtensionServices } from '../services';
import { keyOrExplain } from '../apiKeyStore';
import { readSettingsOrExplain } from '../settings';
import { chooseUsableImages, imagesFromArguments } from './chooseImage';
import { pickParameters } from './parameterPicker';

/** Where the quick input's last answers are remembered (global state), to start the next run from. */
export const LAST_PARAMETERS_KEY = 'multiview.lastParameters';

/** The argument of `multiview.regenerate` (the History view's "Generate Again" items). */
export interface RegenerateArgument {
  sidecar: vscode.Uri;
  /** A new random seed instead of the recorded one. */
  newSeed?: boolean;
}

type GenerateCommandIds = typeof COMMANDS.generate | typeof COMMANDS.generateFromExplorer | typeof COMMANDS.regenerate;

export function generateCommands(services: ExtensionServices): Pick<CommandHandlers, GenerateCommandIds> {
  const generate = (clicked?: unknown, selected?: unknown) => generateFromImages(services, imagesFromArguments(clicked, selected));
  return {
    [COMMANDS.generate]: generate,
    [COMMANDS.generateFromExplorer]: generate,
    [COMMANDS.regenerate]: (argument?: unknown) => regenerate(services, argument),
  };
}

async function generateFromImages(services: ExtensionServices, given: vscode.Uri[]): Promise<void> {
  const inspected = await chooseUsableImages(services, given);
  const images = inspected.map(({ uri }) => uri);
  if (images.length === 0) {
    return;
  }
  const workspaceFolderOf = (uri: vscode.Uri) => vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!workspaceFolderOf(images[0])) {
    void showError(vscode.l10n.t('Open a folder first: the views are saved into the workspace.'));
    return;
  }
  const apiKey = await keyOrExplain(services.apiKeys, vscode.l10n.t('An API key is needed to generate views.'));
  const settings = apiKey && readSettingsOrExplain(images[0]);
  if (!apiKey || !settings) {
    return;
  }
  const remembered = services.globalState.get<Partial<GenerationParameters>>(LAST_PARAMETERS_KEY) ?? {};
  const subject = images.length === 1 ? path.basename(images[0].path) : vscode.l10n.t('{0} images', images.length);
  // The background and padding steps are offered when they matter for one of the images.
  const infos = inspected.map(({ info }) => info);
  const shown = infos.find((info) => paddingMatters(info) || backgroundRemovalMatters(info)) ?? infos[0];
  const parameters = await pickParameters(sanitizeParameters(remembered, settings.defaults), subject, settings.endpoints, shown);
  if (!parameters) {
    return;
  }
  await services.globalState.update(LAST_PARAMETERS_KEY, parameters);
  const requests: JobRequest[] = images.map((imageUri) => ({ imageUri, workspaceFolder: workspaceFolderOf(imageUri)!, parameters, apiKey }));
  if (requests.length === 1) {
    await runWithProgress(services, requests[0]);
  } else {
    await runBatchWithProgress(services, requests, settings);
  }
}

/** Runs a saved result's parameters again on its source image, without the quick input. */
async function regenerate(services: ExtensionServices, argument: unknown): Promise<void> {
  const { sidecar: sidecarUri, newSeed } = (argument ?? {}) as Partial<RegenerateArgument>;
  if (!(sidecarUri instanceof vscode.Uri)) {
    return;
  }
  let saved: Awaited<ReturnType<typeof readSavedResultInWorkspace>>;
  try {
    saved = await readSavedResultInWorkspace(sidecarUri);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void showError(vscode.l10n.t('This result cannot be generated again: {0}', reason));
    return;
  }
  const imageUri = vscode.Uri.file(saved.result.sourceImagePath);
  const parameters = fromSidecar(saved.result.sidecar);
  if (!(await isFile(imageUri.fsPath))) {
    void showError(vscode.l10n.t('This result cannot be generated again: its source image {0} is no longer there.', saved.result.sidecar.sourceImage));
    return;
  }
  const apiKey = await keyOrExplain(services.apiKeys, vscode.l10n.t('An API key is needed to generate views.'));
  if (apiKey) {
    await runWithProgress(services, { imageUri, workspaceFolder: saved.workspaceFolder, parameters: newSeed ? { ...parameters, seed: undefined } : parameters, apiKey });
  }
}
