import * as path from 'node:path';
import type { ApiErrorKind } from '../api/types';
import type * as GenerationJob from './generationJob';

/** Translations as @vscode/l10n takes them (`vscode.l10n.bundle`); `undefined` means the English texts. */
export type L10nContents = Parameters<typeof GenerationJob.configureL10n>[0];

/**
 * The generation pipeline (HTTP client, image preparation, saving) from beside this code: bundled apart as
 * dist/generationJob.js and loaded on the first generation, so that activation loads only the commands and the
 * quick input; out/src/core/generationJob.js in tests. A computed path keeps esbuild from inlining it.
 *
 * `l10nContents` goes to the job's own copy of @vscode/l10n (see configureL10n), so that its messages (progress,
 * errors) are in the display language; configuring it is cheap, so it is done at every load.
 */
export function loadGenerationJob(l10nContents?: L10nContents): typeof GenerationJob {
  const job = require(path.join(__dirname, 'generationJob.js')) as typeof GenerationJob;
  job.configureL10n(l10nContents);
  return job;
}

/**
 * The job's errors are recognised by name, not `instanceof`: they are instances of the classes in the job's own
 * bundle, not of the copies another bundle would import.
 */
export type JobErrorName = 'MultiviewApiError' | 'UnsupportedImageError' | 'OutputLocationError';

export function isJobError(error: unknown, name: JobErrorName): error is Error {
  return error instanceof Error && error.name === name;
}

/** A MultiviewApiError (by name), optionally of one kind. */
export function isApiError(error: unknown, kind?: ApiErrorKind): error is Error & { kind: ApiErrorKind } {
  return isJobError(error, 'MultiviewApiError') && (kind === undefined || (error as { kind?: unknown }).kind === kind);
}
