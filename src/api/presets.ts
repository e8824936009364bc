/**
 * The endpoint presets (setting `multiview.endpointPreset`): the same Multiview model behind four doors that
 * differ in paths, in how the image travels, in the type of `temp`, in the allowed steps and in how a queued job
 * is polled (api-contract.md §1, §3, §4). Each difference is data here; `endpointsForPreset` turns a preset and
 * the configured base URLs into the ApiEndpoints the client follows. Pure: no I/O, no `vscode`.
 *
 * Also the validators of the "Advanced options" (webhook, track_id), shared by the quick input and the client.
 */
import * as l10n from '@vscode/l10n';
import type { ApiEndpoints, FetchBodyShape, ImageTransport, TempFormat, TrackIdFormat } from './types';

export const ENDPOINT_PRESET_IDS = ['stablediffusionapi-v5', 'modelslab-v6', 'modelslab-enterprise', 'custom'] as const;

export type EndpointPresetId = (typeof ENDPOINT_PRESET_IDS)[number];

export const DEFAULT_ENDPOINT_PRESET: EndpointPresetId = 'stablediffusionapi-v5';

/** The placeholder in a fetch route's URL that is replaced by the job id. */
export const JOB_ID_PLACEHOLDER = '{id}';

/** Which configured base URL a path hangs off. The custom preset maps every one to `customBaseUrl`. */
export type BaseName = 'api' | 'modelslab';

export interface PresetRoute {
  base: BaseName;
  /** Starts with "/"; may hold JOB_ID_PLACEHOLDER. */
  path: string;
}

export interface PresetFetchRoute extends PresetRoute {
  /** `key`: POST {key} to a URL naming the job; `key-and-request-id`: POST {key, request_id} to a fixed URL. */
  body: FetchBodyShape;
}

export interface EndpointPreset {
  id: EndpointPresetId;
  /** Short name for pickers and messages (the manifest's enumDescriptions describe each preset for the settings UI). */
  label: string;
  multiview: PresetRoute;
  imageTransport: ImageTransport;
  /** The upload helpers (ModelsLab general API); presets that send the image inline never call them. */
  base64ToUrl: PresetRoute;
  base64Crop: PresetRoute;
  tempFormat: TempFormat;
  /** The only `num_inference_steps` the endpoint documents; absent means the general 1-50. */
  allowedSteps?: readonly number[];
  trackIdFormat: TrackIdFormat;
  /** Tried in order after the server's own `fetch_result` (api-contract.md §3). */
  fetchFallbacks: readonly PresetFetchRoute[];
  /** Whether every URL comes from `customBaseUrl`. */
  usesCustomBase: boolean;
}

const UPLOAD_ROUTES = {
  base64ToUrl: { base: 'modelslab', path: '/api/v6/base64_to_url' },
  base64Crop: { base: 'modelslab', path: '/api/v3/base64_crop' },
} as const satisfies Record<string, PresetRoute>;

const V6_IMAGE_EDITING_FETCH: PresetFetchRoute = { base: 'modelslab', path: `/api/v6/image_editing/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' };

const V5: EndpointPreset = {
  id: 'stablediffusionapi-v5',
  label: 'stablediffusionapi.com v5',
  multiview: { base: 'api', path: '/api/v5/multiview' },
  imageTransport: 'upload',
  ...UPLOAD_ROUTES,
  tempFormat: 'yes-no',
  trackIdFormat: 'string-or-number',
  fetchFallbacks: [V6_IMAGE_EDITING_FETCH, { base: 'api', path: `/api/v3/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' }],
  usesCustomBase: false,
};

export const ENDPOINT_PRESETS: Readonly<Record<EndpointPresetId, EndpointPreset>> = {
  'stablediffusionapi-v5': V5,
  'modelslab-v6': {
    id: 'modelslab-v6',
    label: 'ModelsLab v6',
    multiview: { base: 'modelslab', path: '/api/v6/image_editing/multiview' },
    imageTransport: 'inline-base64',
    ...UPLOAD_ROUTES,
    tempFormat: 'boolean',
    allowedSteps: [21, 31, 41],
    trackIdFormat: 'integer',
    fetchFallbacks: [V6_IMAGE_EDITING_FETCH],
    usesCustomBase: false,
  },
  'modelslab-enterprise': {
    id: 'modelslab-enterprise',
    label: 'ModelsLab Enterprise',
    multiview: { base: 'modelslab', path: '/api/v1/enterprise/image_editing/multiview' },
    imageTransport: 'upload',
    ...UPLOAD_ROUTES,
    tempFormat: 'boolean',
    trackIdFormat: 'string-or-number',
    fetchFallbacks: [{ base: 'modelslab', path: '/api/v1/enterprise/fetch', body: 'key-and-request-id' }],
    usesCustomBase: false,
  },
  custom: {
    ...V5,
    id: 'custom',
    // The only label that is not a product name: translated when read.
    get label() {
      return l10n.t('Custom server');
    },
    usesCustomBase: true,
  },
};

export function isEndpointPresetId(value: unknown): value is EndpointPresetId {
  return typeof value === 'string' && (ENDPOINT_PRESET_IDS as readonly string[]).includes(value);
}

/** A setting's value as a preset id; anything unknown (a typo, an old value) means the default. */
export function parseEndpointPreset(value: unknown): EndpointPresetId {
  const trimmed = typeof value === 'string' ? value.trim() : value;
  return isEndpointPresetId(trimmed) ? trimmed : DEFAULT_ENDPOINT_PRESET;
}

export interface PresetBaseUrls {
  /** `multiview.apiBaseUrl` (stablediffusionapi.com); used by the v5 preset. */
  apiBaseUrl?: string;
  /** `multiview.uploadBaseUrl` (modelslab.com); uploads and the v6 / enterprise routes. */
  modelslabBaseUrl?: string;
  /** `multiview.customBaseUrl`; used (alone) by the custom preset. */
  customBaseUrl?: string;
}

/** A base URL that is missing or not http(s); `setting` names the setting to fix. */
export class EndpointConfigurationError extends Error {
  constructor(
    message: string,
    readonly setting: 'multiview.apiBaseUrl' | 'multiview.uploadBaseUrl' | 'multiview.customBaseUrl',
  ) {
    super(message);
    this.name = 'EndpointConfigurationError';
  }
}

/** Every URL and rule the client follows for one preset. Throws EndpointConfigurationError for an unusable base URL. */
export function endpointsForPreset(presetId: EndpointPresetId, bases: PresetBaseUrls): ApiEndpoints {
  const preset = ENDPOINT_PRESETS[presetId] ?? ENDPOINT_PRESETS[DEFAULT_ENDPOINT_PRESET];
  const resolved = new Map<BaseName, string>();
  const baseUrl = (name: BaseName): string => {
    let value = resolved.get(name);
    if (value === undefined) {
      value = preset.usesCustomBase
        ? normaliseBaseUrl(bases.customBaseUrl, 'multiview.customBaseUrl', preset)
        : name === 'api'
          ? normaliseBaseUrl(bases.apiBaseUrl, 'multiview.apiBaseUrl', preset)
          : normaliseBaseUrl(bases.modelslabBaseUrl, 'multiview.uploadBaseUrl', preset);
      resolved.set(name, value);
    }
    return value;
  };
  const url = (route: PresetRoute): string => `${baseUrl(route.base)}${route.path}`;
  const endpoints: ApiEndpoints = {
    preset: preset.id,
    multiview: url(preset.multiview),
    imageTransport: preset.imageTransport,
    base64ToUrl: url(preset.base64ToUrl),
    base64Crop: url(preset.base64Crop),
    tempFormat: preset.tempFormat,
    trackIdFormat: preset.trackIdFormat,
    fetchFallbacks: preset.fetchFallbacks.map((route) => ({ url: url(route), body: route.body })),
  };
  if (preset.allowedSteps) endpoints.allowedSteps = [...preset.allowedSteps];
  return endpoints;
}

function normaliseBaseUrl(raw: string | undefined, setting: EndpointConfigurationError['setting'], preset: EndpointPreset): string {
  const trimmed = String(raw ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '' && preset.usesCustomBase) {
    // Only the custom preset has no default URL, and it uses only the custom base URL.
    throw new EndpointConfigurationError(
      l10n.t('The endpoint preset "{0}" needs the custom base URL: set {1} to the http:// or https:// URL of your server.', preset.id, setting),
      setting,
    );
  }
  if (!isHttpBaseUrl(trimmed)) {
    throw new EndpointConfigurationError(baseUrlProblem(setting, trimmed.slice(0, 200)), setting);
  }
  return trimmed;
}

/** One whole sentence per setting, so that each base URL's name can be translated in its sentence. */
function baseUrlProblem(setting: EndpointConfigurationError['setting'], value: string): string {
  switch (setting) {
    case 'multiview.customBaseUrl':
      return l10n.t('The custom base URL must be an http:// or https:// URL, got "{0}".', value);
    case 'multiview.apiBaseUrl':
      return l10n.t('The API base URL must be an http:// or https:// URL, got "{0}".', value);
    case 'multiview.uploadBaseUrl':
      return l10n.t('The ModelsLab base URL must be an http:// or https:// URL, got "{0}".', value);
  }
}

function isHttpBaseUrl(value: string): boolean {
  try {
    const { protocol, hostname, search, hash } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && hostname.length > 0 && search === '' && hash === '';
  } catch {
    return false;
  }
}

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

/** For the quick input: an error message, or undefined when `text` is fine for this preset (the 1-50 range is checked elsewhere). */
export function validatePresetSteps(text: string, presetId: EndpointPresetId): string | undefined {
  const allowed = allowedStepsOf(presetId);
  if (!allowed) return undefined;
  const value = Number(text.trim());
  if (text.trim() !== '' && allowed.includes(value)) return undefined;
  return stepsNotAllowedMessage(text.trim() || l10n.t('(empty)'), allowed, ENDPOINT_PRESETS[presetId].label);
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
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/**
 * For the quick input: an error message, or undefined when `text` is empty (no webhook) or an https URL the
 * service can call (api-contract.md §5: HTTPS, publicly reachable).
 */
export function validateWebhookUrl(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return webhookProblem(trimmed);
}

/** Why a (non-empty) webhook URL cannot be used, or undefined. */
export function webhookProblem(value: string): string | undefined {
  if (value.length > MAX_WEBHOOK_CHARS) return l10n.t('The webhook URL must be at most {0} characters.', MAX_WEBHOOK_CHARS);
  if (/\s/.test(value) || CONTROL_CHARACTERS.test(value)) return l10n.t('The webhook URL must not contain spaces or invisible characters.');
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
  if (CONTROL_CHARACTERS.test(value)) return l10n.t('The track id must not contain invisible or control characters.');
  return undefined;
}

function listWithOr(values: readonly number[]): string {
  if (values.length <= 1) return values.join('');
  return l10n.t({ message: '{0} or {1}', args: [values.slice(0, -1).join(', '), values[values.length - 1]], comment: 'A list of numbers: {0} is all but the last, separated by commas, e.g. "21, 31"; {1} is the last, e.g. 41.' });
}
