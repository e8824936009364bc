/**
 * The jobs the service has queued, kept in workspace state while they wait (their id, fetch URL, parameters, image
 * and target folder: never the key), so that a window reload does not lose them (resumePendingJobs.ts); and the
 * generations the service finished (paid for) whose result links are kept until the files are saved, so that a
 * failed save (a full disk) or a reload saves them again without a new job. A job is a generation (the six views)
 * or a 3D model made from a result.
 *
 * This is the only user of workspace state: the activation shim (src/extension.ts) loads the features at startup
 * only when workspace state holds anything, so the key is removed as soon as no job is waiting.
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { ResumableJob } from '../../core/generationJob';
import type { ResumableModelJob } from '../../core/modelJob';
import { isRecord } from '../../shared/isRecord';

const STATE_KEY = 'multiview.pendingJobs';

export type QueuedWork = { kind: 'views'; job: ResumableJob } | { kind: 'model'; job: ResumableModelJob };

export type PendingJob = QueuedWork & { id: string };

export class PendingJobStore {
  constructor(private readonly state: vscode.Memento) {}

  /** Keeps a queued job; returns the id to remove it by. */
  add(work: QueuedWork): string {
    const id = randomUUID();
    void this.save([...this.all(), { ...work, id }]);
    return id;
  }

  /** Keeps `work` under `id` (replacing what was kept there), or as a new entry when `id` is undefined or gone. */
  put(id: string | undefined, work: QueuedWork): string {
    const all = this.all();
    if (id === undefined || !all.some((pending) => pending.id === id)) {
      return this.add(work);
    }
    void this.save(all.map((pending) => (pending.id === id ? { ...work, id } : pending)));
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
    return Array.isArray(stored) ? stored.flatMap(asPendingJob) : [];
  }

  private save(jobs: PendingJob[]): Thenable<void> {
    return this.state.update(STATE_KEY, jobs.length > 0 ? jobs : undefined);
  }
}

/**
 * A stored entry, checked (what a resume reads must be there); one kept before there were model jobs has no `kind`
 * and is a generation. A kind this version does not know (a newer version's) is left out.
 */
function asPendingJob(value: unknown): PendingJob[] {
  const job = isRecord(value) && typeof value.id === 'string' && isRecord(value.job) && isRecord(value.job.queued) ? value.job : undefined;
  if (!job || typeof job.startedAt !== 'string' || typeof job.imagePath !== 'string' || typeof job.workspaceFolder !== 'string' || !isRecord(job.sent) || !isRecord(job.parameters)) {
    return [];
  }
  const { id, kind } = value as { id: string; kind?: unknown };
  if (kind === 'model') {
    return typeof job.sidecarPath === 'string' && typeof job.input === 'string' ? [{ id, kind, job: job as unknown as ResumableModelJob }] : [];
  }
  if (!((kind === undefined || kind === 'views') && typeof job.folder === 'string')) {
    return [];
  }
  // A finished job's links must be a list of texts; anything else is not kept (the job is polled again instead).
  const finished = isRecord(job.finished) && typeof job.finished.jobId === 'string' && Array.isArray(job.finished.outputUrls) && job.finished.outputUrls.every((url) => typeof url === 'string') ? job.finished : undefined;
  const { finished: _dropped, awaitingAnswer, ...rest } = job;
  return [
    {
      id,
      kind: 'views',
      job: {
        ...(rest as unknown as ResumableJob),
        ...(finished ? { finished: { proxyUrls: [], meta: {}, ...finished } as unknown as ResumableJob['finished'] } : {}),
        ...(awaitingAnswer === true ? { awaitingAnswer: true } : {}),
      },
    },
  ];
}
