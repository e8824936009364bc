import * as l10n from '@vscode/l10n';
import type { ApiErrorKind } from './types';

/** The optional facts an error carries besides its kind and message. All text is already sanitised and redacted. */
export interface MultiviewApiErrorDetails {
  /** The server's own text, flattened ("prompt: The prompt field is required."). */
  serverMessage?: string;
  /** The server's `tip` / `tips`, flattened. */
  tip?: string;
  httpStatus?: number;
  retryAfterSeconds?: number;
  /** The job the error is about, when one was created (lets the user look it up later). */
  jobId?: string;
}

/**
 * The only error type the client throws. Its message is one user-facing sentence; none of its
 * properties holds the API key, request configs or raw HTTP objects (unlike axios errors).
 */
export class MultiviewApiError extends Error {
  readonly kind: ApiErrorKind;
  // `declare`: no class-field initialisers, so an error's own keys list only what is known.
  declare readonly serverMessage?: string;
  declare readonly tip?: string;
  declare readonly httpStatus?: number;
  declare readonly retryAfterSeconds?: number;
  declare readonly jobId?: string;

  constructor(kind: ApiErrorKind, message: string, details: MultiviewApiErrorDetails = {}) {
    super(message);
    this.name = 'MultiviewApiError';
    this.kind = kind;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.tip !== undefined) this.tip = details.tip;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.jobId !== undefined) this.jobId = details.jobId;
  }

  /** The details, for building a related error (e.g. the same failure with a job id or a clearer message). */
  details(): MultiviewApiErrorDetails {
    const { serverMessage, tip, httpStatus, retryAfterSeconds, jobId } = this;
    return { serverMessage, tip, httpStatus, retryAfterSeconds, jobId };
  }
}

/**
 * A download whose connection dropped after the answer had begun: the bytes so far are incomplete and are never
 * used, and another try of the same link may well work (kind 'network', like any dropped connection).
 */
export class ConnectionCutError extends MultiviewApiError {
  constructor(message: string) {
    super('network', message);
  }
}

export function cancelledError(): MultiviewApiError {
  return new MultiviewApiError('cancelled', l10n.t('The request was cancelled.'));
}

/** "Prefix: server text." with exactly one final full stop; just "Prefix." without server text. */
export function sentenceWith(prefix: string, serverText: string | undefined): string {
  const text = serverText?.trim();
  if (!text) return l10n.t({ message: '{0}.', args: [prefix], comment: 'A whole sentence: {0} is its text without the final full stop.' });
  return /[.!?]$/.test(text)
    ? l10n.t({ message: '{0}: {1}', args: [prefix, text], comment: '{0} says what failed; {1} is the server’s own text (untranslated), which already ends with a full stop.' })
    : l10n.t({ message: '{0}: {1}.', args: [prefix, text], comment: '{0} says what failed; {1} is the server’s own text (untranslated).' });
}
