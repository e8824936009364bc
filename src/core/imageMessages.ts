/**
 * What the user reads when an image cannot be used or made: the image worker reports problems as plain data
 * (src/image/problems.ts) and its own failures as a WorkerTaskError; here they become one sentence each, in the
 * display language and in the user's words (never a decoder's "marker was not found").
 */
import * as l10n from '@vscode/l10n';
import { type ImageProblem, ImageProblemError } from '../image/problems';
import { WorkerTaskError } from '../image/worker/client';
import { formatBytes } from '../shared/format';

const FORMAT_NAMES: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP' };
const formatName = (mime: string | null | undefined) => (mime && FORMAT_NAMES[mime]) || l10n.t('image');

/** `name`: the file's name, as the sentence names it (“photo.jpg”). */
export function describeImageProblem(problem: ImageProblem, name: string): string {
  switch (problem.reason) {
    case 'not-an-image':
      return l10n.t('“{0}” is not a PNG, JPEG or WebP image (its content was checked, not its name). Choose a PNG, JPEG or WebP image.', name);
    case 'unreadable-header':
      return l10n.t('“{0}” starts like a {1} image, but its header is damaged or incomplete. Re-save or re-export it and try again.', name, formatName(problem.details.mime));
    case 'too-large-dimensions':
      return l10n.t(
        '“{0}” is {1} × {2} pixels; no side may be longer than {3}. Resize it (a long side of 1024 to 4096 pixels is plenty) and try again.',
        name,
        problem.details.width,
        problem.details.height,
        problem.details.maxSide,
      );
    case 'too-many-pixels':
      return l10n.t(
        '“{0}” is {1} × {2} pixels ({3} megapixels), more than can be decoded safely (at most {4} for a {5}). Resize it and try again.',
        name,
        problem.details.width,
        problem.details.height,
        Math.round(problem.details.megapixels),
        problem.details.maxMegapixels,
        formatName(problem.details.mime),
      );
    case 'unsupported-variant':
      return l10n.t('“{0}” is a kind of {1} that cannot be read here ({2}). Re-save it as a standard JPEG or PNG and try again.', name, formatName(problem.details.mime), problem.details.variant);
    case 'truncated':
      return l10n.t('“{0}” is incomplete: the file ends before the image does (a copy or download that did not finish). Copy or download it again.', name);
    case 'damaged':
      return l10n.t('“{0}” is damaged: its image data cannot be decoded. Re-save or re-export it and try again.', name);
    case 'unreadable-file':
      return l10n.t('“{0}” could not be read ({1}).', name, problem.details.code);
    case 'cannot-fit-limit':
      return l10n.t('“{0}” could not be made small enough for the upload limit ({1}).', name, formatBytes(problem.details.maxUploadBytes));
    case 'damaged-grid':
      return l10n.t('The service returned a damaged image: it does not decode. Nothing was saved; try again.');
    case 'wrong-size-grid':
      return l10n.t(
        'The service returned an image of {0} × {1} pixels, not a grid of 3 rows × 2 columns like the {2} × {3} asked for. Nothing was saved; try again.',
        problem.details.width,
        problem.details.height,
        problem.details.expectedWidth,
        problem.details.expectedHeight,
      );
    case 'no-views':
      return l10n.t('There are no views to animate.');
  }
}

/** The image worker itself failed (not the image): out of memory, crashed, or was stopped. */
function describeWorkerFailure(error: WorkerTaskError, name: string): string {
  switch (error.kind) {
    case 'out-of-memory':
      return l10n.t('Preparing “{0}” needed more memory than the image worker may use. Try a smaller copy of the image.', name);
    case 'crashed':
      return l10n.t('The image worker stopped unexpectedly while working on “{0}”. Try again; the log has the details.', name);
    case 'cancelled':
      return l10n.t('The work on “{0}” was cancelled.', name);
    case 'failed':
      return l10n.t('The image worker could not process “{0}”. Try again; the log has the details.', name);
  }
}

/** What a failure of the image engine tells the user, and whether trying again may help. */
export interface ImageFailure {
  message: string;
  /** False when the picture itself is the problem: the same file fails the same way again. */
  mayRetry: boolean;
}

const PROBLEMS_OF_THE_RESULT: ReadonlySet<ImageProblem['reason']> = new Set(['damaged-grid', 'wrong-size-grid']);

/** The image engine's failure in the user's words, or undefined when `error` came from somewhere else. */
export function describeImageFailure(error: unknown, name: string): ImageFailure | undefined {
  if (error instanceof ImageProblemError) {
    return { message: describeImageProblem(error.problem, name), mayRetry: PROBLEMS_OF_THE_RESULT.has(error.problem.reason) };
  }
  if (error instanceof WorkerTaskError) {
    return { message: describeWorkerFailure(error, name), mayRetry: error.kind !== 'cancelled' };
  }
  return undefined;
}
