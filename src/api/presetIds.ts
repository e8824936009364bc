/** The ids of the endpoint presets (setting `multiview.endpointPreset`): a leaf, so that types and tables can share them. */

export const ENDPOINT_PRESET_IDS = ['stablediffusionapi-v5', 'modelslab-v6', 'modelslab-enterprise', 'custom'] as const;

export type EndpointPresetId = (typeof ENDPOINT_PRESET_IDS)[number];

export const DEFAULT_ENDPOINT_PRESET: EndpointPresetId = 'stablediffusionapi-v5';

export function isEndpointPresetId(value: unknown): value is EndpointPresetId {
  return typeof value === 'string' && (ENDPOINT_PRESET_IDS as readonly string[]).includes(value);
}

/** A setting's value as a preset id; anything unknown (a typo, an old value) means the default. */
export function parseEndpointPreset(value: unknown): EndpointPresetId {
  const trimmed = typeof value === 'string' ? value.trim() : value;
  return isEndpointPresetId(trimmed) ? trimmed : DEFAULT_ENDPOINT_PRESET;
}

