/**
 * Jobs that survive a window reload. While the server has a job queued, what is needed to finish it (its id and
 * fetch URL, the parameters, the image and the target folder: never the key) is kept in workspace state; when the
 * window comes back, polling resumes and the result is saved and shown as if nothing had happened.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResumableJob } from '../core/generationJob';
import { isRecord } from '../shared/isRecord';
import { type GenerateDependencies, multiviewMessage, readSettingsOrExplain, reportFailure, resumeJob, runWithProgress, showResult, withJobProgress } from './jobRunner';

const STATE_KEY = 'multiview.pendingJobs';
/** Result links live 24 hours (api-contract.md): an older job cannot be downloaded any more. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

interface PendingJob {
  id: string;
  job: ResumableJob;
}

export class PendingJobs {
  constructor(private readonly state: vscode.Memento) {}

  /** Keeps a queued job; returns the id to remove it by. */
  add(job: ResumableJob): string {
    const id = randomUUID();
    void this.state.update(STATE_KEY, [...this.all(), { id, job }]);
    return id;
  }

  remove(id: string | undefined): void {
    if (id !== undefined && this.all().some((pending) => pending.id === id)) {
      void this.state.update(STATE_KEY, this.all().filter((pending) => pending.id !== id));
    }
  }

  all(): PendingJob[] {
    const stored = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isPendingJob) : [];
  }
}

/**
 * Resumes the jobs a previous session left queued, each under its own progress notification, after telling the
 * user once. Jobs too old to download are dropped with a message.
 */
export async function resumePendingJobs(deps: GenerateDependencies): Promise<void> {
  const pending = deps.pending.all();
  if (pending.length === 0) {
    return;
  }
  const now = Date.now();
  const expired = pending.filter(({ job }) => !(now - Date.parse(job.startedAt) < MAX_AGE_MS));
  expired.forEach(({ id }) => deps.pending.remove(id));
  if (expired.length > 0) {
    void vscode.window.showWarningMessage(
      multiviewMessage(vscode.l10n.t('{0} job(s) queued more than 24 hours ago were not resumed: their results have expired.', expired.length)),
    );
  }
  const resumable = pending.filter((entry) => !expired.includes(entry));
  if (resumable.length === 0) {
    return;
  }
  const apiKey = await deps.apiKeys.get();
  if (!apiKey) {
    // The key was cleared: asking for it now, unprompted, would be a surprise; keep the jobs for later.
    void vscode.window.showWarningMessage(
      multiviewMessage(vscode.l10n.t('{0} job(s) were queued before the reload, but no API key is set to check on them.', resumable.length)),
      vscode.l10n.t('Set API Key'),
    ).then(async (action) => {
      if (action && (await deps.apiKeys.ask())) {
        await resumePendingJobs(deps);
      }
    });
    return;
  }
  const names = resumable.map(({ job }) => path.basename(job.imagePath)).join(', ');
  void vscode.window.showInformationMessage(
    multiviewMessage(vscode.l10n.t('Resuming {0} job(s) queued before the window reloaded: {1}.', resumable.length, names)),
  );
  await Promise.all(resumable.map((entry) => resumeOne(deps, entry, apiKey)));
}

async function resumeOne(deps: GenerateDependencies, { id, job }: PendingJob, apiKey: string): Promise<void> {
  const imageUri = vscode.Uri.file(job.imagePath);
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(job.workspaceFolder)) ?? vscode.workspace.workspaceFolders?.[0];
  const settings = readSettingsOrExplain(imageUri);
  if (!settings || !workspaceFolder) {
    return;
  }
  const title = vscode.l10n.t('Multiview (resumed): {0}', path.basename(job.imagePath));
  try {
    const output = await withJobProgress((control) => resumeJob(deps, id, job, apiKey, settings, control), title);
    showResult(deps, imageUri, output);
  } catch (error) {
    // "Try Again" submits the same image and parameters as a new job: the queued one is gone.
    const request = { imageUri, workspaceFolder, parameters: job.parameters, apiKey };
    await reportFailure(deps, request, error, () => runWithProgress(deps, request));
  }
}

function isPendingJob(value: unknown): value is PendingJob {
  const job = isRecord(value) && typeof value.id === 'string' && isRecord(value.job) ? value.job : undefined;
  return job !== undefined && typeof job.imagePath === 'string' && typeof job.folder === 'string' && typeof job.startedAt === 'string' && isRecord(job.queued);
}
