/**
 * Turning a MultiviewRequest into the body one endpoint expects (docs/api-contract.md §1): `temp` as "yes"/"no" or
 * a boolean, `base64: true` beside an inline image, `track_id` as an integer where required; and refusing, before
 * anything is sent, what the endpoint documents it will reject (v6 steps other than 21/31/41, a non-https webhook).
 *
 * Encoded once, checked once: the fields when the job starts (so a refused request fails before any work or
 * upload), the image once it is known. The client posts exactly the encoded body, so the sidecar records what was
 * sent. Pure.
 */
import * as l10n from '@vscode/l10n';
import { MultiviewApiError } from './errors';
import { ENDPOINT_PRESETS } from './presets';
import { stepsNotAllowedMessage, trackIdProblem, webhookProblem } from './requestRules';
import type { ApiEndpoints, MultiviewRequest, TempFormat, TrackIdFormat } from './types';

/** A base64 image data URI, the only inline form the client sends or uploads. */
export const IMAGE_DATA_URI_PREFIX = /^data:image\/[a-z0-9.+-]+;base64,/i;

/** Every field but the image, encoded for one endpoint and known to be acceptable to it. */
export type EncodedRequestFields = Omit<MultiviewRequest, 'image' | 'temp' | 'webhook' | 'track_id'> & {
  temp: 'yes' | 'no' | boolean;
  webhook: string | null;
  track_id: string | number | null;
};

/** The whole body as sent, minus the key (which the client adds last). */
export type EncodedMultiviewRequest = EncodedRequestFields & { image: string; base64?: true };

/** The endpoint's name in messages. */
export function endpointLabel(endpoints: ApiEndpoints): string {
  return ENDPOINT_PRESETS[endpoints.preset]?.label ?? l10n.t('The configured endpoint');
}

/** The fields as the endpoint wants them. Throws MultiviewApiError('invalid-request') for what it would refuse. */
export function encodeRequestFields(fields: Omit<MultiviewRequest, 'image'>, endpoints: ApiEndpoints): EncodedRequestFields {
  const problem = fieldsProblem(fields, endpoints);
  if (problem !== undefined) throw new MultiviewApiError('invalid-request', problem);
  return {
    ...fields,
    temp: encodeTemp(fields.temp, endpoints.tempFormat),
    webhook: typeof fields.webhook === 'string' && fields.webhook.trim() !== '' ? fields.webhook.trim() : null,
    track_id: encodeTrackId(fields.track_id, endpoints.trackIdFormat),
  };
}

/** The encoded fields with the image: a URL, or (for inline-base64 endpoints) a data URI with `base64: true`. */
export function withImage(fields: EncodedRequestFields, image: string, endpoints: ApiEndpoints): EncodedMultiviewRequest {
  const inline = IMAGE_DATA_URI_PREFIX.test(image);
  if (inline && endpoints.multiview.imageTransport !== 'inline-base64') {
    throw new MultiviewApiError('invalid-request', l10n.t('{0} takes the image as a URL, not inline; upload it first.', endpointLabel(endpoints)));
  }
  if (!inline && !/^https?:\/\//i.test(image)) {
    throw new MultiviewApiError('invalid-request', l10n.t('The image must be an http(s) URL or a base64 image data URI.'));
  }
  return inline ? { ...fields, image, base64: true } : { ...fields, image };
}

/** Both steps at once, for a caller that has the image already. */
export function encodeMultiviewRequest(request: MultiviewRequest, endpoints: ApiEndpoints): EncodedMultiviewRequest {
  return withImage(encodeRequestFields(request, endpoints), request.image, endpoints);
}

function fieldsProblem(fields: Omit<MultiviewRequest, 'image'>, endpoints: ApiEndpoints): string | undefined {
  const steps = fields.num_inference_steps;
  if (endpoints.allowedSteps && !endpoints.allowedSteps.includes(steps)) {
    return stepsNotAllowedMessage(steps, endpoints.allowedSteps, endpointLabel(endpoints));
  }
  const webhook = blankToNull(fields.webhook);
  if (webhook !== null) {
    const problem = typeof webhook === 'string' ? webhookProblem(webhook.trim()) : l10n.t('The webhook must be an https:// URL.');
    if (problem) return problem;
  }
  const trackId = blankToNull(fields.track_id);
  if (trackId !== null) {
    const problem =
      typeof trackId === 'string' || typeof trackId === 'number'
        ? trackIdProblem(typeof trackId === 'string' ? trackId.trim() : trackId, endpoints.trackIdFormat)
        : l10n.t('The track id must be a short text or a number.');
    if (problem) return problem;
  }
  return undefined;
}

/** "yes"/"no" or true/false, whichever way the caller said it. */
function encodeTemp(value: MultiviewRequest['temp'], format: TempFormat): 'yes' | 'no' | boolean {
  const wanted = value === true || value === 'yes';
  return format === 'boolean' ? wanted : wanted ? 'yes' : 'no';
}

/** null when absent or blank; an integer where the endpoint wants one; otherwise as given (strings trimmed). */
function encodeTrackId(value: MultiviewRequest['track_id'] | undefined, format: TrackIdFormat): string | number | null {
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
