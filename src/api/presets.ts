/**
 * The endpoint presets (setting `multiview.endpointPreset`): the same Multiview model behind four doors that
 * differ in paths, in how the image travels, in the type of `temp`, in the allowed steps and in how a queued job
 * is polled (docs/api-contract.md §1, §3, §4, §12). Each difference is data here; `endpointsForPreset` turns a preset and
 * the configured base URLs into the ApiEndpoints the client follows. Pure: no I/O, no `vscode`.
 */
import * as l10n from '@vscode/l10n';
import { DEFAULT_ENDPOINT_PRESET, type EndpointPresetId } from './presetIds';
import type { ApiEndpoints, FetchBodyShape, ImageTransport, JobEndpoint, TempFormat, TrackIdFormat } from './types';

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

/** One kind of job behind a preset: its route, how the image travels, its poll routes (docs/api-contract.md §3). */
export interface PresetJob {
  route: PresetRoute;
  imageTransport: ImageTransport;
  /** Tried in order after the server's own `fetch_result`. */
  fetchFallbacks: readonly PresetFetchRoute[];
}

export interface EndpointPreset {
  id: EndpointPresetId;
  /** Short name for pickers and messages (the manifest's enumDescriptions describe each preset for the settings UI). */
  label: string;
  multiview: PresetJob;
  backgroundRemoval: PresetJob;
  imageTo3d: PresetJob;
  /** The upload helpers (ModelsLab general API); jobs that send the image inline never call them. */
  base64ToUrl: PresetRoute;
  base64Crop: PresetRoute;
  tempFormat: TempFormat;
  /** The only `num_inference_steps` the endpoint documents; absent means the general 1-50. */
  allowedSteps?: readonly number[];
  trackIdFormat: TrackIdFormat;
  /** Whether every URL comes from `customBaseUrl`. */
  usesCustomBase: boolean;
}

const UPLOAD_ROUTES = {
  base64ToUrl: { base: 'modelslab', path: '/api/v6/base64_to_url' },
  base64Crop: { base: 'modelslab', path: '/api/v3/base64_crop' },
} as const satisfies Record<string, PresetRoute>;

const V6_IMAGE_EDITING_FETCH: PresetFetchRoute = { base: 'modelslab', path: `/api/v6/image_editing/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' };
/** stablediffusionapi.com documents no v5 fetch route: the v6 image-editing fetch, then the v3 fetch its v5 jobs used. */
const V5_FETCH_FALLBACKS: readonly PresetFetchRoute[] = [V6_IMAGE_EDITING_FETCH, { base: 'api', path: `/api/v3/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' }];

/** Background removal on ModelsLab v6: the image as a URL or inline (§12). Enterprise documents none of its own. */
const V6_BACKGROUND_REMOVAL: PresetJob = {
  route: { base: 'modelslab', path: '/api/v6/image_editing/removebg_mask' },
  imageTransport: 'inline-base64',
  fetchFallbacks: [V6_IMAGE_EDITING_FETCH],
};

/** Image to 3D lives on ModelsLab v6 for every account (§12): stablediffusionapi.com has no 3D route. */
const V6_IMAGE_TO_3D: PresetJob = {
  route: { base: 'modelslab', path: '/api/v6/3d/image_to_3d' },
  imageTransport: 'upload',
  fetchFallbacks: [{ base: 'modelslab', path: `/api/v6/3d/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' }],
};

const V5: EndpointPreset = {
  id: 'stablediffusionapi-v5',
  label: 'stablediffusionapi.com v5',
  multiview: { route: { base: 'api', path: '/api/v5/multiview' }, imageTransport: 'upload', fetchFallbacks: V5_FETCH_FALLBACKS },
  backgroundRemoval: { route: { base: 'api', path: '/api/v5/removebg_mask' }, imageTransport: 'upload', fetchFallbacks: V5_FETCH_FALLBACKS },
  imageTo3d: V6_IMAGE_TO_3D,
  ...UPLOAD_ROUTES,
  tempFormat: 'yes-no',
  trackIdFormat: 'string-or-number',
  usesCustomBase: false,
};

export const ENDPOINT_PRESETS: Readonly<Record<EndpointPresetId, EndpointPreset>> = {
  'stablediffusionapi-v5': V5,
  'modelslab-v6': {
    id: 'modelslab-v6',
    label: 'ModelsLab v6',
    multiview: { route: { base: 'modelslab', path: '/api/v6/image_editing/multiview' }, imageTransport: 'inline-base64', fetchFallbacks: [V6_IMAGE_EDITING_FETCH] },
    backgroundRemoval: V6_BACKGROUND_REMOVAL,
    imageTo3d: V6_IMAGE_TO_3D,
    ...UPLOAD_ROUTES,
    tempFormat: 'boolean',
    allowedSteps: [21, 31, 41],
    trackIdFormat: 'integer',
    usesCustomBase: false,
  },
  'modelslab-enterprise': {
    id: 'modelslab-enterprise',
    label: 'ModelsLab Enterprise',
    multiview: {
      route: { base: 'modelslab', path: '/api/v1/enterprise/image_editing/multiview' },
      imageTransport: 'upload',
      fetchFallbacks: [{ base: 'modelslab', path: '/api/v1/enterprise/fetch', body: 'key-and-request-id' }],
    },
    backgroundRemoval: V6_BACKGROUND_REMOVAL,
    imageTo3d: {
      route: { base: 'modelslab', path: '/api/v1/enterprise/3d/image_to_3d' },
      imageTransport: 'upload',
      fetchFallbacks: [{ base: 'modelslab', path: `/api/v1/enterprise/3d/fetch/${JOB_ID_PLACEHOLDER}`, body: 'key' }],
    },
    ...UPLOAD_ROUTES,
    tempFormat: 'boolean',
    trackIdFormat: 'string-or-number',
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

/** The hosts of the built-in presets (also the settings' defaults in package.json). */
export const DEFAULT_BASE_URLS = { apiBaseUrl: 'https://stablediffusionapi.com', modelslabBaseUrl: 'https://modelslab.com' } as const;

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
  const job = ({ route, imageTransport, fetchFallbacks }: PresetJob): JobEndpoint => ({
    url: url(route),
    imageTransport,
    fetchFallbacks: fetchFallbacks.map((fallback) => ({ url: url(fallback), body: fallback.body })),
  });
  const endpoints: ApiEndpoints = {
    preset: preset.id,
    multiview: job(preset.multiview),
    backgroundRemoval: job(preset.backgroundRemoval),
    imageTo3d: job(preset.imageTo3d),
    base64ToUrl: url(preset.base64ToUrl),
    base64Crop: url(preset.base64Crop),
    tempFormat: preset.tempFormat,
    trackIdFormat: preset.trackIdFormat,
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

