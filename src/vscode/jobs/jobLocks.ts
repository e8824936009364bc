/**
 * Which window finishes a kept job. Every window on a workspace reads the same kept jobs (PendingJobStore); the one
 * that runs or resumes a job holds its lock, in the workspace's storage, until the job ends. Another window that
 * finds the lock held says the job runs elsewhere and shows its result once it is saved (or finishes the job itself
 * if that window went away first).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type HeldLock, tryLock } from '../../core/fileLock';
import type { ExtensionServices } from '../services';

/** A kept job another window of this workspace is finishing. */
export class RunningElsewhereError extends Error {
  override name = 'RunningElsewhereError';
}

function lockPath(services: ExtensionServices, pendingId: string): string {
  return path.join(services.jobLocksFolder, `job-${pendingId}.lock`);
}

/**
 * The job's lock, or undefined when another window holds it. A storage folder that cannot take the lock never
 * stops a job: it then runs unlocked (as it would with one window), and the log says why.
 */
export async function lockJob(services: ExtensionServices, pendingId: string): Promise<HeldLock | undefined> {
  try {
    await fs.mkdir(services.jobLocksFolder, { recursive: true });
    return await tryLock(lockPath(services, pendingId));
  } catch (error) {
    services.log.warn(`The lock of a kept job could not be taken in ${services.jobLocksFolder}: ${error instanceof Error ? error.message : String(error)}`);
    return { release: async () => undefined };
  }
}

/** Whether another window holds the job's lock now. */
export async function lockedElsewhere(services: ExtensionServices, pendingId: string): Promise<boolean> {
  const lock = await lockJob(services, pendingId);
  await lock?.release();
  return lock === undefined;
}
