/**
 * The rules an endpoint documents for a request, shared by the quick input (which refuses a value where it is
 * typed) and request.ts (which refuses a request before anything is sent): the steps a preset accepts, and the
 * advanced options (webhook, track_id).
 */
import * as l10n from '@vscode/l10n';
import type { EndpointPresetId } from './presetIds';
import { ENDPOINT_PRESETS } from './presets';
import type { TrackIdFormat } from './types';
import { hasControlCharacters } from '../shared/text';

// ---- steps ---------------------------------------------------------------------------------------

/** The steps a preset accepts, or undefined for the general 1-50 range (checked by parameters.ts). */
export function allowedStepsOf(presetId: EndpointPresetId): readonly number[] | undefined {
  return ENDPOINT_PRESETS[presetId]?.allowedSteps;
}

/** The message shown when steps are not among the allowed ones; the client uses the same words. */
export function stepsNotAllowedMessage(steps: unknown, allowedSteps: readonly number[], endpointLabel: string): string {
  return l10n.t(
    '{0} accepts only {1} inference steps, not {2}; choose one of those.',
    endpointLabel,
    listWithOr(allowedSteps),
    String(steps).slice(0, 20),
  );
}


/** The allowed value closest to `steps` (ties go to the larger), to offer instead of a default the preset refuses. */
export function closestAllowedSteps(steps: number, presetId: EndpointPresetId): number {
  const allowed = allowedStepsOf(presetId);
  if (!allowed || allowed.length === 0) return steps;
  return [...allowed].sort((a, b) => Math.abs(a - steps) - Math.abs(b - steps) || b - a)[0];
}

// ---- advanced options: webhook and track_id ------------------------------------------------------

const MAX_WEBHOOK_CHARS = 2048;
const MAX_TRACK_ID_CHARS = 128;

/**
 * For the quick input: an error message, or undefined when `text` is empty (no webhook) or an https URL the
 * service can call (docs/api-contract.md §5: HTTPS, publicly reachable).
 */
export function validateWebhookUrl(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return webhookProblem(trimmed);
}

/** Why a (non-empty) webhook URL cannot be used, or undefined. */
export function webhookProblem(value: string): string | undefined {
  if (value.length > MAX_WEBHOOK_CHARS) return l10n.t('The webhook URL must be at most {0} characters.', MAX_WEBHOOK_CHARS);
  if (/\s/.test(value) || hasControlCharacters(value)) return l10n.t('The webhook URL must not contain spaces or invisible characters.');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return l10n.t('The webhook must be a full https:// URL, for example https://example.com/multiview-hook.');
  }
  if (parsed.protocol !== 'https:') return l10n.t('The webhook must be an https:// URL (the service calls only HTTPS webhooks).');
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '') return l10n.t('The webhook URL needs a host name.');
  if (isLocalHost(host)) return l10n.t('The webhook must be publicly reachable; {0} is only reachable from this machine or network.', host);
  return undefined;
}

function isLocalHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host === '::1' ||
    host === '0.0.0.0' ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^169\.254\./.test(host)
  );
}

/**
 * For the quick input: an error message, or undefined when `text` is empty (no track id) or a track id the
 * preset accepts: an integer for ModelsLab v6 ("integral value"), otherwise a short string or number.
 */
export function validateTrackId(text: string, presetId: EndpointPresetId): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trackIdProblem(trimmed, ENDPOINT_PRESETS[presetId]?.trackIdFormat ?? 'string-or-number');
}

/** The value to store as `trackId` for what was typed: undefined when empty, a number where the preset wants an integer. */
export function parseTrackId(text: string, presetId: EndpointPresetId): string | number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || validateTrackId(trimmed, presetId) !== undefined) return undefined;
  return ENDPOINT_PRESETS[presetId]?.trackIdFormat === 'integer' ? Number(trimmed) : trimmed;
}

/** Why a (non-empty) track id cannot be sent in this format, or undefined. */
export function trackIdProblem(value: string | number, format: TrackIdFormat): string | undefined {
  if (format === 'integer') {
    const integer = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(integer) && integer >= 0
      ? undefined
      : l10n.t('The track id must be a whole number (for example 1042) for the ModelsLab v6 endpoint.');
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : l10n.t('The track id must be a finite number or a short text.');
  if (value.length > MAX_TRACK_ID_CHARS) return l10n.t('The track id must be at most {0} characters.', MAX_TRACK_ID_CHARS);
  if (hasControlCharacters(value)) return l10n.t('The track id must not contain invisible or control characters.');
  return undefined;
}

function listWithOr(values: readonly number[]): string {
  if (values.length <= 1) return values.join('');
  return l10n.t({ message: '{0} or {1}', args: [values.slice(0, -1).join(', '), values[values.length - 1]], comment: 'A list of numbers: {0} is all but the last, separated by commas, e.g. "21, 31"; {1} is the last, e.g. 41.' });
}
