/**
 * Downloading a job's result: try each link in turn, give a fresh link a few chances to appear and a cut-off
 * download a few more tries, and accept only a complete file that its kind's check recognises by its bytes (never
 * by the URL or the Content-Type alone). A link may
 * serve an image as base64 text (ModelsLab v6 with `base64: true` may answer base64 output, docs/api-contract.md
 * §1): that text is decoded, and the decoded bytes must pass the same check.
 */
import * as l10n from '@vscode/l10n';
import { sniffImageMime } from '../shared/imageMime';
import { hostForDisplay } from './endpoints';
import { ConnectionCutError, MultiviewApiError, sentenceWith } from './errors';
import type { HttpTransport, OpenedResponse } from './http';
import type { DownloadedImage, JobStage } from './types';

/** A fresh result link may 404 while storage catches up (docs/api-contract.md §3): retry it after these delays. */
export const NOT_READY_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];
/** A download whose connection dropped part way is tried again on the same link after these delays. */
export const CUT_OFF_RETRY_DELAYS_MS: readonly number[] = [1000, 2000];
/** Report download progress at most once per this many bytes. */
const PROGRESS_STEP_BYTES = 256 * 1024;

export interface DownloadOptions {
  maxBytes: number;
  signal?: AbortSignal;
  onStage?: (stage: JobStage) => void;
  /** An abortable wait, shared with the client so tests can make it instant. */
  pause: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called as each download attempt starts; the function it returns sees that attempt's bytes as they arrive. */
  onAttempt?: () => (chunk: Uint8Array) => void;
}

/** What a kind of result file is: which answers may hold one, how its bytes are recognised, how a wrong one is told. */
export interface ResultFileKind<File> {
  /** Whether an answer of this Content-Type (lower case, no parameters) may hold the file; '' is always possible. */
  mayBeIn(contentType: string): boolean;
  /** The file, or one sentence saying that the bytes at `displayUrl` are not one. */
  recognise(bytes: Buffer, displayUrl: string): File | { problem: string };
  /** "The result link … sent text/html instead of …": an answer of a type that cannot hold the file. */
  sentInstead(displayUrl: string, contentType: string): string;
}

/** A PNG, JPEG or WebP image (or one sent as base64 text). */
export const RESULT_IMAGE: ResultFileKind<Omit<DownloadedImage, 'sourceUrl'>> = {
  // Storage buckets often label images as octet-stream or not at all, base64 text as text/plain; the bytes decide then.
  mayBeIn: (contentType) => contentType.startsWith('image/') || contentType.endsWith('/octet-stream') || contentType === 'text/plain',
  recognise: (bytes, displayUrl) => {
    const image = sniffImageMime(bytes) ? bytes : decodeBase64Image(bytes);
    const mime = image ? sniffImageMime(image) : undefined;
    return image && mime ? { bytes: image, mime } : { problem: l10n.t('The file at {0} is not a PNG, JPEG or WebP image.', displayUrl) };
  },
  sentInstead: (displayUrl, contentType) => l10n.t('The result link {0} sent {1} instead of an image.', displayUrl, contentType),
};

/**
 * Downloads the first link that yields a complete file of the kind: the file whole and checked, or an error, never
 * part of one. Cancellation and an oversized file stop at once.
 */
export async function downloadFirstAvailable<File>(
  transport: HttpTransport,
  urls: readonly string[],
  kind: ResultFileKind<File>,
  options: DownloadOptions,
): Promise<File & { sourceUrl: string }> {
  const failures: MultiviewApiError[] = [];
  for (const url of urls) {
    try {
      return await downloadWithRetries(transport, url, kind, options);
    } catch (error) {
      // Another link serves the same file: it would be just as large, and a cancel means stop.
      if (!(error instanceof MultiviewApiError) || error.kind === 'cancelled' || error.kind === 'too-large') throw error;
      failures.push(error);
    }
  }
  const last = failures[failures.length - 1];
  if (!last) throw new MultiviewApiError('malformed', l10n.t('The result has no downloadable link.'));
  if (failures.length === 1) throw last;
  throw new MultiviewApiError(
    'download',
    sentenceWith(l10n.t('Could not download the result from any of its {0} links; the last one failed', failures.length), last.message),
    { httpStatus: last.httpStatus },
  );
}

/** One link: a 404 (not ready yet) and a connection cut off part way are each retried a few times after a pause. */
async function downloadWithRetries<File>(
  transport: HttpTransport,
  url: string,
  kind: ResultFileKind<File>,
  options: DownloadOptions,
): Promise<File & { sourceUrl: string }> {
  let notReadyRetries = 0;
  let cutOffs = 0;
  for (;;) {
    try {
      return await downloadOnce(transport, url, kind, options);
    } catch (error) {
      let delayMs: number | undefined;
      if (error instanceof ConnectionCutError) {
        cutOffs++;
        delayMs = CUT_OFF_RETRY_DELAYS_MS[cutOffs - 1];
        if (delayMs === undefined) {
          throw new MultiviewApiError(
            'download',
            l10n.t(
              'The download of the result from {0} was cut off {1} times; the connection dropped before the file was complete, so nothing was kept. Try again in a while.',
              hostForDisplay(url),
              cutOffs,
            ),
          );
        }
      } else if (error instanceof MultiviewApiError && error.httpStatus === 404) {
        delayMs = NOT_READY_RETRY_DELAYS_MS[notReadyRetries++];
      }
      if (delayMs === undefined) throw error;
      await options.pause(delayMs, options.signal);
    }
  }
}

async function downloadOnce<File>(transport: HttpTransport, url: string, kind: ResultFileKind<File>, options: DownloadOptions): Promise<File & { sourceUrl: string }> {
  const response = await transport.openDownload(url, options.signal);
  try {
    const contentType = contentTypeOf(response);
    rejectUnlessPossibleAnswer(response, contentType, kind);
    const declaredLength = Number(response.headers['content-length']);
    const totalBytes = Number.isFinite(declaredLength) && declaredLength >= 0 ? declaredLength : undefined;
    const report = (receivedBytes: number): void => options.onStage?.({ stage: 'downloading', receivedBytes, totalBytes });
    report(0);
    let reportedBytes = 0;
    const onChunk = options.onAttempt?.();
    const bytes = await response.readBody(options.maxBytes, (received, chunk) => {
      onChunk?.(chunk);
      if (received - reportedBytes < PROGRESS_STEP_BYTES) return;
      reportedBytes = received;
      report(received);
    });
    report(bytes.length);
    const file = kind.recognise(bytes, response.displayUrl);
    if (isProblem(file)) {
      throw new MultiviewApiError('download', contentType.startsWith('text/') ? kind.sentInstead(response.displayUrl, contentType) : file.problem);
    }
    return { ...file, sourceUrl: url };
  } finally {
    // Closes the connection whatever happened above (a no-op once the body was read).
    response.discard();
  }
}

function isProblem(value: unknown): value is { problem: string } {
  return typeof value === 'object' && value !== null && typeof (value as { problem?: unknown }).problem === 'string' && Object.keys(value).length === 1;
}

function contentTypeOf(response: OpenedResponse): string {
  return (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Checks status and Content-Type before a byte of the body is read. */
function rejectUnlessPossibleAnswer(response: OpenedResponse, contentType: string, kind: ResultFileKind<unknown>): void {
  let problem: string | undefined;
  if (response.status === 404) problem = l10n.t('The result at {0} is not available (HTTP 404).', response.displayUrl);
  else if (response.status !== 200) problem = l10n.t('The result link {0} answered HTTP {1} instead of the file.', response.displayUrl, response.status);
  else if (contentType !== '' && !kind.mayBeIn(contentType)) problem = kind.sentInstead(response.displayUrl, contentType);
  if (problem !== undefined) throw new MultiviewApiError('download', problem, { httpStatus: response.status });
}

/** The bytes of an image sent as base64 text (bare, or as a data URI), or undefined when the text is not that. */
function decodeBase64Image(body: Buffer): Buffer | undefined {
  const text = body.toString('latin1').trim();
  const payload = text.replace(/^data:image\/[a-z0-9.+-]+;base64,/i, '').replace(/\s+/g, '');
  if (payload.length < 16 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(payload)) return undefined;
  const decoded = Buffer.from(payload, 'base64');
  return sniffImageMime(decoded) ? decoded : undefined;
}
