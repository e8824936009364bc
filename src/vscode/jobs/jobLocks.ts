/**
 * Which window finishes a kept job. Every window on a workspace reads the same kept jobs (PendingJobStore); the one
 * that runs or resumes a job holds its lock until the job ends. Another window that finds the lock held says the job
 * runs elsewhere and shows its result once it is saved (or finishes the job itself if that window went away first).
 * The lock lives in the job's output folder, which every window sees: VS Code gives a second window of a workspace a
 * storage folder of its own ("<workspace storage>-1"), so a lock there would never be seen by the first.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type HeldLock, tryLock } from '../../core/fileLock';
import type { ExtensionServices } from '../services';

/** A kept job another window of this workspace is finishing. */
export class RunningElsewhereError extends Error {
  override name = 'RunningElsewhereError';
}

/** What locates a kept job's lock: its id in the store and the folder its files go to. */
export interface KeptJobRef {
  id: string;
  folder: string;
}

/**
 * The job's lock, or undefined when another window holds it. A folder that cannot take the lock never stops a job:
 * it then runs unlocked (as it would with one window), and the log says why.
 */
export async function lockJob(services: ExtensionServices, job: KeptJobRef): Promise<HeldLock | undefined> {
  try {
    await fs.mkdir(job.folder, { recursive: true });
    return await tryLock(path.join(job.folder, `.multiview-job-${job.id}.lock`));
  } catch (error) {
    services.log.warn(`The lock of a kept job could not be taken in ${job.folder}: ${error instanceof Error ? error.message : String(error)}`);
    return { release: async () => undefined };
  }
}

/** Whether another window holds the job's lock now. */
export async function lockedElsewhere(services: ExtensionServices, job: KeptJobRef): Promise<boolean> {
  const lock = await lockJob(services, job);
  await lock?.release();
  return lock === undefined;
}
