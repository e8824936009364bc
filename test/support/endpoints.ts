import { endpointsForPreset } from '../../src/api/presets';
import type { ApiEndpoints } from '../../src/api/types';

/** The default preset's endpoints (stablediffusionapi.com v5) with both base URLs pointed at test servers. */
export function endpointsFromBaseUrls(apiBaseUrl: string, modelslabBaseUrl: string): ApiEndpoints {
  return endpointsForPreset('stablediffusionapi-v5', { apiBaseUrl, modelslabBaseUrl });
}
