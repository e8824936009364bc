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
import { paddingMatters } from '../../image/inputShape';
import { runBatchWithProgress } from '../jobs/batchGeneration';
import { type JobRequest, runWithProgress } from '../jobs/runJob';
import { showError, showWarning } from '../notifications';
import { readSavedResultInWorkspace } from '../savedResults';
import type { ExtensionServices } from '../services';
import { readSettingsOrExplain } from '../settings';
import { chooseImage, hasImageExtension } from './chooseImage';
import { pickParameters, readImageShape } from './parameterPicker';

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

/** The Explorer passes the clicked item and the whole selection; a command-palette run passes nothing. */
function imagesFromArguments(clicked: unknown, selected: unknown): vscode.Uri[] {
  const uris = Array.isArray(selected) ? selected.filter((item): item is vscode.Uri => item instanceof vscode.Uri) : [];
  if (uris.length > 1) {
    return uris;
  }
  return clicked instanceof vscode.Uri ? [clicked] : [];
}

async function generateFromImages(services: ExtensionServices, given: vscode.Uri[]): Promise<void> {
  const chosen = given.length > 0 ? given : [await chooseImage(undefined)].filter((uri): uri is vscode.Uri => uri !== undefined);
  if (chosen.length === 0) {
    return;
  }
  const images = chosen.filter((uri) => explainUnusableImage(uri, chosen.length > 1) === undefined);
  if (images.length === 0) {
    return;
  }
  const workspaceFolderOf = (uri: vscode.Uri) => vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!workspaceFolderOf(images[0])) {
    void showError(vscode.l10n.t('Open a folder first: the views are saved into the workspace.'));
    return;
  }
  const apiKey = await keyOrExplain(services);
  const settings = apiKey && readSettingsOrExplain(images[0]);
  if (!apiKey || !settings) {
    return;
  }
  const remembered = services.globalState.get<Partial<GenerationParameters>>(LAST_PARAMETERS_KEY) ?? {};
  const subject = images.length === 1 ? path.basename(images[0].path) : vscode.l10n.t('{0} images', images.length);
  // The padding step is offered when it matters for one of the images (their headers only are read).
  const shapes = await Promise.all(images.map(readImageShape));
  const shape = shapes.find(paddingMatters) ?? shapes[0];
  const parameters = await pickParameters(sanitizeParameters(remembered, settings.defaults), subject, settings.endpoints, shape);
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

/**
 * Why an image cannot be used, after telling the user; `undefined` when it can. In a batch the message names
 * the file and the others go on.
 */
function explainUnusableImage(imageUri: vscode.Uri, inBatch: boolean): string | undefined {
  const name = path.basename(imageUri.path);
  let problem: string | undefined;
  if (imageUri.scheme !== 'file') {
    problem = vscode.l10n.t('“{0}” is not on this machine’s disk; copy it into a local workspace folder first.', name);
  } else if (!hasImageExtension(imageUri)) {
    problem = inBatch
      ? vscode.l10n.t('“{0}” is not a PNG, JPEG or WebP image, so it was left out of the batch.', name)
      : vscode.l10n.t('“{0}” is not a PNG, JPEG or WebP image. Choose an image file.', name);
  }
  if (problem) {
    void showError(problem);
  }
  return problem;
}

/** The stored key, or asks for it; `undefined` after saying that a key is needed. */
async function keyOrExplain(services: ExtensionServices): Promise<string | undefined> {
  const apiKey = await services.apiKeys.getOrAsk();
  if (!apiKey) {
    void showWarning(vscode.l10n.t('An API key is needed to generate views.'), vscode.l10n.t('Set API Key')).then((action) => {
      if (action) {
        void vscode.commands.executeCommand(COMMANDS.setApiKey);
      }
    });
  }
  return apiKey;
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
  const apiKey = await keyOrExplain(services);
  if (apiKey) {
    await runWithProgress(services, { imageUri, workspaceFolder: saved.workspaceFolder, parameters: newSeed ? { ...parameters, seed: undefined } : parameters, apiKey });
  }
}
