/**
 * What every job of the pipeline is given (a generation, a background removal, a 3D model), whether it starts or
 * resumes, and the stages it reports.
 */
import * as l10n from '@vscode/l10n';
import type { CallOptions, MultiviewClientOptions } from '../api/client';
import { MultiviewApiError } from '../api/errors';
import type { JobStage } from '../api/types';
import type { ImageEngine } from '../image/engine';
import { formatBytes } from '../shared/format';
import type { SavedResult } from './readSidecar';

export type JobProgress = { stage: 'preparing' } | { stage: 'removing-background' } | JobStage | { stage: 'saving' } | { stage: 'cutting-views' };

export interface JobSession {
  /** How to reach the service: the key, the endpoints, the time limits, the request log. */
  connection: MultiviewClientOptions;
  /** Where the pixel work runs. */
  engine: ImageEngine;
  extensionVersion: string;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** The service asked to wait `retryAfterMs` before another request (the job itself waits and retries). */
  onRateLimited?: (retryAfterMs: number) => void;
  /** Asked when the job is still queued at the time limit: `true` waits another period. */
  keepWaiting?: (job: { jobId: string; waitedSeconds: number }) => Promise<boolean>;
  /**
   * The grid is checked and saved: the result can be shown now. Its views follow a moment later (the final result,
   * returned, has them); from here on the job is no longer cancelled (what remains is local and short).
   */
  onGridSaved?: (result: SavedResult) => void;
}

/** The client's options for a session: its cancellation, its progress, its rate limits and its answer to "keep waiting?". */
export function callOptionsOf(session: JobSession): CallOptions {
  return {
    signal: session.signal,
    onStage: (stage) => {
      if (stage.stage === 'rate-limited') session.onRateLimited?.(stage.retryAfterSeconds * 1000);
      session.onProgress?.(stage);
    },
    keepWaiting: session.keepWaiting,
  };
}

/** True for every way a job ends because the user cancelled it (the client's error, or the signal's own). */
export function isCancellation(error: unknown): boolean {
  return (error instanceof MultiviewApiError && error.kind === 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

/** The progress notification's text for each stage. */
export function describeProgress(progress: JobProgress): string {
  switch (progress.stage) {
    case 'preparing':
      return l10n.t('Preparing image…');
    case 'removing-background':
      return l10n.t('Removing the background…');
    case 'uploading':
      return l10n.t('Uploading image…');
    case 'embedding':
      return l10n.t('Embedding image in the request…');
    case 'submitting':
      return l10n.t('Submitting job…');
    case 'queued': {
      const waited = Math.round(progress.waitedSeconds);
      return progress.etaSeconds !== undefined && progress.etaSeconds > 0
        ? l10n.t('Queued (job {0}, about {1} s left; waited {2} s)…', progress.jobId, Math.ceil(progress.etaSeconds), waited)
        : l10n.t('Queued (job {0}; waited {1} s)…', progress.jobId, waited);
    }
    case 'rate-limited':
      return l10n.t('Rate limited by the service; retrying in {0} s (attempt {1})…', Math.ceil(progress.retryAfterSeconds), progress.attempt);
    case 'downloading':
      return progress.totalBytes
        ? l10n.t('Downloading result… {0} of {1}', formatBytes(progress.receivedBytes), formatBytes(progress.totalBytes))
        : l10n.t('Downloading result… {0}', formatBytes(progress.receivedBytes));
    case 'saving':
      return l10n.t('Saving…');
    case 'cutting-views':
      return l10n.t('Saving the six views…');
  }
}
