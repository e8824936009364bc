/**
 * The Multiview API client: upload an input image (or embed it), submit a job, poll it to the end, download the grid.
 * It knows nothing about VS Code. The quirks listed in docs/api-contract.md are handled here and in responses.ts; the
 * differences between endpoint presets (presets.ts) arrive as data in ApiEndpoints and are followed here.
 */
import * as l10n from '@vscode/l10n';
import { abortableSleep, raceAbort, throwIfCancelled } from './abort';
import { downloadFirstAvailable, RESULT_IMAGE, type ResultFileKind } from './download';
import type { BackgroundRemovalRequest, ImageTo3dRequest } from './jobRequests';
import { fetchUrlForJob, hostForDisplay, originOf, trustedOrigins, urlForDisplay } from './endpoints';
import { MultiviewApiError, cancelledError, sentenceWith } from './errors';
import { HttpTransport } from './http';
import { formatBytes, formatDuration } from '../shared/format';
import { redactSecret } from './redact';
import { type EncodedMultiviewRequest, IMAGE_DATA_URI_PREFIX, encodeMultiviewRequest } from './request';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  httpLinks,
  interpretBody,
  parseJsonBody,
  processingInfoOf,
  resultFromSuccess,
  sanitizeServerText,
  type ApiAnswer,
  type ResultContext,
} from './responses';
import type { ApiEndpoints, DownloadedImage, FetchBodyShape, JobEndpoint, JobKind, JobResult, JobStage, MultiviewRequest, QueuedJob } from './types';

export interface MultiviewClientOptions {
  apiKey: string;
  endpoints: ApiEndpoints;
  /** Each request; default 60 s. */
  requestTimeoutMs?: number;
  /** The whole polling phase; default 10 min. */
  jobTimeoutMs?: number;
  /** Default 3. */
  maxRateLimitRetries?: number;
  /** Default 50 MiB. */
  maxDownloadBytes?: number;
  /** Default 2 MiB. */
  maxJsonBytes?: number;
  /** Bounds of the wait between polls; default 2 s to 15 s. */
  pollIntervalMs?: { min: number; max: number };
  /** One line per request (method, URL without query, status, duration); never the key nor image data. */
  log?: (line: string) => void;
  /** Injectable for tests; the default is setTimeout-based and rejects with 'cancelled' on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What every public method accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  onStage?: (stage: JobStage) => void;
  /**
   * Asked when a queued job reaches jobTimeoutMs: resolve `true` to wait another jobTimeoutMs, `false` to stop
   * with a 'timeout' error. Without it, the time limit is final.
   */
  keepWaiting?: (job: { jobId: string; waitedSeconds: number }) => Promise<boolean>;
  /**
   * Called once when the server queues the job, with what `resume` needs to pick it up later (after a window
   * reload): never the key.
   */
  onQueued?: (job: QueuedJob) => void;
  /** Downloads: called as each attempt starts; its function sees that attempt's bytes as they arrive. */
  onDownloadAttempt?: () => (chunk: Uint8Array) => void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_JOB_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_RATE_LIMIT_RETRIES = 3;
const DEFAULT_MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
const DEFAULT_MAX_JSON_BYTES = 2 * 1024 * 1024;
const DEFAULT_POLL_INTERVAL_MS = { min: 2_000, max: 15_000 };
/** Documented limit of both upload endpoints (docs/api-contract.md §4). */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Polling survives this many transient failures in a row (5xx, resets, timeouts) before giving up. */
const MAX_CONSECUTIVE_POLL_FAILURES = 3;
/** Without an `eta`, each wait is this much longer than the previous one. */
const POLL_BACKOFF_FACTOR = 1.5;

export class MultiviewClient {
  private readonly apiKey: string;
  private readonly endpoints: ApiEndpoints;
  private readonly trustedOrigins: Set<string>;
  private readonly transport: HttpTransport;
  private readonly jobTimeoutMs: number;
  private readonly maxRateLimitRetries: number;
  private readonly maxDownloadBytes: number;
  private readonly maxJsonBytes: number;
  private readonly pollIntervalMs: { min: number; max: number };
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly log: (line: string) => void;

  constructor(options: MultiviewClientOptions) {
    this.apiKey = options.apiKey;
    // A copy: a caller changing its endpoints later must not change where this client sends the key.
    this.endpoints = structuredClone(options.endpoints);
    this.trustedOrigins = trustedOrigins(this.endpoints);
    this.jobTimeoutMs = positiveOr(options.jobTimeoutMs, DEFAULT_JOB_TIMEOUT_MS);
    this.maxRateLimitRetries = Math.max(0, Math.floor(options.maxRateLimitRetries ?? DEFAULT_MAX_RATE_LIMIT_RETRIES));
    this.maxDownloadBytes = positiveOr(options.maxDownloadBytes, DEFAULT_MAX_DOWNLOAD_BYTES);
    this.maxJsonBytes = positiveOr(options.maxJsonBytes, DEFAULT_MAX_JSON_BYTES);
    const min = positiveOr(options.pollIntervalMs?.min, DEFAULT_POLL_INTERVAL_MS.min);
    this.pollIntervalMs = { min, max: Math.max(min, positiveOr(options.pollIntervalMs?.max, DEFAULT_POLL_INTERVAL_MS.max)) };
    this.sleep = options.sleep ?? abortableSleep;
    const log = options.log;
    this.log = (line) => {
      try {
        log?.(redactSecret(line, this.apiKey));
      } catch {
        // A failing logger must not fail the request it describes.
      }
    };
    this.transport = new HttpTransport({
      requestTimeoutMs: positiveOr(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
      secret: this.apiKey,
      log: this.log,
    });
  }

  /**
   * Uploads a data URI via base64ToUrl (body {key, base64_string}); on failure other than invalid-key/cancel
   * falls back to base64Crop (body {key, image, crop:"false"}, answer has `link`). Returns the public URL.
   * @throws TypeError when `dataUri` is not a base64 image data URI (a caller bug, not a service failure).
   */
  async uploadImage(dataUri: string, opts: CallOptions = {}): Promise<string> {
    assertImageDataUri(dataUri, 'uploadImage');
    return this.withPublicErrors(opts.signal, async () => {
      assertWithinUploadLimit(dataUri, (size, limit) => l10n.t('The image is {0}, but the upload service accepts at most {1}; use a smaller image.', size, limit));
      opts.onStage?.({ stage: 'uploading' });
      try {
        return await this.uploadTo(this.endpoints.base64ToUrl, { base64_string: dataUri }, opts);
      } catch (primary) {
        if (!(primary instanceof MultiviewApiError) || primary.kind === 'invalid-key' || primary.kind === 'cancelled') throw primary;
        this.log(`Upload via base64_to_url failed (${primary.kind}); trying base64_crop.`);
        try {
          return await this.uploadTo(this.endpoints.base64Crop, { image: dataUri, crop: 'false' }, opts);
        } catch (fallback) {
          if (!(fallback instanceof MultiviewApiError) || fallback.kind === 'cancelled') throw fallback;
          throw new MultiviewApiError(fallback.kind, sentenceWith(l10n.t('Both upload services failed'), fallback.message), fallback.details());
        }
      }
    });
  }

  /**
   * The value for the request's `image` field, following the endpoint's imageTransport: 'upload' uploads the data
   * URI (uploadImage, stage 'uploading') and returns the public URL; 'inline-base64' returns the data URI itself
   * (stage 'embedding'), after the same size check, without any request.
   * @throws TypeError when `dataUri` is not a base64 image data URI (a caller bug, not a service failure).
   */
  async imageForRequest(dataUri: string, opts: CallOptions = {}, kind: JobKind = 'multiview'): Promise<string> {
    if (this.jobEndpoint(kind).imageTransport !== 'inline-base64') return this.uploadImage(dataUri, opts);
    assertImageDataUri(dataUri, 'imageForRequest');
    return this.withPublicErrors(opts.signal, async () => {
      throwIfCancelled(opts.signal);
      assertWithinUploadLimit(dataUri, (size, limit) => l10n.t('The image is {0}, but at most {1} is sent inside a request; use a smaller image.', size, limit));
      opts.onStage?.({ stage: 'embedding' });
      return dataUri;
    });
  }

  /**
   * Encodes the request for the endpoint (refusing, kind 'invalid-request', what it documents it would reject) and
   * submits it: see `submit`.
   */
  async generate(request: MultiviewRequest, opts: CallOptions = {}): Promise<JobResult> {
    return this.submit(encodeMultiviewRequest(request, this.endpoints), opts);
  }

  /** The subject of an image on a transparent background (a PNG): see `submitJob`. */
  async removeBackground(body: BackgroundRemovalRequest, opts: CallOptions = {}): Promise<JobResult> {
    return this.submitJob('background-removal', body, opts);
  }

  /** A 3D model of an image (minutes, nearly always queued): see `submitJob`. */
  async imageTo3d(body: ImageTo3dRequest, opts: CallOptions = {}): Promise<JobResult> {
    return this.submitJob('image-to-3d', body, opts);
  }

  /** POSTs the encoded body (plus the key) to the multiview endpoint: see `submitJob`. */
  async submit(body: EncodedMultiviewRequest, opts: CallOptions = {}): Promise<JobResult> {
    return this.submitJob('multiview', body, opts);
  }

  /**
   * POSTs an encoded request (plus the key) to the endpoint of its kind of job and polls it until it succeeds;
   * throws MultiviewApiError otherwise. The same response shapes and quirks for every kind (docs/api-contract.md §12).
   */
  async submitJob(kind: JobKind, body: { seed?: number | null }, opts: CallOptions = {}): Promise<JobResult> {
    return this.withPublicErrors(opts.signal, async () => {
      opts.onStage?.({ stage: 'submitting' });
      // Only a rate limit (job not accepted) leads to a resubmission: after any other failure, such as a lost
      // answer, the job may exist and be billed, so sending it again could pay twice.
      const answer = await this.postApi(this.jobEndpoint(kind).url, { ...body }, opts);
      const requestedSeed = typeof body.seed === 'number' ? body.seed : null;
      const context: ResultContext = { requestedSeed };
      if (answer.status === 'success') return resultFromSuccess(answer.body, context, this.apiKey);
      const queued: QueuedJob = { ...processingInfoOf(answer.body, this.apiKey), requestedSeed, kind };
      opts.onQueued?.(queued);
      return this.pollUntilDone(queued, context, opts);
    });
  }

  /**
   * Polls a job queued earlier (see CallOptions.onQueued) until it ends, as `generate` would have: the same poll
   * URLs (a fetch_result only on a configured host), time limit and errors.
   */
  async resume(job: QueuedJob, opts: CallOptions = {}): Promise<JobResult> {
    return this.withPublicErrors(opts.signal, () =>
      this.pollUntilDone(job, { requestedSeed: job.requestedSeed }, opts),
    );
  }

  /**
   * Downloads the grid: outputUrls[0] (retrying a 404 "not ready yet" a few times with short backoff), then
   * proxyUrls, verifying status, content-type and magic bytes (PNG/JPEG/WebP), size cap.
   */
  async downloadResult(result: JobResult, opts: CallOptions = {}): Promise<DownloadedImage> {
    return this.downloadFile(result, RESULT_IMAGE, opts, result.outputUrls.slice(0, 1));
  }

  /**
   * Downloads a job's result file of another kind (a 3D model): the output links `prefer` picks first, then the
   * other output links and the proxy links, each checked by `kind`.
   */
  async downloadFile<File>(result: JobResult, kind: ResultFileKind<File>, opts: CallOptions = {}, first: readonly string[] = result.outputUrls): Promise<File & { sourceUrl: string }> {
    return this.withPublicErrors(opts.signal, async () => {
      const urls = [...new Set([...httpLinks(first, this.apiKey), ...httpLinks(result.proxyUrls, this.apiKey)])];
      if (urls.length === 0) {
        throw new MultiviewApiError('malformed', l10n.t('The result of job {0} has no downloadable link.', result.jobId), {
          jobId: result.jobId || undefined,
        });
      }
      return downloadFirstAvailable(this.transport, urls, kind, {
        maxBytes: this.maxDownloadBytes,
        signal: opts.signal,
        onStage: opts.onStage,
        pause: (ms, signal) => this.pause(ms, signal),
        onAttempt: opts.onDownloadAttempt,
      });
    });
  }

  /**
   * POSTs `payload` plus the key and returns a success/processing answer. Rate limits are waited out and
   * retried (reporting stage 'rate-limited'); every other failure is thrown as a MultiviewApiError.
   */
  private async postApi(url: string, payload: Record<string, unknown>, opts: CallOptions, knownJobId?: string): Promise<ApiAnswer> {
    for (let retry = 0; ; retry++) {
      throwIfCancelled(opts.signal);
      try {
        // The key goes last so that nothing in the payload can replace it.
        const { head, text } = await this.transport.postJson(url, { ...payload, key: this.apiKey }, opts.signal, this.maxJsonBytes);
        return interpretBody(head, parseJsonBody(head, text, this.apiKey), this.apiKey, knownJobId);
      } catch (error) {
        if (!(error instanceof MultiviewApiError) || error.kind !== 'rate-limited') throw error;
        const waitSeconds = error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
        if (retry >= this.maxRateLimitRetries) {
          throw new MultiviewApiError(
            'rate-limited',
            sentenceWith(
              retry === 1
                ? l10n.t('The server is still rate-limiting requests after {0} retry (try again in {1} s)', retry, waitSeconds)
                : l10n.t('The server is still rate-limiting requests after {0} retries (try again in {1} s)', retry, waitSeconds),
              error.serverMessage,
            ),
            { ...error.details(), retryAfterSeconds: waitSeconds },
          );
        }
        opts.onStage?.({ stage: 'rate-limited', retryAfterSeconds: waitSeconds, attempt: retry + 1 });
        await this.pause(waitSeconds * 1000, opts.signal);
      }
    }
  }

  private async uploadTo(url: string, payload: Record<string, unknown>, opts: CallOptions): Promise<string> {
    const answer = await this.postApi(url, payload, opts);
    // base64_to_url answers `output: [url]`, base64_crop answers `link: url`.
    const link = [...httpLinks(answer.body.output, this.apiKey), ...httpLinks(answer.body.link, this.apiKey)][0];
    if (answer.status !== 'success' || link === undefined) {
      throw new MultiviewApiError('malformed', l10n.t('The upload service at {0} answered without a link to the uploaded image.', hostForDisplay(url)));
    }
    return link;
  }

  /** Polls a queued job until it succeeds, fails, or jobTimeoutMs passes. */
  private async pollUntilDone(queued: QueuedJob, context: ResultContext, opts: CallOptions): Promise<JobResult> {
    const jobId = queued.jobId;
    const pollUrls = this.pollUrlsFor(queued);
    if (pollUrls.length === 0) {
      throw new MultiviewApiError('malformed', l10n.t('The server queued the job but sent neither a job id nor a usable URL to check on it.'));
    }
    const jobLabel = jobId ?? l10n.t('(no id)');
    const startedAt = Date.now();
    let deadline = startedAt + this.jobTimeoutMs;
    let meta = queued.meta;
    let etaSeconds = queued.etaSeconds;
    // The server's eta when it gives one; otherwise a back-off that starts again from the shortest interval once
    // an eta has passed (a job a little late is seen soon) and grows from there. Always within pollIntervalMs.
    let backoffMs: number | undefined;
    const nextDelay = (eta: number | undefined): number => {
      if (eta !== undefined && eta > 0) {
        backoffMs = undefined;
        return this.withinPollInterval(eta * 1000);
      }
      backoffMs = backoffMs === undefined ? this.pollIntervalMs.min : backoffMs * POLL_BACKOFF_FACTOR;
      return this.withinPollInterval(backoffMs);
    };
    let delayMs = nextDelay(etaSeconds);
    let urlIndex = 0;
    let consecutiveFailures = 0;

    for (;;) {
      let remainingMs = deadline - Date.now();
      if (remainingMs <= 0 && opts.keepWaiting) {
        const waitedSeconds = Math.round((Date.now() - startedAt) / 1000);
        if (await raceAbort(opts.keepWaiting({ jobId: jobLabel, waitedSeconds }), opts.signal)) {
          deadline = Date.now() + this.jobTimeoutMs;
          remainingMs = this.jobTimeoutMs;
        }
      }
      if (remainingMs <= 0) {
        throw new MultiviewApiError(
          'timeout',
          l10n.t(
            'Job {0} was still processing after {1}, so Multiview stopped waiting; it may still finish on the server under that id.',
            jobLabel,
            formatDuration(Date.now() - startedAt),
          ),
          { jobId },
        );
      }
      opts.onStage?.({ stage: 'queued', jobId: jobLabel, etaSeconds, waitedSeconds: Math.round((Date.now() - startedAt) / 1000) });
      await this.pause(Math.min(delayMs, remainingMs), opts.signal);

      const pollUrl = pollUrls[urlIndex];
      try {
        const payload = pollUrl.body === 'key-and-request-id' && jobId !== undefined ? { request_id: requestIdValue(jobId) } : {};
        const answer = await this.postApi(pollUrl.url, payload, opts, jobId);
        consecutiveFailures = 0;
        if (answer.status === 'success') return resultFromSuccess(answer.body, { ...context, jobId, meta }, this.apiKey);
        const progress = processingInfoOf(answer.body, this.apiKey);
        meta = progress.meta ?? meta;
        etaSeconds = progress.etaSeconds;
        delayMs = nextDelay(etaSeconds);
      } catch (error) {
        if (!(error instanceof MultiviewApiError)) throw error;
        if (pollUrlDoesNotKnowJob(error, pollUrl)) {
          if (urlIndex + 1 < pollUrls.length) {
            this.log(`Poll URL ${urlForDisplay(pollUrl.url)} cannot report on job ${jobLabel} (${error.kind}); trying the next one.`);
            urlIndex++;
            delayMs = 0;
            continue;
          }
          throw new MultiviewApiError(
            error.httpStatus === 404 || error.httpStatus === 405 ? 'server' : error.kind,
            sentenceWith(
              l10n.t('None of the {0} poll URLs could report on job {1}; it may still finish on the server', pollUrls.length, jobLabel),
              error.serverMessage,
            ),
            { ...error.details(), jobId },
          );
        }
        if (isTransient(error) && ++consecutiveFailures < MAX_CONSECUTIVE_POLL_FAILURES) {
          this.log(`Polling job ${jobLabel} failed (${error.kind}); will retry.`);
          delayMs = nextDelay(undefined);
          continue;
        }
        throw withJobId(error, jobId);
      }
    }
  }

  /**
   * The server's fetch_result, but only on a configured host (the poll carries the key, so a hostile answer
   * must not redirect it elsewhere); then the configured fallbacks, which are guesses (docs/api-contract.md §3).
   * A fetch_result that does not name the job (the enterprise `/api/v1/enterprise/fetch` form) gets `request_id`.
   */
  private pollUrlsFor(queued: QueuedJob): PollUrl[] {
    const urls: PollUrl[] = [];
    const { jobId } = queued;
    const add = (candidate: PollUrl): void => {
      if (!urls.some((known) => known.url === candidate.url && known.body === candidate.body)) urls.push(candidate);
    };
    if (queued.fetchUrl) {
      const origin = originOf(queued.fetchUrl);
      if (origin && this.trustedOrigins.has(origin)) {
        const body: FetchBodyShape = jobId === undefined || urlNamesJob(queued.fetchUrl, jobId) ? 'key' : 'key-and-request-id';
        add({ url: queued.fetchUrl, guessed: false, body });
      } else {
        this.log(`Ignoring fetch_result on untrusted host ${hostForDisplay(queued.fetchUrl)}; polling the configured endpoints instead.`);
      }
    }
    if (jobId !== undefined) {
      for (const route of this.jobEndpoint(queued.kind ?? 'multiview').fetchFallbacks) {
        add({ url: fetchUrlForJob(route.url, jobId), guessed: true, body: route.body });
      }
    }
    return urls;
  }

  private jobEndpoint(kind: JobKind): JobEndpoint {
    switch (kind) {
      case 'multiview':
        return this.endpoints.multiview;
      case 'background-removal':
        return this.endpoints.backgroundRemoval;
      case 'image-to-3d':
        return this.endpoints.imageTo3d;
    }
  }

  private withinPollInterval(ms: number): number {
    return Math.min(Math.max(ms, this.pollIntervalMs.min), this.pollIntervalMs.max);
  }

  /** Waits with the injected sleep, but returns control at once when the caller cancels. */
  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    throwIfCancelled(signal);
    if (ms <= 0) return;
    await raceAbort(this.sleep(ms, signal), signal);
    throwIfCancelled(signal);
  }

  /** The last line of defence: only MultiviewApiErrors leave the client, and none of them holds the key. */
  private async withPublicErrors<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (signal?.aborted) throw cancelledError();
      throw this.toPublicError(error);
    }
  }

  private toPublicError(error: unknown): MultiviewApiError {
    const redact = (text: string | undefined): string | undefined => (text === undefined ? undefined : redactSecret(text, this.apiKey));
    if (error instanceof MultiviewApiError) {
      const texts = [error.message, error.serverMessage, error.tip, error.jobId];
      if (texts.every((text) => text === redact(text))) return error;
      return new MultiviewApiError(error.kind, redact(error.message) ?? '', {
        ...error.details(),
        serverMessage: redact(error.serverMessage),
        tip: redact(error.tip),
        jobId: redact(error.jobId),
      });
    }
    // Never pass an unknown error on: it may be an axios error whose config holds the key.
    const text = sanitizeServerText(error instanceof Error ? error.message : String(error), this.apiKey, 200);
    return new MultiviewApiError('malformed', l10n.t('Unexpected problem while talking to the Multiview service: {0}', text));
  }
}

/** A poll URL, whether we guessed it (a configured fallback) rather than got it from the server, and what to POST. */
interface PollUrl {
  url: string;
  guessed: boolean;
  body: FetchBodyShape;
}

/** True when the URL's path or query names the job, so that POST {key} is enough. */
function urlNamesJob(url: string, jobId: string): boolean {
  try {
    const parsed = new URL(url);
    const segments = parsed.pathname.split('/').map((segment) => safeDecode(segment));
    return segments.includes(jobId) || [...parsed.searchParams.values()].includes(jobId);
  } catch {
    return false;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The job id as `request_id`: a number when it is one (ids are integers in every example), else the text. */
function requestIdValue(jobId: string): string | number {
  return /^\d{1,15}$/.test(jobId) ? Number(jobId) : jobId;
}

function assertImageDataUri(dataUri: string, method: string): void {
  if (typeof dataUri !== 'string' || !IMAGE_DATA_URI_PREFIX.test(dataUri)) {
    throw new TypeError(`${method} expects a base64 image data URI such as "data:image/png;base64,...".`);
  }
}

/** The size of the image inside a base64 data URI. */
function decodedBytesOf(dataUri: string): number {
  return Math.floor(((dataUri.length - dataUri.indexOf(',') - 1) * 3) / 4);
}

/** The documented 5 MB limit of an image sent to the service, uploaded or inline; `tooLarge` words the refusal. */
function assertWithinUploadLimit(dataUri: string, tooLarge: (size: string, limit: string) => string): void {
  const imageBytes = decodedBytesOf(dataUri);
  if (imageBytes > MAX_UPLOAD_BYTES) {
    throw new MultiviewApiError('too-large', tooLarge(formatBytes(imageBytes), formatBytes(MAX_UPLOAD_BYTES)));
  }
}

/**
 * True when the answer means "this URL cannot tell", not "the job went wrong": a 404/405, or an "error" from a
 * guessed fallback (the v3 fetch may live in another id space). An "error" from the server's own fetch_result is final.
 */
function pollUrlDoesNotKnowJob(error: MultiviewApiError, pollUrl: PollUrl): boolean {
  return error.httpStatus === 404 || error.httpStatus === 405 || (pollUrl.guessed && error.kind === 'rejected');
}

function isTransient(error: MultiviewApiError): boolean {
  return error.kind === 'server' || error.kind === 'network' || error.kind === 'timeout' || error.kind === 'malformed';
}

function withJobId(error: MultiviewApiError, jobId: string | undefined): MultiviewApiError {
  if (jobId === undefined || error.jobId !== undefined) return error;
  return new MultiviewApiError(error.kind, error.message, { ...error.details(), jobId });
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
