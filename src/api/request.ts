/**
 * Turning a MultiviewRequest into the body one endpoint expects (api-contract.md §1): `temp` as "yes"/"no" or a
 * boolean, `base64: true` beside an inline image, `track_id` as an integer where required; and refusing, before
 * anything is sent, what the endpoint documents it will reject (v6 steps other than 21/31/41, a non-https webhook).
 * Pure; the client and the generation job share it, so the sidecar records exactly what was sent.
 */
import * as l10n from '@vscode/l10n';
import { MultiviewApiError } from './errors';
import { ENDPOINT_PRESETS, stepsNotAllowedMessage, trackIdProblem, webhookProblem } from './presets';
import type { ApiEndpoints, MultiviewRequest, TempFormat, TrackIdFormat } from './types';

/** A base64 image data URI, the only inline form the client sends or uploads. */
export const IMAGE_DATA_URI_PREFIX = /^data:image\/[a-z0-9.+-]+;base64,/i;

/** The fields as sent, minus the key (which the client adds last). */
export type EncodedMultiviewRequest = Omit<MultiviewRequest, 'temp'> & { temp: 'yes' | 'no' | boolean; base64?: true };

/** The endpoint's name in messages. */
export function endpointLabel(endpoints: ApiEndpoints): string {
  return ENDPOINT_PRESETS[endpoints.preset]?.label ?? l10n.t('The configured endpoint');
}

/**
 * Why the request cannot be sent to these endpoints, or undefined. `image` is checked only when given, so the
 * generation job can check everything else before it spends time (and an upload) on the image.
 */
export function requestProblem(request: Omit<MultiviewRequest, 'image'> & { image?: string }, endpoints: ApiEndpoints): string | undefined {
  const label = endpointLabel(endpoints);
  const steps = request.num_inference_steps;
  if (endpoints.allowedSteps && !endpoints.allowedSteps.includes(steps)) {
    return stepsNotAllowedMessage(steps, endpoints.allowedSteps, label);
  }
  const webhook = blankToNull(request.webhook);
  if (webhook !== null) {
    const problem = typeof webhook === 'string' ? webhookProblem(webhook.trim()) : l10n.t('The webhook must be an https:// URL.');
    if (problem) return problem;
  }
  const trackId = blankToNull(request.track_id);
  if (trackId !== null) {
    const problem =
      typeof trackId === 'string' || typeof trackId === 'number'
        ? trackIdProblem(typeof trackId === 'string' ? trackId.trim() : trackId, endpoints.trackIdFormat)
        : l10n.t('The track id must be a short text or a number.');
    if (problem) return problem;
  }
  if (request.image !== undefined) {
    if (IMAGE_DATA_URI_PREFIX.test(request.image)) {
      if (endpoints.imageTransport !== 'inline-base64') {
        return l10n.t('{0} takes the image as a URL, not inline; upload it first.', label);
      }
    } else if (!/^https?:\/\//i.test(request.image)) {
      return l10n.t('The image must be an http(s) URL or a base64 image data URI.');
    }
  }
  return undefined;
}

/** Throws MultiviewApiError('invalid-request') when requestProblem finds one. */
export function assertRequestAllowed(request: Omit<MultiviewRequest, 'image'> & { image?: string }, endpoints: ApiEndpoints): void {
  const problem = requestProblem(request, endpoints);
  if (problem !== undefined) throw new MultiviewApiError('invalid-request', problem);
}

/** The body for `endpoints.multiview`, without the key. Throws MultiviewApiError('invalid-request') first when it may not be sent. */
export function encodeMultiviewRequest(request: MultiviewRequest, endpoints: ApiEndpoints): EncodedMultiviewRequest {
  assertRequestAllowed(request, endpoints);
  const encoded: EncodedMultiviewRequest = {
    ...request,
    temp: encodeTemp(request.temp, endpoints.tempFormat),
    webhook: typeof request.webhook === 'string' && request.webhook.trim() !== '' ? request.webhook.trim() : null,
    track_id: encodeTrackId(request.track_id, endpoints.trackIdFormat),
  };
  if (endpoints.imageTransport === 'inline-base64' && IMAGE_DATA_URI_PREFIX.test(request.image)) encoded.base64 = true;
  return encoded;
}

/** "yes"/"no" or true/false, whichever way the caller said it. */
export function encodeTemp(value: MultiviewRequest['temp'], format: TempFormat): 'yes' | 'no' | boolean {
  const wanted = value === true || value === 'yes';
  return format === 'boolean' ? wanted : wanted ? 'yes' : 'no';
}

/** null when absent or blank; an integer where the endpoint wants one; otherwise as given (strings trimmed). */
export function encodeTrackId(value: MultiviewRequest['track_id'] | undefined, format: TrackIdFormat): string | number | null {
  const present = blankToNull(value);
  if (present === null) return null;
  if (format === 'integer') return typeof present === 'number' ? present : Number(String(present).trim());
  return typeof present === 'string' ? present.trim() : present;
}

function blankToNull<T>(value: T | null | undefined): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return value;
}
