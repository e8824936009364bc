/**
 * The one place that talks HTTP. It owns the single axios instance and turns every failure into a
 * MultiviewApiError, so that raw axios errors (whose config carries the request body with the key)
 * never leave this module.
 */
import * as l10n from '@vscode/l10n';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import { RequestGuard } from './abort';
import { hostForDisplay, isHttpUrl, urlForDisplay } from './endpoints';
import { ConnectionCutError, MultiviewApiError, cancelledError } from './errors';
import { redactSecret } from './redact';
import { sanitizeServerText, type AnswerHead } from './responses';
import { formatBytes } from '../shared/format';

/** Uploads are at most 5 MB decoded, about 6.7 MB as base64 JSON; anything far above is a bug. */
const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
/**
 * Result links may redirect to a CDN (followed here, hop by hop, each to an http(s) address only); API calls may not
 * (a redirect could carry the key elsewhere).
 */
export const MAX_DOWNLOAD_REDIRECTS = 5;
/** The answers that send a GET elsewhere with a Location header. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface HttpTransportOptions {
  /** Timeout of one request: until the answer is complete for API calls, between chunks for downloads. */
  requestTimeoutMs: number;
  /** Redacted from everything this module logs or reports. */
  secret: string;
  log: (line: string) => void;
}

/** An answer whose head has arrived; its body is read (with a cap) or discarded exactly once. */
export interface OpenedResponse extends AnswerHead {
  /** `onProgress` sees every chunk as it arrives, with the count so far. */
  readBody(maxBytes: number, onProgress?: (receivedBytes: number, chunk: Buffer) => void): Promise<Buffer>;
  discard(): void;
}

type TimeoutMode = 'whole-request' | 'idle';

export class HttpTransport {
  private readonly axios: AxiosInstance;

  constructor(private readonly options: HttpTransportOptions) {
    this.axios = axios.create({
      // VS Code's proxy agent handles http.proxy, PAC files and certificates; axios's own env-proxy logic would bypass it.
      proxy: false,
      timeout: options.requestTimeoutMs,
      // Bodies are streamed and counted by readBody, so that an endless body is cut off at its cap.
      responseType: 'stream',
      maxContentLength: -1,
      maxBodyLength: MAX_REQUEST_BODY_BYTES,
      // Every status is an answer: the body's `status` decides (see docs/api-contract.md §2.4).
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
  }

  /** POSTs a JSON body (the key travels in it, as documented) and returns the answer as text. */
  async postJson(url: string, body: object, signal: AbortSignal | undefined, maxBytes: number): Promise<{ head: AnswerHead; text: string }> {
    const response = await this.open('POST', url, signal, 'whole-request', JSON.stringify(body));
    const bytes = await response.readBody(maxBytes);
    return { head: response, text: bytes.toString('utf8') };
  }

  /**
   * GETs a file; only idle time counts against the timeout so that a big file on a slow link still arrives. Only
   * http(s) links are opened, and redirects are followed one by one, each only to an http(s) address, at most
   * MAX_DOWNLOAD_REDIRECTS of them and never in a loop. The answer is told by the link the service sent.
   */
  async openDownload(url: string, signal: AbortSignal | undefined): Promise<OpenedResponse> {
    if (signal?.aborted) throw cancelledError();
    if (!isHttpUrl(url)) throw new MultiviewApiError('download', notWebLinkMessage(url));
    const displayUrl = redactSecret(urlForDisplay(url), this.options.secret);
    const visited = new Set<string>([new URL(url).href]);
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const response = await this.open('GET', current, signal, 'idle', undefined, displayUrl);
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.location : undefined;
      if (location === undefined) return response;
      response.discard();
      const next = resolveLocation(location, current);
      if (next === undefined || !isHttpUrl(next)) {
        const scheme = next === undefined ? undefined : schemeOf(next);
        throw new MultiviewApiError(
          'download',
          scheme === undefined
            ? l10n.t("The service's link {0} redirected to an address that is not a valid web address, so it was not followed and nothing was downloaded.", displayUrl)
            : l10n.t("The service's link {0} redirected to a non-web address ({1}), so it was not followed and nothing was downloaded; only http and https addresses are fetched.", displayUrl, scheme),
        );
      }
      if (visited.has(next)) {
        throw new MultiviewApiError(
          'download',
          l10n.t("The service's link {0} redirects in a loop (back to an address it already went through), so the file could not be downloaded; try again later.", displayUrl),
        );
      }
      if (redirects + 1 > MAX_DOWNLOAD_REDIRECTS) {
        throw new MultiviewApiError(
          'download',
          l10n.t("The service's link {0} redirected more than {1} times, so it was not followed further and nothing was downloaded.", displayUrl, MAX_DOWNLOAD_REDIRECTS),
        );
      }
      visited.add(next);
      current = next;
    }
  }

  /** `displayAs` names the request in logs and messages (a redirected download: the link the service sent). */
  private async open(
    method: 'GET' | 'POST',
    url: string,
    signal: AbortSignal | undefined,
    timeoutMode: TimeoutMode,
    jsonBody?: string,
    displayAs?: string,
  ): Promise<OpenedResponse> {
    if (signal?.aborted) throw cancelledError();
    const startedAt = Date.now();
    const ownDisplayUrl = redactSecret(urlForDisplay(url), this.options.secret);
    const displayUrl = displayAs ?? ownDisplayUrl;
    const guard = new RequestGuard(signal, this.options.requestTimeoutMs);
    let finished = false;
    const finish = (outcome: string): void => {
      if (finished) return;
      finished = true;
      guard.dispose();
      this.options.log(`${method} ${ownDisplayUrl} -> ${outcome} (${Date.now() - startedAt} ms)`);
    };
    const fail = (error: unknown, status?: number): MultiviewApiError => {
      const apiError = this.toApiError(error, guard, method, url, ownDisplayUrl);
      finish(status === undefined ? apiError.kind : `${status}, ${apiError.kind}`);
      return apiError;
    };

    let response: AxiosResponse<Readable>;
    try {
      response = await this.axios.request<Readable>({
        method,
        url,
        data: jsonBody,
        headers:
          method === 'POST'
            ? { 'Content-Type': 'application/json', Accept: 'application/json' }
            : { Accept: 'image/png, image/jpeg, image/webp, */*;q=0.1' },
        signal: guard.signal,
        // Never followed here: openDownload checks and follows a download's redirects itself.
        maxRedirects: 0,
      });
    } catch (error) {
      throw fail(error);
    }

    const stream = response.data;
    const head: AnswerHead = {
      status: response.status,
      statusText: sanitizeServerText(response.statusText ?? '', this.options.secret, 100),
      headers: flattenHeaders(response.headers),
      displayUrl,
    };
    return {
      ...head,
      readBody: async (maxBytes, onProgress) => {
        try {
          const declared = Number(head.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeError(displayUrl, maxBytes);
          const bytes = await readCapped(stream, maxBytes, guard, timeoutMode, displayUrl, onProgress);
          finish(String(head.status));
          return bytes;
        } catch (error) {
          stream.destroy();
          const apiError = fail(error, head.status);
          // A download whose connection dropped part way: what arrived is incomplete, and another try may work.
          if (timeoutMode === 'idle' && apiError.kind === 'network' && !(error instanceof MultiviewApiError)) {
            throw new ConnectionCutError(l10n.t('The connection to {0} was cut off before the whole file had arrived.', hostForDisplay(url)));
          }
          throw apiError;
        }
      },
      discard: () => {
        stream.destroy();
        finish(String(head.status));
      },
    };
  }

  private toApiError(error: unknown, guard: RequestGuard, method: string, url: string, displayUrl: string): MultiviewApiError {
    if (error instanceof MultiviewApiError) return error;
    if (guard.cancelled) return cancelledError();
    const host = hostForDisplay(url);
    const code = errorCodeOf(error);
    if (guard.timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
      const seconds = Math.round(this.options.requestTimeoutMs / 100) / 10;
      return new MultiviewApiError(
        'timeout',
        l10n.t('{0} did not answer within {1} s ({2} {3}); the service may be overloaded, so try again later.', host, seconds, method, displayUrl),
      );
    }
    return new MultiviewApiError('network', networkMessage(host, code, error, this.options.secret));
  }
}

/** The network error's code, wherever Node and axios put it (error, cause, or the first of an AggregateError). */
function errorCodeOf(error: unknown): string | undefined {
  const candidates: unknown[] = [error];
  if (error && typeof error === 'object') {
    const { cause, errors } = error as { cause?: unknown; errors?: unknown };
    candidates.push(cause);
    if (Array.isArray(errors)) candidates.push(...errors);
  }
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_BAD_REQUEST') return code;
  }
  return undefined;
}

function networkMessage(host: string, code: string | undefined, error: unknown, secret: string): string {
  const checkNetwork = l10n.t({
    message: 'check your internet connection, VS Code proxy settings (http.proxy) and the API base URL setting.',
    comment: 'The end of a sentence, after a semicolon: "Could not connect to example.com (connection refused); check your internet connection, ..."',
  });
  switch (code) {
    case 'ECONNREFUSED':
      return l10n.t('Could not connect to {0} (connection refused); {1}', host, checkNetwork);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return l10n.t('Could not find the server {0} (DNS lookup failed); {1}', host, checkNetwork);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return l10n.t('The connection to {0} was interrupted before the answer was complete; {1}', host, checkNetwork);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return l10n.t('The network cannot reach {0}; {1}', host, checkNetwork);
    default:
      break;
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL/.test(code)) {
    return l10n.t(
      "The secure connection to {0} failed ({1}); if a proxy inspects HTTPS traffic, check VS Code's http.proxy and certificate settings.",
      host,
      code,
    );
  }
  // Unknown failures: show the code, or a short sanitised message (never the whole error object).
  const detail = code ?? sanitizeServerText(error instanceof Error ? error.message : String(error), secret, 150);
  return l10n.t('The request to {0} failed ({1}); {2}', host, detail || l10n.t('unknown error'), checkNetwork);
}

/** Reads a stream into memory, failing with 'too-large' as soon as it passes maxBytes. */
async function readCapped(
  stream: Readable,
  maxBytes: number,
  guard: RequestGuard,
  timeoutMode: TimeoutMode,
  displayUrl: string,
  onProgress?: (receivedBytes: number, chunk: Buffer) => void,
): Promise<Buffer> {
  // axios also destroys the stream on abort; doing it here too makes the loop below stop promptly regardless.
  const stopReading = (): void => {
    stream.destroy();
  };
  if (guard.signal.aborted) stopReading();
  guard.signal.addEventListener('abort', stopReading, { once: true });
  try {
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      received += buffer.length;
      if (received > maxBytes) throw tooLargeError(displayUrl, maxBytes);
      chunks.push(buffer);
      if (timeoutMode === 'idle') guard.restartTimer();
      onProgress?.(received, buffer);
    }
    // A destroyed stream may simply end; without this the caller would get a silently short body.
    if (guard.signal.aborted) throw new Error('aborted');
    return Buffer.concat(chunks, received);
  } finally {
    guard.signal.removeEventListener('abort', stopReading);
  }
}

/** The redirect target a Location header names, resolved against the address that sent it; undefined if unparsable. */
function resolveLocation(location: string, from: string): string | undefined {
  try {
    return new URL(location, from).href;
  } catch {
    return undefined;
  }
}

/** "file:", "ftp:"...: the scheme of a URL, safe to show (never its host, path or query). */
function schemeOf(url: string): string | undefined {
  try {
    const { protocol } = new URL(url);
    return /^[a-z][a-z0-9+.-]{0,20}:$/i.test(protocol) ? protocol.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Why a result link that is not an http(s) URL (file:, data:, ftp:, a UNC path...) is not opened. */
function notWebLinkMessage(url: string): string {
  const scheme = schemeOf(url);
  return scheme === undefined
    ? l10n.t('A result link is not a web address (http or https) but a path or an invalid address, so it was not opened.')
    : l10n.t('A result link is not a web address but a {0} address, so it was not opened; only http and https links are downloaded.', scheme);
}

function tooLargeError(displayUrl: string, maxBytes: number): MultiviewApiError {
  return new MultiviewApiError(
    'too-large',
    l10n.t('The answer from {0} is larger than the {1} limit, so it was not downloaded.', displayUrl, formatBytes(maxBytes)),
  );
}


function flattenHeaders(headers: unknown): Record<string, string | undefined> {
  const source =
    headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function'
      ? (headers as { toJSON(): Record<string, unknown> }).toJSON()
      : ((headers ?? {}) as Record<string, unknown>);
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
