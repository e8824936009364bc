/**
 * "Generate Multiview": chooses the image(s), asks for the key and the parameters, then runs one job (or a batch
 * of them, for several images selected in the Explorer). "Generate Again" re-runs a saved result's parameters.
 * The jobs themselves run in jobRunner.ts; this file is only the commands and their questions.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type GenerationParameters, sanitizeParameters } from '../core/parameters';
import { parametersFromSidecar, readSavedResult } from '../core/readSidecar';
import { runBatchWithProgress } from './batchGeneration';
import { chooseImage, hasImageExtension } from './chooseImage';
import { type GenerateDependencies, type JobRequest, multiviewMessage, readSettingsOrExplain, runWithProgress } from './jobRunner';
import { configurePureModulesL10n } from './localization';
import { paddingMatters } from '../image/inputShape';
import { pickParameters, readImageShape } from './parameterPicker';

const LAST_PARAMETERS_KEY = 'multiview.lastParameters';

export const REGENERATE_COMMAND = 'multiview.regenerate';

/** The argument of `multiview.regenerate` (the History view's "Generate Again" items). */
export interface RegenerateArgument {
  sidecar: vscode.Uri;
  /** A new random seed instead of the recorded one. */
  newSeed?: boolean;
}

export function registerGenerateCommands(deps: GenerateDependencies): vscode.Disposable {
  const generate = (clicked?: unknown, selected?: unknown) => generateFromImages(deps, imagesFromArguments(clicked, selected));
  return vscode.Disposable.from(
    vscode.commands.registerCommand('multiview.generate', generate),
    vscode.commands.registerCommand('multiview.generateFromExplorer', generate),
    vscode.commands.registerCommand(REGENERATE_COMMAND, (argument?: RegenerateArgument) => regenerate(deps, argument)),
  );
}

/** The Explorer passes the clicked item and the whole selection; a command-palette run passes nothing. */
function imagesFromArguments(clicked: unknown, selected: unknown): vscode.Uri[] {
  const uris = Array.isArray(selected) ? selected.filter((item): item is vscode.Uri => item instanceof vscode.Uri) : [];
  if (uris.length > 1) {
    return uris;
  }
  return clicked instanceof vscode.Uri ? [clicked] : [];
}

async function generateFromImages(deps: GenerateDependencies, given: vscode.Uri[]): Promise<void> {
  // Before any message of the pure modules (quick input validation, settings errors) can be shown.
  configurePureModulesL10n();
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
    void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: Open a folder first: the views are saved into the workspace.'));
    return;
  }
  const apiKey = await keyOrExplain(deps);
  const settings = apiKey && readSettingsOrExplain(images[0]);
  if (!apiKey || !settings) {
    return;
  }
  const remembered = deps.context.globalState.get<Partial<GenerationParameters>>(LAST_PARAMETERS_KEY) ?? {};
  const subject = images.length === 1 ? path.basename(images[0].path) : vscode.l10n.t('{0} images', images.length);
  // The padding step is offered when it matters for one of the images (their headers only are read).
  const shapes = await Promise.all(images.map(readImageShape));
  const shape = shapes.find(paddingMatters) ?? shapes[0];
  const parameters = await pickParameters(sanitizeParameters(remembered, settings.defaults), subject, settings.endpoints.preset, shape);
  if (!parameters) {
    return;
  }
  await deps.context.globalState.update(LAST_PARAMETERS_KEY, parameters);
  const requests: JobRequest[] = images.map((imageUri) => ({ imageUri, workspaceFolder: workspaceFolderOf(imageUri)!, parameters, apiKey }));
  if (requests.length === 1) {
    await runWithProgress(deps, requests[0]);
  } else {
    await runBatchWithProgress(deps, requests, settings);
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
    problem = vscode.l10n.t('Multiview: “{0}” is not on this machine’s disk; copy it into a local workspace folder first.', name);
  } else if (!hasImageExtension(imageUri)) {
    problem = inBatch
      ? vscode.l10n.t('Multiview: “{0}” is not a PNG, JPEG or WebP image, so it was left out of the batch.', name)
      : vscode.l10n.t('Multiview: “{0}” is not a PNG, JPEG or WebP image. Choose an image file.', name);
  }
  if (problem) {
    void vscode.window.showErrorMessage(problem);
  }
  return problem;
}

/** The stored key, or asks for it; `undefined` after saying that a key is needed. */
async function keyOrExplain(deps: GenerateDependencies): Promise<string | undefined> {
  const apiKey = await deps.apiKeys.getOrAsk();
  if (!apiKey) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Multiview needs an API key to generate views.'), vscode.l10n.t('Set API Key')).then((action) => {
      if (action) {
        void vscode.commands.executeCommand('multiview.setApiKey');
      }
    });
  }
  return apiKey;
}

/** Runs a saved result's parameters again on its source image, without the quick input. */
async function regenerate(deps: GenerateDependencies, argument: RegenerateArgument | undefined): Promise<void> {
  configurePureModulesL10n();
  const sidecarUri = argument?.sidecar;
  if (!(sidecarUri instanceof vscode.Uri)) {
    return;
  }
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(sidecarUri);
  if (!workspaceFolder) {
    return;
  }
  let saved: Awaited<ReturnType<typeof readSavedResult>>;
  try {
    saved = await readSavedResult(sidecarUri.fsPath, workspaceFolder.uri.fsPath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(multiviewMessage(vscode.l10n.t('This result cannot be generated again: {0}', reason)));
    return;
  }
  const imageUri = vscode.Uri.file(saved.sourceImagePath);
  const parameters = parametersFromSidecar(saved.sidecar);
  if (!(await vscode.workspace.fs.stat(imageUri).then(() => true, () => false))) {
    void vscode.window.showErrorMessage(
      multiviewMessage(vscode.l10n.t('This result cannot be generated again: its source image {0} is no longer there.', saved.sidecar.sourceImage)),
    );
    return;
  }
  const apiKey = await keyOrExplain(deps);
  if (apiKey) {
    await runWithProgress(deps, { imageUri, workspaceFolder, parameters: argument?.newSeed ? { ...parameters, seed: undefined } : parameters, apiKey });
  }
}
