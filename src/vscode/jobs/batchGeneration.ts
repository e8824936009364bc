/**
 * Several images selected in the Explorer: one job each, with the same answers, a bounded number at a time
 * (`multiview.batch.concurrency`), under one progress notification that counts what is done and what failed, and
 * one summary at the end. A failure of one job never stops the others (except a rejected key, which would fail
 * them all).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MultiviewApiError } from '../../api/errors';
import { redactSecret } from '../../api/redact';
import { type BatchOutcome, runBatch, StartGate } from '../../core/batch';
import { type GenerationJobOutput, UnsavedResultError } from '../../core/generationJob';
import { isCancellation } from '../../core/jobSession';
import { abortSignalFor } from '../cancellation';
import { showError, showInformation, showWarning } from '../notifications';
import type { ExtensionServices } from '../services';
import type { MultiviewSettings } from '../settings';
import { type JobRequest, runJob, saveAgain, showResult } from './runJob';

const isRejectedKey = (error: unknown): boolean => error instanceof MultiviewApiError && error.kind === 'invalid-key';

/** `settings`: those the quick input was answered with (a batch offers no "Try Again" that would re-read them). */
export async function runBatchWithProgress(services: ExtensionServices, requests: JobRequest[], settings: MultiviewSettings): Promise<void> {
  const apiKey = requests[0].apiKey;
  const total = requests.length;
  const title = vscode.l10n.t('Multiview: {0} images', total);
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const cancellation = abortSignalFor(token);
      // Cancel stops them all; so does a rejected key, which every other job would meet too.
      const abort = new AbortController();
      const stopAll = () => abort.abort();
      cancellation.signal.addEventListener('abort', stopAll, { once: true });
      const gate = new StartGate();
      let done = 0;
      let failed = 0;
      let running = 0;
      const report = (increment?: number) =>
        progress.report({ increment, message: vscode.l10n.t('{0} done, {1} failed, {2} running, of {3}', done, failed, running, total) });
      try {
        return await runBatch<JobRequest, GenerationJobOutput>(
          requests,
          {
            concurrency: settings.batchConcurrency,
            signal: abort.signal,
            gate,
            onSettled: (outcome) => {
              if (outcome.ok) done++;
              else failed++;
              if (!outcome.ok && isRejectedKey(outcome.error)) {
                stopAll();
              }
              report(100 / total);
            },
          },
          async (request) => {
            running++;
            report();
            try {
              return await runJob(services, request, settings, {
                signal: abort.signal,
                // The service asked to wait: no new job starts before it may (the job itself retries).
                onRateLimited: (retryAfterMs) => gate.holdFor(retryAfterMs),
              });
            } finally {
              running--;
            }
          },
        );
      } finally {
        cancellation.signal.removeEventListener('abort', stopAll);
        cancellation.dispose();
      }
    },
  );
  await summarize(services, outcomes, apiKey);
}

async function summarize(services: ExtensionServices, outcomes: BatchOutcome<JobRequest, GenerationJobOutput>[], apiKey: string): Promise<void> {
  const results = outcomes.filter((outcome) => outcome.ok);
  const failures = outcomes.filter((outcome) => !outcome.ok);
  const cancelled = failures.filter((outcome) => isCancellation(outcome.error));
  const errors = failures.filter((outcome) => !cancelled.includes(outcome));
  const name = (outcome: { item: JobRequest }) => path.basename(outcome.item.imageUri.path);
  for (const outcome of errors) {
    const error = (outcome as { error: unknown }).error;
    services.log.error(redactSecret(`${name(outcome)}: ${error instanceof Error ? error.message : String(error)}`, apiKey));
  }
  const openResults = vscode.l10n.t('Open Results');
  const showLog = vscode.l10n.t('Show Log');
  const setKey = vscode.l10n.t('Set API Key');
  const saveAgainLabel = vscode.l10n.t('Save Again');
  // Paid for but not saved (a full disk, say): saved again from their links, not submitted again.
  const unsaved = errors.map((outcome) => (outcome as { error: unknown }).error).filter((error): error is UnsavedResultError => error instanceof UnsavedResultError);
  const actions = [...(results.length > 0 ? [openResults] : []), ...(unsaved.length > 0 ? [saveAgainLabel] : []), ...(errors.length > 0 ? [showLog] : [])];
  let action: string | undefined;
  if (errors.some((outcome) => isRejectedKey((outcome as { error: unknown }).error))) {
    action = await showError(
      vscode.l10n.t('The service rejected the API key, so the batch stopped: {0} of {1} images done.', results.length, outcomes.length),
      ...actions.filter((item) => item !== showLog),
      setKey,
    );
  } else if (errors.length === 0 && cancelled.length === 0) {
    action = await showInformation(vscode.l10n.t('All {0} images done; their views are saved.', outcomes.length), ...actions);
  } else {
    const failedNames = errors.map(name).join(', ');
    const summary =
      errors.length === 0
        ? vscode.l10n.t('Batch cancelled: {0} of {1} images done, nothing saved for the others.', results.length, outcomes.length)
        : vscode.l10n.t('{0} of {1} images done, {2} failed ({3}); the log says why.', results.length, outcomes.length, errors.length, failedNames);
    action = await showWarning(summary, ...actions);
  }
  if (action === openResults) {
    for (const outcome of results) {
      if (outcome.ok) showResult(services, outcome.value);
    }
  } else if (action === showLog) {
    services.log.show(true);
  } else if (action === setKey) {
    await services.apiKeys.ask();
  } else if (action === saveAgainLabel) {
    for (const error of unsaved) await saveAgain(services, apiKey, error);
  }
}
