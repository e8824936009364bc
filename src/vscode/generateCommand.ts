/**
 * "Generate Multiview": chooses the image, asks for the key and the parameters, runs the job under a
 * cancellable progress notification, then shows and reveals the result. The work itself is in
 * core/generationJob.ts; this file is only what talks to VS Code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EndpointConfigurationError } from '../api/presets';
import { redactSecret } from '../api/redact';
import { isApiError, isJobError } from '../core/loadGenerationJob';
import { type GenerationParameters, sanitizeParameters } from '../core/parameters';
import type { ApiKeyStore } from './apiKeyStore';
import { chooseImage, hasImageExtension } from './chooseImage';
import { configurePureModulesL10n, loadLocalizedGenerationJob } from './localization';
import { pickParameters } from './parameterPicker';
import type { ResultPanels } from './resultPanel';
import type { RunningJobs } from './runningJobs';
import { type MultiviewSettings, readSettings } from './settings';

const LAST_PARAMETERS_KEY = 'multiview.lastParameters';

export interface GenerateDependencies {
  context: vscode.ExtensionContext;
  apiKeys: ApiKeyStore;
  panels: ResultPanels;
  jobs: RunningJobs;
  log: vscode.LogOutputChannel;
}

export function registerGenerateCommands(deps: GenerateDependencies): vscode.Disposable {
  const generate = (clicked?: vscode.Uri) => generateFromImage(deps, clicked instanceof vscode.Uri ? clicked : undefined);
  return vscode.Disposable.from(
    vscode.commands.registerCommand('multiview.generate', generate),
    vscode.commands.registerCommand('multiview.generateFromExplorer', generate),
  );
}

async function generateFromImage(deps: GenerateDependencies, clicked: vscode.Uri | undefined): Promise<void> {
  // Before any message of the pure modules (quick input validation, settings errors) can be shown.
  configurePureModulesL10n();
  const imageUri = await chooseImage(clicked);
  if (!imageUri) {
    return;
  }
  const name = path.basename(imageUri.path);
  if (imageUri.scheme !== 'file') {
    void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: “{0}” is not on this machine’s disk; copy it into a local workspace folder first.', name));
    return;
  }
  if (!hasImageExtension(imageUri)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: “{0}” is not a PNG, JPEG or WebP image. Choose an image file.', name));
    return;
  }
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(imageUri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!workspaceFolder) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: Open a folder first: the views are saved into the workspace.'));
    return;
  }
  const apiKey = await deps.apiKeys.getOrAsk();
  if (!apiKey) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Multiview needs an API key to generate views.'), vscode.l10n.t('Set API Key')).then((action) => {
      if (action) {
        void vscode.commands.executeCommand('multiview.setApiKey');
      }
    });
    return;
  }
  const settings = readSettingsOrExplain(imageUri);
  if (!settings) {
    return;
  }
  const remembered = deps.context.globalState.get<Partial<GenerationParameters>>(LAST_PARAMETERS_KEY) ?? {};
  const parameters = await pickParameters(sanitizeParameters(remembered, settings.defaults), name, settings.endpoints.preset);
  if (!parameters) {
    return;
  }
  await deps.context.globalState.update(LAST_PARAMETERS_KEY, parameters);
  await runWithProgress(deps, { imageUri, workspaceFolder, parameters, apiKey });
}

interface JobRequest {
  imageUri: vscode.Uri;
  workspaceFolder: vscode.WorkspaceFolder;
  parameters: GenerationParameters;
  apiKey: string;
}

async function runWithProgress(deps: GenerateDependencies, request: JobRequest): Promise<void> {
  const { imageUri, workspaceFolder, parameters, apiKey } = request;
  const settings = readSettingsOrExplain(imageUri);
  if (!settings) {
    return;
  }
  const insideWorkspace = vscode.workspace.getWorkspaceFolder(imageUri) !== undefined;
  const log = (line: string) => deps.log.info(redactSecret(line, apiKey));
  try {
    const { describeProgress, runGenerationJob } = loadLocalizedGenerationJob();
    const output = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Multiview', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        const job = deps.jobs.start(path.basename(imageUri.path), () => abort.abort());
        try {
          return await runGenerationJob({
            imagePath: imageUri.fsPath,
            workspaceFolder: workspaceFolder.uri.fsPath,
            outputFolder: insideWorkspace ? settings.outputFolder : '${workspaceFolder}/multiview',
            parameters,
            api: { apiKey, endpoints: settings.endpoints, requestTimeoutMs: settings.requestTimeoutMs, jobTimeoutMs: settings.jobTimeoutMs, log },
            extensionVersion: String(deps.context.extension.packageJSON.version),
            cameraLayout: settings.cameraLayout,
            saveViews: settings.saveViews,
            signal: abort.signal,
            onProgress: (stage) => {
              const message = describeProgress(stage);
              progress.report({ message });
              job.update(message);
            },
            keepWaiting: askToKeepWaiting,
          });
        } finally {
          subscription.dispose();
          job.end();
        }
      },
    );
    log(`Saved ${output.gridPath}, ${output.viewPaths.length} views and ${path.basename(output.sidecarPath)}`);
    const gridUri = vscode.Uri.file(output.gridPath);
    deps.panels.show({
      imageUri,
      gridUri,
      sidecarUri: vscode.Uri.file(output.sidecarPath),
      sidecar: output.sidecar,
      savedPath: vscode.workspace.asRelativePath(path.dirname(output.gridPath), false),
    });
  } catch (error) {
    await reportFailure(deps, request, error);
  }
}

async function reportFailure(deps: GenerateDependencies, request: JobRequest, error: unknown): Promise<void> {
  const name = path.basename(request.imageUri.path);
  const safe = (text: string) => redactSecret(text, request.apiKey);
  if (isCancellation(error)) {
    deps.log.info('Cancelled by the user; nothing was saved.');
    vscode.window.setStatusBarMessage(`$(circle-slash) ${vscode.l10n.t('Multiview: cancelled, nothing was saved')}`, 5000);
    return;
  }
  deps.log.error(safe(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
  if (isJobError(error, 'UnsupportedImageError')) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: “{0}” is not a readable image: {1}', name, safe(error.message)));
    return;
  }
  if (isJobError(error, 'OutputLocationError')) {
    const action = await vscode.window.showErrorMessage(multiviewMessage(safe(error.message)), vscode.l10n.t('Open Settings'));
    if (action) {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'multiview.outputFolder');
    }
    return;
  }
  const retry = vscode.l10n.t('Try Again');
  if (isApiError(error, 'invalid-key')) {
    const action = await vscode.window.showErrorMessage(multiviewMessage(safe(error.message)), vscode.l10n.t('Set API Key'));
    const newKey = action ? await deps.apiKeys.ask(vscode.l10n.t('Enter a valid API key; the generation then runs again.')) : undefined;
    if (newKey) {
      await runWithProgress(deps, { ...request, apiKey: newKey });
    }
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  // A request the endpoint would refuse fails the same way again: offer only the log.
  const showLog = vscode.l10n.t('Show Log');
  const actions = isApiError(error, 'invalid-request') ? [showLog] : [retry, showLog];
  const action = await vscode.window.showErrorMessage(multiviewMessage(safe(message)), ...actions);
  if (action === retry) {
    await runWithProgress(deps, request);
  } else if (action) {
    deps.log.show(true);
  }
}

/** The settings, or `undefined` after telling the user which one to fix (e.g. a custom preset without its URL). */
function readSettingsOrExplain(scope: vscode.Uri): MultiviewSettings | undefined {
  try {
    return readSettings(scope);
  } catch (error) {
    if (!(error instanceof EndpointConfigurationError)) {
      throw error;
    }
    void vscode.window.showErrorMessage(multiviewMessage(error.message), vscode.l10n.t('Open Settings')).then((action) => {
      if (action) {
        void vscode.commands.executeCommand('workbench.action.openSettings', error.setting);
      }
    });
    return undefined;
  }
}

async function askToKeepWaiting(job: { jobId: string; waitedSeconds: number }): Promise<boolean> {
  const keepWaiting = vscode.l10n.t('Keep Waiting');
  const waited = job.waitedSeconds < 120 ? vscode.l10n.t('{0} s', job.waitedSeconds) : vscode.l10n.t('{0} min', Math.round(job.waitedSeconds / 60));
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Multiview: job {0} is still queued after {1}. Keep waiting for it, or stop (it may still finish on the server)?', job.jobId, waited),
    keepWaiting,
    vscode.l10n.t('Stop'),
  );
  return answer === keepWaiting;
}

/** An error's message (already translated where it was made) behind the extension's name. */
function multiviewMessage(message: string): string {
  return vscode.l10n.t({ message: 'Multiview: {0}', args: [message], comment: '{0} is an error message, a whole sentence.' });
}

function isCancellation(error: unknown): boolean {
  return (
    isApiError(error, 'cancelled') ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError'))
  );
}
