/**
 * Runs generations for the commands: one job under a cancellable progress notification (then its panel, or one
 * clear message), the same job inside a batch, or a job resumed after a window reload. Every running job shows in
 * the status bar, and while the server has it queued it is kept in workspace state (never the key) so that a
 * reload can pick it up. The work itself is in core/generationJob.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EndpointConfigurationError } from '../api/presets';
import { redactSecret } from '../api/redact';
import type { GenerationJobOutput, JobProgress, ResumableJob } from '../core/generationJob';
import { isApiError, isJobError } from '../core/loadGenerationJob';
import type { GenerationParameters } from '../core/parameters';
import type { ApiKeyStore } from './apiKeyStore';
import { loadLocalizedGenerationJob } from './localization';
import type { PendingJobs } from './pendingJobs';
import type { ResultPanels } from './resultPanel';
import type { RunningJobs } from './runningJobs';
import { type MultiviewSettings, readSettings } from './settings';

export interface GenerateDependencies {
  context: vscode.ExtensionContext;
  apiKeys: ApiKeyStore;
  panels: ResultPanels;
  jobs: RunningJobs;
  pending: PendingJobs;
  log: vscode.LogOutputChannel;
}

export interface JobRequest {
  imageUri: vscode.Uri;
  workspaceFolder: vscode.WorkspaceFolder;
  parameters: GenerationParameters;
  apiKey: string;
}

/** What a caller sees of a running job: cancellation, and each stage as a sentence. */
export interface JobControl {
  signal: AbortSignal;
  onProgress?: (message: string, stage: JobProgress) => void;
}

/** One job, start to saved files, without any notification of its own (the caller shows progress and errors). */
export async function runJob(deps: GenerateDependencies, request: JobRequest, settings: MultiviewSettings, control: JobControl): Promise<GenerationJobOutput> {
  const { imageUri, workspaceFolder, parameters, apiKey } = request;
  const insideWorkspace = vscode.workspace.getWorkspaceFolder(imageUri) !== undefined;
  const { describeProgress, runGenerationJob } = loadLocalizedGenerationJob();
  let pendingId: string | undefined;
  return tracked(deps, path.basename(imageUri.path), control, describeProgress, async (signal, onProgress) => {
    try {
      return await runGenerationJob({
        imagePath: imageUri.fsPath,
        workspaceFolder: workspaceFolder.uri.fsPath,
        outputFolder: insideWorkspace ? settings.outputFolder : '${workspaceFolder}/multiview',
        parameters,
        api: apiOptions(deps, settings, apiKey),
        extensionVersion: extensionVersion(deps),
        cameraLayout: settings.cameraLayout,
        saveViews: settings.saveViews,
        signal,
        onProgress,
        keepWaiting: askToKeepWaiting,
        onQueued: (job) => {
          pendingId = deps.pending.add(job);
        },
      });
    } finally {
      deps.pending.remove(pendingId);
    }
  });
}

/** Finishes a job queued before a window reload (see PendingJobs); it leaves workspace state when it ends. */
export async function resumeJob(deps: GenerateDependencies, pendingId: string, job: ResumableJob, apiKey: string, settings: MultiviewSettings, control: JobControl): Promise<GenerationJobOutput> {
  const { describeProgress, resumeGenerationJob } = loadLocalizedGenerationJob();
  try {
    return await tracked(deps, path.basename(job.imagePath), control, describeProgress, (signal, onProgress) =>
      resumeGenerationJob({ job, api: apiOptions(deps, settings, apiKey), extensionVersion: extensionVersion(deps), signal, onProgress, keepWaiting: askToKeepWaiting }),
    );
  } finally {
    deps.pending.remove(pendingId);
  }
}

/** Shows the job in the status bar (where it can be cancelled too) while it runs. */
async function tracked<T>(
  deps: GenerateDependencies,
  imageName: string,
  control: JobControl,
  describeProgress: (stage: JobProgress) => string,
  work: (signal: AbortSignal, onProgress: (stage: JobProgress) => void) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  control.signal.addEventListener('abort', stop, { once: true });
  if (control.signal.aborted) abort.abort();
  const handle = deps.jobs.start(imageName, stop);
  try {
    return await work(abort.signal, (stage) => {
      const message = describeProgress(stage);
      handle.update(message);
      control.onProgress?.(message, stage);
    });
  } finally {
    control.signal.removeEventListener('abort', stop);
    handle.end();
  }
}

/**
 * One job under a cancellable progress notification; then its panel, or one clear message with what can be done
 * (set the key again, try again, open the settings or the log).
 */
export async function runWithProgress(deps: GenerateDependencies, request: JobRequest): Promise<void> {
  const settings = readSettingsOrExplain(request.imageUri);
  if (!settings) {
    return;
  }
  try {
    const output = await withJobProgress((control) => runJob(deps, request, settings, control));
    showResult(deps, request.imageUri, output);
  } catch (error) {
    await reportFailure(deps, request, error, () => runWithProgress(deps, request));
  }
}

/** The progress notification every single job runs under: its stages as messages, its Cancel as the signal. */
export function withJobProgress<T>(work: (control: JobControl) => Promise<T>, title = 'Multiview'): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    try {
      return await work({ signal: abort.signal, onProgress: (message) => progress.report({ message }) });
    } finally {
      subscription.dispose();
    }
  });
}

export function showResult(deps: GenerateDependencies, imageUri: vscode.Uri, output: GenerationJobOutput): void {
  deps.log.info(`Saved ${output.gridPath}, ${output.viewPaths.length} views and ${path.basename(output.sidecarPath)}`);
  deps.panels.show({
    imageUri,
    gridUri: vscode.Uri.file(output.gridPath),
    sidecarUri: vscode.Uri.file(output.sidecarPath),
    sidecar: output.sidecar,
    savedPath: vscode.workspace.asRelativePath(path.dirname(output.gridPath), false),
  });
}

/** One clear message for a failed job, with the action that can fix it; `retry` runs the job again. */
export async function reportFailure(deps: GenerateDependencies, request: JobRequest, error: unknown, retry: () => Promise<void>): Promise<void> {
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
  const tryAgain = vscode.l10n.t('Try Again');
  const showLog = vscode.l10n.t('Show Log');
  const actions = isApiError(error, 'invalid-request') ? [showLog] : [tryAgain, showLog];
  const action = await vscode.window.showErrorMessage(multiviewMessage(safe(message)), ...actions);
  if (action === tryAgain) {
    await retry();
  } else if (action) {
    deps.log.show(true);
  }
}

/** The settings, or `undefined` after telling the user which one to fix (e.g. a custom preset without its URL). */
export function readSettingsOrExplain(scope: vscode.Uri): MultiviewSettings | undefined {
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

/** An error's message (already translated where it was made) behind the extension's name. */
export function multiviewMessage(message: string): string {
  return vscode.l10n.t({ message: 'Multiview: {0}', args: [message], comment: '{0} is an error message, a whole sentence.' });
}

export function isCancellation(error: unknown): boolean {
  return (
    isApiError(error, 'cancelled') ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError'))
  );
}

function apiOptions(deps: GenerateDependencies, settings: MultiviewSettings, apiKey: string) {
  return {
    apiKey,
    endpoints: settings.endpoints,
    requestTimeoutMs: settings.requestTimeoutMs,
    jobTimeoutMs: settings.jobTimeoutMs,
    log: (line: string) => deps.log.info(redactSecret(line, apiKey)),
  };
}

function extensionVersion(deps: GenerateDependencies): string {
  return String(deps.context.extension.packageJSON.version);
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
