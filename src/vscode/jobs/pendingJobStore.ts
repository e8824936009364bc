/**
 * The jobs the service has queued, kept in workspace state while they wait (their id, fetch URL, parameters, image
 * and target folder: never the key), so that a window reload does not lose them (resumePendingJobs.ts).
 *
 * This is the only user of workspace state: the activation shim (src/extension.ts) loads the features at startup
 * only when workspace state holds anything, so the key is removed as soon as no job is waiting.
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { ResumableJob } from '../../core/generationJob';
import { isRecord } from '../../shared/isRecord';

const STATE_KEY = 'multiview.pendingJobs';

export interface PendingJob {
  id: string;
  job: ResumableJob;
}

export class PendingJobStore {
  constructor(private readonly state: vscode.Memento) {}

  /** Keeps a queued job; returns the id to remove it by. */
  add(job: ResumableJob): string {
    const id = randomUUID();
    void this.save([...this.all(), { id, job }]);
    return id;
  }

  remove(id: string | undefined): void {
    const all = this.all();
    if (id !== undefined && all.some((pending) => pending.id === id)) {
      void this.save(all.filter((pending) => pending.id !== id));
    }
  }

  all(): PendingJob[] {
    const stored = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isPendingJob) : [];
  }

  private save(jobs: PendingJob[]): Thenable<void> {
    return this.state.update(STATE_KEY, jobs.length > 0 ? jobs : undefined);
  }
}

function isPendingJob(value: unknown): value is PendingJob {
  const job = isRecord(value) && typeof value.id === 'string' && isRecord(value.job) ? value.job : undefined;
  return job !== undefined && typeof job.imagePath === 'string' && typeof job.folder === 'string' && typeof job.startedAt === 'string' && isRecord(job.queued);
}
