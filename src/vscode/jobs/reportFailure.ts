/** What the user is told when a job ends without a result: one clear message, with the action that can fix it. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MultiviewApiError } from '../../api/errors';
import { redactSecret } from '../../api/redact';
import { UnsavedResultError } from '../../core/generationJob';
import { isCancellation } from '../../core/jobSession';
import { describeImageFailure } from '../../core/imageMessages';
import { OutputLocationError } from '../../core/outputFiles';
import { formatDuration } from '../../shared/format';
import { multiviewMessage, openSetting, showError } from '../notifications';
import type { ExtensionServices } from '../services';

/** Result links live 24 hours (docs/api-contract.md §3): how long a paid result can be saved again. */
export const RESULT_LINKS_LIVE_MS = 24 * 60 * 60 * 1000;

/** What a failed job was: enough to name it, keep its key out of every message and run it again. */
interface FailedJob {
  imageUri: vscode.Uri;
  apiKey: string;
}

/**
 * One clear message for a failed job, with the action that can fix it; `rerun` runs the job again (with a new key
 * after "Set API Key", as it was after "Try Again").
 */
export async function reportFailure<Job extends FailedJob>(
  services: ExtensionServices,
  request: Job,
  error: unknown,
  rerun: (job: Job) => Promise<void>,
  saveAgain?: (unsaved: UnsavedResultError) => Promise<void>,
): Promise<void> {
  const name = path.basename(request.imageUri.path);
  const safe = (text: string) => redactSecret(text, request.apiKey);
  if (isCancellation(error)) {
    services.log.info('Cancelled by the user; nothing was saved.');
    vscode.window.setStatusBarMessage(`$(circle-slash) ${multiviewMessage(vscode.l10n.t('cancelled, nothing was saved'))}`, 5000);
    return;
  }
  services.log.error(safe(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
  if (error instanceof UnsavedResultError && saveAgain) {
    // Paid for: "Try Again" would pay again. The links live 24 hours from the job's start.
    const saveAgainLabel = vscode.l10n.t('Save Again');
    const showLog = vscode.l10n.t('Show Log');
    const until = new Date(Date.parse(error.job.startedAt) + RESULT_LINKS_LIVE_MS).toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' });
    const action = await showError(
      safe(`${error.message} ${vscode.l10n.t('Fix that, then choose Save Again: no new job is submitted, its links last until {0}.', until)}`),
      saveAgainLabel,
      showLog,
    );
    if (action === saveAgainLabel) {
      await saveAgain(error);
    } else if (action === showLog) {
      services.log.show(true);
    }
    return;
  }
  const imageFailure = describeImageFailure(error, name);
  if (imageFailure && !imageFailure.mayRetry) {
    void showError(imageFailure.message);
    return;
  }
  if (error instanceof OutputLocationError) {
    if (await showError(safe(error.message), vscode.l10n.t('Open Settings'))) {
      void openSetting('multiview.outputFolder');
    }
    return;
  }
  if (error instanceof MultiviewApiError && error.kind === 'invalid-key') {
    const action = await showError(safe(error.message), vscode.l10n.t('Set API Key'));
    const newKey = action ? await services.apiKeys.ask(vscode.l10n.t('Enter a valid API key; the generation then runs again.')) : undefined;
    if (newKey) {
      await rerun({ ...request, apiKey: newKey });
    }
    return;
  }
  const message = imageFailure?.message ?? (error instanceof Error ? error.message : String(error));
  // A request the endpoint would refuse fails the same way again: offer only the log.
  const tryAgain = vscode.l10n.t('Try Again');
  const showLog = vscode.l10n.t('Show Log');
  const actions = error instanceof MultiviewApiError && error.kind === 'invalid-request' ? [showLog] : [tryAgain, showLog];
  const action = await showError(safe(message), ...actions);
  if (action === tryAgain) {
    await rerun(request);
  } else if (action) {
    services.log.show(true);
  }
}

/** Asked when a job is still queued at the time limit (multiview.timeouts.jobSeconds). */
export async function askToKeepWaiting(job: { jobId: string; waitedSeconds: number }): Promise<boolean> {
  const keepWaiting = vscode.l10n.t('Keep Waiting');
  const answer = await vscode.window.showWarningMessage(
    multiviewMessage(
      vscode.l10n.t('Job {0} is still queued after {1}. Keep waiting for it, or stop (it may still finish on the server)?', job.jobId, formatDuration(job.waitedSeconds * 1000)),
    ),
    keepWaiting,
    vscode.l10n.t('Stop'),
  );
  return answer === keepWaiting;
}
