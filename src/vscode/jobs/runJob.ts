/**
 * Running one generation: for a command under a cancellable progress notification (then its panel, or one clear
 * message), for an agent's tool in the status bar (JobStarter), inside a batch, or resumed after a window reload. Every running job shows in the status bar, and while
 * the service has it queued it is kept in workspace state (never the key) so that a reload can pick it up.
 * The work itself is core/generationJob.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type GenerationJobOutput, type PaidJob, type ResumableJob, resumeGenerationJob, runGenerationJob, UnsavedResultError } from '../../core/generationJob';
import { describeImageFailure } from '../../core/imageMessages';
import { runExport } from '../../core/results/exports/resultExport';
import { transparentViewsExport } from '../../core/results/exports/transparentViews';
import { describeProgress, type JobProgress, type JobSession } from '../../core/jobSession';
import type { GenerationParameters } from '../../core/parameters';
import type { HeldLock } from '../../core/fileLock';
import { abortSignalFor } from '../cancellation';
import { showWarning } from '../notifications';
import type { ExtensionServices } from '../services';
import { connectionFor, type MultiviewSettings, outputFolderFor, readSettingsOrExplain } from '../settings';
import { type KeptJobRef, lockJob, RunningElsewhereError } from './jobLocks';
import { askToKeepWaiting, reportFailure } from './reportFailure';

export interface JobRequest {
  imageUri: vscode.Uri;
  workspaceFolder: vscode.WorkspaceFolder;
  parameters: GenerationParameters;
  apiKey: string;
}

/** What the caller of a job controls and sees: its cancellation, each stage as a sentence, the service's rate limits. */
export interface JobControl {
  signal: AbortSignal;
  onProgress?: (message: string) => void;
  onRateLimited?: (retryAfterMs: number) => void;
  /** The grid is saved: show it now (its views follow). */
  onGridSaved?: (result: GenerationJobOutput) => void;
}

/** One job, start to saved files, without a notification of its own (the caller shows progress and errors). */
export async function runJob(services: ExtensionServices, request: JobRequest, settings: MultiviewSettings, control: JobControl): Promise<GenerationJobOutput> {
  const { imageUri, workspaceFolder, parameters, apiKey } = request;
  return tracked(services, path.basename(imageUri.path), control, (session) =>
    keptUntilSaved(services, undefined, (keep) =>
      runGenerationJob({
        ...session,
        ...keep,
        connection: connectionFor(settings, apiKey, services.log),
        imagePath: imageUri.fsPath,
        workspaceFolder: workspaceFolder.uri.fsPath,
        outputFolder: outputFolderFor(settings, imageUri),
        parameters,
        longSide: settings.uploadLongSide,
        frameSubject: settings.frameSubject,
        viewsCutOutNext: settings.viewsBackground === 'transparent',
        cameraLayout: settings.cameraLayout,
        saveViews: settings.saveViews,
      }),
    ).then((output) => withViewsBackground(services, output, settings, apiKey)),
  );
}

/**
 * Runs a generation (or finishes one) keeping it in workspace state from its submission (so that a window closed
 * before the answer can say what may have been charged), while the service has it queued, and from the moment the
 * service says it succeeded until its files are saved. It leaves the store when it is saved, cancelled or
 * failed without a result; one that is paid for but not saved stays there (UnsavedResultError.keptAs) for "Save
 * Again", and for the next window if this one closes first.
 */
async function keptUntilSaved(
  services: ExtensionServices,
  kept: KeptJobRef | undefined,
  work: (keep: { onSubmitting: (job: ResumableJob) => void; onQueued: (job: ResumableJob) => void; onPaid: (job: PaidJob) => void }) => Promise<GenerationJobOutput>,
): Promise<GenerationJobOutput> {
  let id = kept?.id;
  // The window that runs a kept job holds its lock (jobLocks.ts), so that another window on the workspace leaves it be.
  let lock: Promise<HeldLock | undefined> | undefined;
  if (kept !== undefined) {
    lock = lockJob(services, kept);
    if (!(await lock)) throw new RunningElsewhereError(kept.id);
  }
  const keep = (job: ResumableJob) => {
    const keptId = services.pending.put(id, { kind: 'views', job });
    id = keptId;
    lock ??= lockJob(services, { id: keptId, folder: job.folder });
  };
  try {
    const output = await work({ onSubmitting: keep, onQueued: keep, onPaid: keep });
    services.pending.remove(id);
    return output;
  } catch (error) {
    if (error instanceof UnsavedResultError) {
      error.keptAs = id ?? services.pending.put(undefined, { kind: 'views', job: error.job });
    } else {
      services.pending.remove(id);
    }
    throw error;
  } finally {
    await (await lock)?.release();
  }
}

/**
 * With `multiview.views.background` set to transparent, the views just saved are also cut out of the backdrop (in
 * the worker, no credit spent). The result is paid for and saved already: a failure here only leaves it opaque, and
 * says so.
 */
async function withViewsBackground(services: ExtensionServices, output: GenerationJobOutput, settings: MultiviewSettings, apiKey: string): Promise<GenerationJobOutput> {
  if (settings.viewsBackground !== 'transparent' || output.viewPaths.length === 0) {
    return output;
  }
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(output.sidecarPath))?.uri.fsPath;
  try {
    if (!workspaceFolder) throw new Error(vscode.l10n.t('it is not in a folder of this workspace.'));
    const made = await runExport(transparentViewsExport, output, undefined, { engine: services.engine, secret: apiKey, workspaceFolder });
    if (made.sidecarProblem) services.log.warn(`The sidecar ${path.basename(output.sidecarPath)} does not list the transparent views: ${made.sidecarProblem}`);
    return made.result;
  } catch (error) {
    const reason = describeImageFailure(error, path.basename(output.gridPath))?.message ?? (error instanceof Error ? error.message : String(error));
    services.log.error(`Make Views Transparent after the generation of ${path.basename(output.gridPath)}: ${reason}`);
    void showWarning(vscode.l10n.t('The views were saved, but could not be made transparent: {0}', reason));
    return output;
  }
}

/** Finishes a job queued before a window reload (see PendingJobStore); it leaves workspace state when it ends. */
export async function resumeJob(
  services: ExtensionServices,
  pendingId: string,
  job: ResumableJob,
  apiKey: string,
  settings: MultiviewSettings,
  control: JobControl,
): Promise<GenerationJobOutput> {
  return tracked(services, path.basename(job.imagePath), control, (session) =>
    keptUntilSaved(services, { id: pendingId, folder: job.folder }, (keep) => resumeGenerationJob({ ...session, ...keep, connection: connectionFor(settings, apiKey, services.log), job, viewsCutOutNext: settings.viewsBackground === 'transparent' })),
  ).then((output) => withViewsBackground(services, output, settings, apiKey));
}

/**
 * The session a tracked job runs with (any kind of job): shown in the status bar, where it can be cancelled too,
 * while it runs.
 */
export async function tracked<T>(
  services: ExtensionServices,
  name: string,
  control: JobControl,
  work: (session: Omit<JobSession, 'connection'>) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  control.signal.addEventListener('abort', stop, { once: true });
  if (control.signal.aborted) abort.abort();
  const handle = services.jobs.start(name, stop);
  try {
    return await work({
      engine: services.engine,
      extensionVersion: services.extensionVersion,
      signal: abort.signal,
      onProgress: (stage: JobProgress) => {
        const message = describeProgress(stage);
        handle.update(message);
        control.onProgress?.(message);
      },
      onRateLimited: control.onRateLimited,
      onGridSaved: control.onGridSaved,
      keepWaiting: askToKeepWaiting,
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
export async function runWithProgress(services: ExtensionServices, request: JobRequest): Promise<void> {
  const settings = readSettingsOrExplain(request.imageUri);
  if (!settings) {
    return;
  }
  try {
    showResult(services, await runJobUnderProgress(services, request, settings));
  } catch (error) {
    await reportJobFailure(services, request, error);
  }
}

/** reportFailure for a generation: "Try Again" runs it again; "Save Again" saves one that was paid for (no new job). */
export function reportJobFailure(services: ExtensionServices, request: JobRequest, error: unknown): Promise<void> {
  return reportFailure(services, request, error, (again) => runWithProgress(services, again), (unsaved) => saveAgain(services, request.apiKey, unsaved));
}

/** Downloads and saves a paid result again from its kept links, under its own progress; never submits it again. */
export async function saveAgain(services: ExtensionServices, apiKey: string, unsaved: UnsavedResultError): Promise<void> {
  const { job } = unsaved;
  const settings = readSettingsOrExplain(vscode.Uri.file(job.imagePath));
  if (!settings || !unsaved.keptAs) return;
  const title = vscode.l10n.t('Multiview (saving again): {0}', path.basename(job.imagePath));
  const keptAs = unsaved.keptAs;
  try {
    showResult(services, await withJobProgress((control) => resumeJob(services, keptAs, job, apiKey, settings, control), title));
  } catch (error) {
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(job.workspaceFolder));
    if (!workspaceFolder) throw error;
    await reportJobFailure(services, { imageUri: vscode.Uri.file(job.imagePath), workspaceFolder, parameters: job.parameters, apiKey }, error);
  }
}

/**
 * Who started a job, which decides where its progress shows. A command's job runs under a cancellable notification;
 * an agent's tool's job in the window's status bar (ProgressLocation.Window, beside the running-jobs item), because a
 * notification toast sits over the chat's input and its stop button, which is how that job is cancelled.
 */
export type JobStarter = 'command' | 'agent';

/** How a caller that shows the result and the failure itself (a tool) runs a job: who started it, and its own Cancel. */
export interface ProgressOptions {
  startedBy?: JobStarter;
  /** Cancels the job too (a chat's stop button), as the notification's Cancel does. */
  signal?: AbortSignal;
}

/** One job under its progress (see JobStarter), for callers that show its result and its failure themselves. */
export async function runJobUnderProgress(services: ExtensionServices, request: JobRequest, settings: MultiviewSettings, options: ProgressOptions = {}): Promise<GenerationJobOutput> {
  let shown: GenerationJobOutput | undefined;
  try {
    return await withJobProgress(
      (control) =>
        runJob(services, request, settings, {
          ...withSignal(control, options.signal),
          // The grid first, as soon as it is saved; the panel updates with the views a moment later.
          onGridSaved: (result) => {
            shown = result;
            services.panels.showSaved(result);
          },
        }),
      'Multiview',
      options.startedBy,
    );
  } catch (error) {
    // Saving failed after the grid was shown: its files were removed, so its panel would show a broken picture.
    if (shown) await services.panels.closeIfGridGone(shown);
    throw error;
  }
}

/** The control with a caller's own cancellation added to the progress's. */
export function withSignal(control: JobControl, signal: AbortSignal | undefined): JobControl {
  return signal ? { ...control, signal: AbortSignal.any([control.signal, signal]) } : control;
}

/**
 * The progress a single job runs under: its stages as messages (the same ones `tracked` puts in the status bar
 * item's list), its Cancel as the signal. A command's job: a cancellable notification; an agent's: the window's
 * status bar, not cancellable there (the chat's stop button and the running-jobs item cancel it).
 */
export function withJobProgress<T>(work: (control: JobControl) => Promise<T>, title = 'Multiview', startedBy: JobStarter = 'command'): Thenable<T> {
  const location = startedBy === 'agent' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
  return vscode.window.withProgress({ location, title, cancellable: startedBy !== 'agent' }, async (progress, token) => {
    const cancellation = abortSignalFor(token);
    try {
      return await work({ signal: cancellation.signal, onProgress: (message) => progress.report({ message }) });
    } finally {
      cancellation.dispose();
    }
  });
}

export function showResult(services: ExtensionServices, output: GenerationJobOutput): void {
  services.log.info(`Saved ${output.gridPath}, ${output.viewPaths.length} views and ${path.basename(output.sidecarPath)}`);
  services.panels.showSaved(output);
}
