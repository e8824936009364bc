/**
 * Turns whatever the API answered into something the rest of the client can trust: a parsed JSON object,
 * a classification by its body `status` (authoritative over the HTTP code, see docs/api-contract.md §2.4),
 * flattened server text, and a normalised result. Every string that comes from the server passes through
 * `sanitizeServerText`, which also redacts the API key a hostile server might echo.
 */
import * as l10n from '@vscode/l10n';
import { isHttpUrl } from './endpoints';
import { MultiviewApiError, sentenceWith } from './errors';
import { isRecord } from '../shared/isRecord';
import { redactDeep, redactSecret } from './redact';
import { withoutInvisibleCharacters } from '../shared/text';
import type { ApiErrorKind, JobResult, ProcessingInfo, RawApiResponse } from './types';

const MAX_SERVER_TEXT_CHARS = 500;
const MAX_LINKS = 20;
const MAX_LINK_CHARS = 4096;
export const DEFAULT_RETRY_AFTER_SECONDS = 30;
/** A server asking us to wait longer than this is treated as asking for this long; the user can retry later. */
const MAX_RETRY_AFTER_SECONDS = 300;

/** The part of an HTTP answer the interpretation needs. */
export interface AnswerHead {
  status: number;
  statusText: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The URL without query, for messages. */
  displayUrl: string;
}

/** A JSON answer whose body `status` says the call worked or the job is still running. */
export interface ApiAnswer {
  status: 'success' | 'processing';
  body: RawApiResponse;
  httpStatus: number;
}

/**
 * Parses a body that should be a JSON object. HTML pages and 5xx bodies become kind 'server',
 * broken or truncated JSON kind 'malformed' (unless the HTTP code alone says more, e.g. 401).
 */
export function parseJsonBody(head: AnswerHead, text: string, secret: string): RawApiResponse {
  const trimmed = text.trim();
  const contentType = head.headers['content-type'] ?? '';
  if (/html/i.test(contentType) || trimmed.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1];
    return throwForNonJson(head, l10n.t('an HTML page'), title, secret, 'server');
  }
  if (trimmed === '') return throwForNonJson(head, l10n.t('an empty body'), undefined, secret, 'malformed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return throwForNonJson(head, l10n.t('broken (possibly truncated) JSON'), undefined, secret, 'malformed');
  }
  if (!isRecord(parsed)) return throwForNonJson(head, l10n.t('JSON that is not an object'), undefined, secret, 'malformed');
  return parsed;
}

/** `what` completes "answered HTTP 502 with ...": l10n.t('an HTML page'), l10n.t('an empty body'), ... */
function throwForNonJson(
  head: AnswerHead,
  what: string,
  detail: string | undefined,
  secret: string,
  fallbackKind: 'server' | 'malformed',
): never {
  // Without a usable body the HTTP code is all we know; it still distinguishes a bad key from an outage.
  const kind = kindForHttpStatus(head.status) ?? (head.status >= 500 ? 'server' : fallbackKind);
  const serverMessage = detail === undefined ? undefined : sanitizeServerText(detail, secret) || undefined;
  const advice =
    head.status === 404
      ? l10n.t('the endpoint may have moved or been retired, so check the API base URL setting')
      : kind === 'server'
        ? l10n.t('the service may be down or overloaded, so try again later')
        : l10n.t('try again, and report it if it persists');
  const message =
    kind === 'server' || kind === 'malformed'
      ? serverMessage
        ? l10n.t({
            message: '{0} answered HTTP {1} with {2} ("{3}") where a JSON object was expected; {4}.',
            args: [head.displayUrl, head.status, what, serverMessage, advice],
            comment: '{2} is e.g. "an HTML page", {3} the page’s title, {4} advice such as "try again later".',
          })
        : l10n.t({
            message: '{0} answered HTTP {1} with {2} where a JSON object was expected; {3}.',
            args: [head.displayUrl, head.status, what, advice],
            comment: '{2} is e.g. "an empty body", {3} advice such as "try again later".',
          })
      : sentenceWith(headlineFor(kind, head), undefined);
  throw new MultiviewApiError(kind, message, {
    serverMessage,
    httpStatus: head.status,
    retryAfterSeconds: kind === 'rate-limited' ? retryAfterSeconds({}, head) : undefined,
  });
}

/**
 * Classifies a parsed body. Returns success/processing answers and throws a MultiviewApiError for
 * everything else, including kind 'rate-limited' (with retryAfterSeconds) for the caller to retry.
 * `knownJobId` names the job in a "failed" error when the body does not.
 */
export function interpretBody(head: AnswerHead, body: RawApiResponse, secret: string, knownJobId?: string): ApiAnswer {
  const status = typeof body.status === 'string' ? body.status.trim().toLowerCase() : '';
  if (status === 'success' || status === 'processing') return { status, body, httpStatus: head.status };

  const serverMessage = flattenServerMessage(body, secret);
  const tip = flattenTip(body, secret);
  const kind = classifyFailure(head.status, status, serverMessage);
  // A failed poll may carry `id: ""`; the caller then knows the job better than the body does.
  const jobId = kind === 'failed' ? (jobIdOf(body, secret) ?? knownJobId) : undefined;
  const details = {
    serverMessage,
    tip,
    httpStatus: head.status,
    jobId,
    retryAfterSeconds: kind === 'rate-limited' ? retryAfterSeconds(body, head) : undefined,
  };
  const headline =
    kind === 'malformed'
      ? l10n.t('The server answered with an unexpected status "{0}" (HTTP {1})', sanitizeServerText(status || l10n.t('(none)'), secret), head.status)
      : headlineFor(kind, head, jobId);
  throw new MultiviewApiError(kind, sentenceWith(headline, serverMessage), details);
}

function classifyFailure(httpStatus: number, status: string, serverMessage: string | undefined): ApiErrorKind {
  const text = serverMessage ?? '';
  // Legacy hosts send these with HTTP 200, so the text matters as much as the code.
  if (httpStatus === 401 || /invalid api key/i.test(text)) return 'invalid-key';
  if (httpStatus === 429 || /rate limit exceeded/i.test(text)) return 'rate-limited';
  if (httpStatus === 402 || /insufficient credits/i.test(text)) return 'no-credits';
  if (httpStatus === 403) return 'forbidden';
  if (status === 'failed') return 'failed';
  if (httpStatus >= 500) return 'server';
  if (status === 'error') return 'rejected';
  return 'malformed';
}

function kindForHttpStatus(httpStatus: number): ApiErrorKind | undefined {
  switch (httpStatus) {
    case 401:
      return 'invalid-key';
    case 402:
      return 'no-credits';
    case 403:
      return 'forbidden';
    case 429:
      return 'rate-limited';
    default:
      return undefined;
  }
}

/** The first half of an error sentence; the server's own words follow after a colon. */
function headlineFor(kind: ApiErrorKind, head: AnswerHead, jobId?: string): string {
  switch (kind) {
    case 'invalid-key':
      return l10n.t('The server rejected the API key');
    case 'no-credits':
      return l10n.t('The account has no credits left');
    case 'forbidden':
      return l10n.t('The account plan does not allow this request');
    case 'rate-limited':
      return l10n.t('The server is rate-limiting requests');
    case 'failed':
      return jobId ? l10n.t('Job {0} failed on the server', jobId) : l10n.t('The job failed on the server');
    case 'server':
      return head.statusText
        ? l10n.t('The server had a problem (HTTP {0} {1})', head.status, head.statusText)
        : l10n.t('The server had a problem (HTTP {0})', head.status);
    case 'rejected':
      return l10n.t('The server rejected the request');
    default:
      return l10n.t("The server's answer could not be understood (HTTP {0})", head.status);
  }
}

/** `message` or the legacy `messege`, as a string or a field -> list-of-strings object, as one line. */
export function flattenServerMessage(body: RawApiResponse, secret: string): string | undefined {
  return flattenText(body.message ?? body.messege, secret);
}

/** `tip` or `tips`, a string or a list. */
export function flattenTip(body: RawApiResponse, secret: string): string | undefined {
  return flattenText(body.tip ?? body.tips, secret);
}

function flattenText(value: unknown, secret: string): string | undefined {
  const flat = flattenToString(value, 0);
  if (flat === undefined) return undefined;
  const clean = sanitizeServerText(flat, secret);
  return clean === '' ? undefined : clean;
}

function flattenToString(value: unknown, depth: number): string | undefined {
  if (value === null || value === undefined || depth > 3) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    return joinDefined(value.map((item) => flattenToString(item, depth + 1)), ' ');
  }
  if (typeof value === 'object') {
    const parts = Object.entries(value).map(([field, item]) => {
      const text = flattenToString(item, depth + 1);
      return text === undefined ? undefined : `${field}: ${text}`;
    });
    return joinDefined(parts, '; ');
  }
  return undefined;
}

function joinDefined(parts: Array<string | undefined>, separator: string): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined && part.trim() !== '');
  return present.length === 0 ? undefined : present.join(separator);
}

/**
 * Makes server text safe to show and log: no control or bidi characters, no API key,
 * single spaces, at most MAX_SERVER_TEXT_CHARS characters. (HTML is left as text: the UI escapes it.)
 */
export function sanitizeServerText(text: string, secret: string, maxChars = MAX_SERVER_TEXT_CHARS): string {
  // Remove invisible characters before redacting, so a key split by them is still found.
  const visible = withoutInvisibleCharacters(text);
  const single = redactSecret(visible, secret).replace(/\s+/g, ' ').trim();
  return single.length > maxChars ? `${single.slice(0, maxChars - 1)}…` : single;
}

/** A number or numeric string ("146.52", as `eta` sometimes is); undefined for anything else or negative. */
export function parseNonNegativeNumber(value: unknown): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** How long a rate-limited caller should wait: body `retry_after`, then `Retry-After`, then `X-RateLimit-Reset`. */
export function retryAfterSeconds(body: RawApiResponse, head: AnswerHead, nowMs = Date.now()): number {
  const fromBody = parseNonNegativeNumber(body.retry_after);
  const fromRetryAfter = parseRetryAfterHeader(head.headers['retry-after'], nowMs);
  const fromReset = parseRateLimitReset(head.headers['x-ratelimit-reset'], nowMs);
  const seconds = fromBody ?? fromRetryAfter ?? fromReset ?? DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_SECONDS);
}

function parseRetryAfterHeader(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseNonNegativeNumber(value);
  if (seconds !== undefined) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - nowMs) / 1000);
}

/** X-RateLimit-Reset is either seconds to wait or a Unix time in seconds; large values can only be the latter. */
function parseRateLimitReset(value: string | undefined, nowMs: number): number | undefined {
  const seconds = parseNonNegativeNumber(value);
  if (seconds === undefined) return undefined;
  return seconds > 1_000_000_000 ? Math.max(0, seconds - nowMs / 1000) : seconds;
}

/** The job id as a string (ids are integers in examples, "" in failed ones), sanitised. */
export function jobIdOf(body: RawApiResponse, secret: string): string | undefined {
  const id = body.id ?? body.request_id;
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  const text = sanitizeServerText(String(id), secret, 100);
  return text === '' ? undefined : text;
}

/**
 * The http(s) links in a value that may be a string, an array, or an object of index -> link
 * (proxy_links arrive as a map from some hosts). Anything else (javascript:, file:, data:) is dropped,
 * and so is any link containing the key.
 */
export function httpLinks(value: unknown, secret: string): string[] {
  const candidates =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value
        : isRecord(value)
          ? Object.values(value)
          : [];
  const links = candidates
    .map((candidate) => (typeof candidate === 'string' ? candidate.trim() : undefined))
    .filter((link): link is string => typeof link === 'string' && link.length <= MAX_LINK_CHARS && isHttpUrl(link))
    .filter((link) => redactSecret(link, secret) === link);
  return [...new Set(links)].slice(0, MAX_LINKS);
}

export function processingInfoOf(body: RawApiResponse, secret: string): ProcessingInfo {
  const fetchUrl = httpLinks(body.fetch_result, secret)[0];
  return {
    jobId: jobIdOf(body, secret),
    fetchUrl,
    etaSeconds: parseNonNegativeNumber(body.eta),
    meta: metaOf(body, secret),
  };
}

/** What the client knew before the final answer, used when the final answer omits it. */
export interface ResultContext {
  jobId?: string;
  meta?: Record<string, unknown>;
  requestedSeed: number | null;
}

/**
 * Normalises a success answer. `output` may be an array, a string, "" or []; when it has no link,
 * `future_links` count instead. A success without any usable link is 'malformed'.
 */
export function resultFromSuccess(body: RawApiResponse, context: ResultContext, secret: string): JobResult {
  const jobId = jobIdOf(body, secret) ?? context.jobId ?? '';
  const output = httpLinks(body.output, secret);
  const outputUrls = output.length > 0 ? output : httpLinks(body.future_links, secret);
  if (outputUrls.length === 0) {
    throw new MultiviewApiError(
      'malformed',
      jobId
        ? l10n.t('The server reported success for job {0} but sent no usable image link.', jobId)
        : l10n.t('The server reported success but sent no usable image link.'),
      { jobId: jobId || undefined },
    );
  }
  const meta = metaOf(body, secret) ?? context.meta ?? {};
  const result: JobResult = {
    jobId,
    outputUrls,
    proxyUrls: httpLinks(body.proxy_links, secret),
    meta,
  };
  const generationTime = parseNonNegativeNumber(body.generationTime);
  if (generationTime !== undefined) result.generationTime = generationTime;
  const seed = parseNonNegativeNumber(meta.seed) ?? context.requestedSeed ?? undefined;
  if (seed !== undefined) result.seed = seed;
  return result;
}

function metaOf(body: RawApiResponse, secret: string): Record<string, unknown> | undefined {
  return isRecord(body.meta) ? (redactDeep(body.meta, secret) as Record<string, unknown>) : undefined;
}
