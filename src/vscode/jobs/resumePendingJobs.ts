/**
 * After a window reload: the jobs the previous window left queued (PendingJobStore) are polled to the end and
 * their results saved and shown as if nothing had happened, without submitting (and paying for) them again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showInformation, showWarning } from '../notifications';
import type { ExtensionServices } from '../services';
import { readSettingsOrExplain } from '../settings';
import type { PendingJob } from './pendingJobStore';
import { reportFailure } from './reportFailure';
import { resumeModel } from '../model/modelCommands';
import { resumeJob, runWithProgress, showResult, withJobProgress } from './runJob';

/** Result links live 24 hours (docs/api-contract.md §3): an older job cannot be downloaded any more. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Resumes the jobs a previous session left queued, each under its own progress notification, after telling the
 * user once. Jobs too old to download are dropped with a message.
 */
export async function resumePendingJobs(services: ExtensionServices): Promise<void> {
  const pending = services.pending.all();
  if (pending.length === 0) {
    return;
  }
  const now = Date.now();
  const expired = pending.filter(({ job }) => !(now - Date.parse(job.startedAt) < MAX_AGE_MS));
  expired.forEach(({ id }) => services.pending.remove(id));
  if (expired.length > 0) {
    void showWarning(vscode.l10n.t('{0} job(s) queued more than 24 hours ago were not resumed: their results have expired.', expired.length));
  }
  const resumable = pending.filter((entry) => !expired.includes(entry));
  if (resumable.length === 0) {
    return;
  }
  const apiKey = await services.apiKeys.get();
  if (!apiKey) {
    // The key was cleared: asking for it now, unprompted, would be a surprise; keep the jobs for later.
    void showWarning(
      vscode.l10n.t('{0} job(s) were queued before the reload, but no API key is set to check on them.', resumable.length),
      vscode.l10n.t('Set API Key'),
    ).then(async (action) => {
      if (action && (await services.apiKeys.ask())) {
        await resumePendingJobs(services);
      }
    });
    return;
  }
  const names = resumable.map(({ job }) => path.basename(job.imagePath)).join(', ');
  void showInformation(vscode.l10n.t('Resuming {0} job(s) queued before the window reloaded: {1}.', resumable.length, names));
  await Promise.all(resumable.map((entry) => (entry.kind === 'model' ? resumeModelJobOf(services, entry, apiKey) : resumeViews(services, entry, apiKey))));
}

async function resumeModelJobOf(services: ExtensionServices, { id, job }: PendingJob & { kind: 'model' }, apiKey: string): Promise<void> {
  const settings = readSettingsOrExplain(vscode.Uri.file(job.sidecarPath));
  if (settings) {
    await resumeModel(services, id, job, apiKey, settings);
  }
}

async function resumeViews(services: ExtensionServices, { id, job }: PendingJob & { kind: 'views' }, apiKey: string): Promise<void> {
  const imageUri = vscode.Uri.file(job.imagePath);
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(job.workspaceFolder)) ?? vscode.workspace.workspaceFolders?.[0];
  const settings = readSettingsOrExplain(imageUri);
  if (!settings || !workspaceFolder) {
    return;
  }
  const title = vscode.l10n.t('Multiview (resumed): {0}', path.basename(job.imagePath));
  try {
    const output = await withJobProgress((control) => resumeJob(services, id, job, apiKey, settings, control), title);
    showResult(services, output);
  } catch (error) {
    // "Try Again" submits the same image and parameters as a new job: the queued one is gone.
    const request = { imageUri, workspaceFolder, parameters: job.parameters, apiKey };
    await reportFailure(services, request, error, (again) => runWithProgress(services, again));
  }
}
