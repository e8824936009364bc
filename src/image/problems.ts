/**
 * Why an image cannot be used, as plain data: it crosses the worker boundary as it is, and the extension host turns
 * it into one translated message (no user-facing text is made in `src/image`). Each reason names its `details`.
 */

export type ImageProblem =
  /** The content is not a PNG, JPEG or WebP (checked by content, not by name). */
  | { reason: 'not-an-image'; details: { byteSize: number } }
  /** It starts like `mime` but the header is damaged or incomplete: the size cannot be read. */
  | { reason: 'unreadable-header'; details: { mime: string; byteSize: number } }
  /** A side is longer than any picture a person would pick (or a hostile header). */
  | { reason: 'too-large-dimensions'; details: { mime: string; width: number; height: number; maxSide: number } }
  /** More pixels than its decode path can hold within the memory budget: a decompression bomb or a huge scan. */
  | { reason: 'too-many-pixels'; details: { mime: string; width: number; height: number; megapixels: number; maxMegapixels: number } }
  /** A variant the decoders here refuse: arithmetic-coded, lossless, hierarchical or 12-bit JPEG, ... */
  | { reason: 'unsupported-variant'; details: { mime: string; variant: string } }
  /** The file ends before the image data does (a download or copy cut short). */
  | { reason: 'truncated'; details: { mime: string; byteSize: number } }
  /** The header reads but the image data is broken. */
  | { reason: 'damaged'; details: { mime: string; byteSize: number } }
  /** The file could not be read (gone, no permission); `code` is Node's error code such as ENOENT. */
  | { reason: 'unreadable-file'; details: { code: string } }
  /** Even the smallest encoding tried does not fit the upload limit (a limit far below any real one). */
  | { reason: 'cannot-fit-limit'; details: { maxUploadBytes: number; smallestBytes: number } }
  /** A downloaded grid has the right magic bytes (or none) but does not decode. */
  | { reason: 'damaged-grid'; details: { mime: string | null; byteSize: number; cause: string } }
  /** A downloaded grid decodes but is not the shape asked for (or a view would be smaller than 64 px). */
  | {
      reason: 'wrong-size-grid';
      details: { width: number; height: number; expectedWidth: number; expectedHeight: number; minViewSide: number };
    }
  /** A turntable needs at least one view, all decodable. */
  | { reason: 'no-views'; details: { count: number } };

export type ImageProblemReason = ImageProblem['reason'];

const REASONS: ReadonlySet<string> = new Set<ImageProblemReason>([
  'not-an-image',
  'unreadable-header',
  'too-large-dimensions',
  'too-many-pixels',
  'unsupported-variant',
  'truncated',
  'damaged',
  'unreadable-file',
  'cannot-fit-limit',
  'damaged-grid',
  'wrong-size-grid',
  'no-views',
]);

/** True for a plain `{ reason, details }` object with a known reason (what an op throws across the worker boundary). */
export function isImageProblem(value: unknown): value is ImageProblem {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { reason, details } = value as { reason?: unknown; details?: unknown };
  return typeof reason === 'string' && REASONS.has(reason) && typeof details === 'object' && details !== null;
}

/** A problem as an Error on the host side; `reason` and `details` are the same plain data. */
export class ImageProblemError extends Error {
  readonly reason: ImageProblemReason;
  readonly details: ImageProblem['details'];
  readonly problem: ImageProblem;
  constructor(problem: ImageProblem) {
    // English and technical (logs); the host words the user's message from `reason` and `details`.
    super(`image problem: ${problem.reason} ${JSON.stringify(problem.details)}`);
    this.name = 'ImageProblemError';
    this.reason = problem.reason;
    this.details = problem.details;
    this.problem = problem;
  }
}
