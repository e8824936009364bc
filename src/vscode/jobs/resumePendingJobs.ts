/**
 * After a window reload: the jobs the previous window left queued (PendingJobStore) are polled to the end and
 * their results saved and shown as if nothing had happened, without submitting (and paying for) them again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { outputStem, removeLeftoverTemporaryFiles } from '../../core/outputFiles';
import { findSavedResultOfJob } from '../../core/results/resultFiles';
import { showInformation, showWarning } from '../notifications';
import type { ExtensionServices } from '../services';
import { readSettingsOrExplain } from '../settings';
import type { PendingJob } from './pendingJobStore';
import { lockedElsewhere, RunningElsewhereError } from './jobLocks';
import { RESULT_LINKS_LIVE_MS } from './reportFailure';
import { resumeModel } from '../model/modelCommands';
import { reportJobFailure, resumeJob, showResult, withJobProgress } from './runJob';


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
  const expired = pending.filter(({ job }) => !(now - Date.parse(job.startedAt) < RESULT_LINKS_LIVE_MS));
  expired.forEach(({ id }) => services.pending.remove(id));
  if (expired.length > 0) {
    void showWarning(vscode.l10n.t('{0} job(s) queued more than 24 hours ago were not resumed: their results have expired.', expired.length));
  }
  // Closed while a submission waited for its answer: the service may have run it, but under an id never received.
  const unanswered = pending.filter((entry) => !expired.includes(entry) && entry.kind === 'views' && entry.job.awaitingAnswer === true && !entry.job.finished);
  unanswered.forEach(({ id }) => services.pending.remove(id));
  for (const { job } of unanswered) {
    void showWarning(
      vscode.l10n.t(
        'The window closed while the generation of {0} was being submitted, before the service answered. It may have run (and been charged) without Multiview receiving its id, so it cannot be saved here; check your account’s history. Nothing was submitted again.',
        path.basename(job.imagePath),
      ),
    );
  }
  const resumable = pending.filter((entry) => !expired.includes(entry) && !unanswered.includes(entry));
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
  // Jobs another window of this workspace is finishing are followed, not announced as resumed here.
  const elsewhere = new Set<PendingJob>();
  for (const entry of resumable) {
    if (entry.kind === 'views' && (await lockedElsewhere(services, { id: entry.id, folder: entry.job.folder }))) elsewhere.add(entry);
  }
  const names = (entries: PendingJob[]) => entries.map(({ job }) => path.basename(job.imagePath)).join(', ');
  const here = resumable.filter((entry) => !elsewhere.has(entry));
  const paid = here.filter((entry) => entry.kind === 'views' && entry.job.finished !== undefined);
  const queued = here.filter((entry) => !paid.includes(entry));
  if (queued.length > 0) void showInformation(vscode.l10n.t('Resuming {0} job(s) queued before the window reloaded: {1}.', queued.length, names(queued)));
  if (paid.length > 0) void showInformation(vscode.l10n.t('Saving {0} result(s) paid for but not saved before: {1}. No new job is submitted.', paid.length, names(paid)));
  await Promise.all(
    resumable.map((entry) =>
      entry.kind === 'model' ? resumeModelJobOf(services, entry, apiKey) : elsewhere.has(entry) ? followOtherWindow(services, entry, apiKey) : resumeViews(services, entry, apiKey),
    ),
  );
}

async function resumeModelJobOf(services: ExtensionServices, { id, job }: PendingJob & { kind: 'model' }, apiKey: string): Promise<void> {
  const settings = readSettingsOrExplain(vscode.Uri.file(job.sidecarPath));
  if (settings) {
    await resumeModel(services, id, job, apiKey, settings);
  }
}

/** How often a window checks on a job another window of the workspace is finishing. */
const OTHER_WINDOW_CHECK_MS = 3000;

/**
 * A job another window of this workspace is finishing: said once, then its result is shown here when it is saved;
 * should that window go away first (its lock no longer held), this window finishes the job.
 */
async function followOtherWindow(services: ExtensionServices, entry: PendingJob & { kind: 'views' }, apiKey: string): Promise<void> {
  const { job } = entry;
  const name = path.basename(job.imagePath);
  void showInformation(vscode.l10n.t('The job of {0} is being finished in another window of this workspace; its result will show here too.', name));
  const jobId = job.finished?.jobId ?? job.queued.jobId;
  const giveUpAt = Date.parse(job.startedAt) + RESULT_LINKS_LIVE_MS;
  while (Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, OTHER_WINDOW_CHECK_MS));
    const saved = jobId === undefined ? undefined : await findSavedResultOfJob(job.folder, name, jobId, job.workspaceFolder);
    if (saved) {
      services.pending.remove(entry.id);
      services.panels.showSaved(saved);
      return;
    }
    if (!(await lockedElsewhere(services, { id: entry.id, folder: job.folder }))) {
      return resumeViews(services, entry, apiKey);
    }
  }
}

async function resumeViews(services: ExtensionServices, { id, job }: PendingJob & { kind: 'views' }, apiKey: string): Promise<void> {
  const imageUri = vscode.Uri.file(job.imagePath);
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(job.workspaceFolder)) ?? vscode.workspace.workspaceFolders?.[0];
  const settings = readSettingsOrExplain(imageUri);
  if (!settings || !workspaceFolder) {
    return;
  }
  const name = path.basename(job.imagePath);
  const title = vscode.l10n.t('Multiview (resumed): {0}', name);
  const jobId = job.finished?.jobId ?? job.queued.jobId;
  // Another window on this workspace saved it already: show it, never save a second copy.
  const saved = jobId === undefined ? undefined : await findSavedResultOfJob(job.folder, name, jobId, job.workspaceFolder);
  if (saved) {
    services.pending.remove(id);
    services.panels.showSaved(saved);
    return;
  }
  if (await lockedElsewhere(services, { id, folder: job.folder })) {
    await followOtherWindow(services, { id, kind: 'views', job }, apiKey);
    return;
  }
  // A window that was killed while writing this job's files left their temporary files behind.
  if (jobId !== undefined) {
    const removed = await removeLeftoverTemporaryFiles(job.folder, outputStem(name, jobId));
    if (removed > 0) services.log.info(`Removed ${removed} temporary file(s) a closed window left in ${job.folder}`);
  }
  try {
    const output = await withJobProgress((control) => resumeJob(services, id, job, apiKey, settings, control), title);
    showResult(services, output);
  } catch (error) {
    if (error instanceof RunningElsewhereError) {
      await followOtherWindow(services, { id, kind: 'views', job }, apiKey);
      return;
    }
    // "Try Again" submits the same image and parameters as a new job: the queued one is gone. "Save Again" saves
    // one that was paid for.
    await reportJobFailure(services, { imageUri, workspaceFolder, parameters: job.parameters, apiKey }, error);
  }
}
