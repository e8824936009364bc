/** Reads the extension's settings (`multiview.*`) into typed values. */
import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT_PRESET, endpointsForPreset, parseEndpointPreset } from '../api/presets';
import type { ApiEndpoints } from '../api/types';
import { type CameraLayout, DEFAULT_CAMERA_LAYOUT, parseCameraLayout } from '../core/grid';
import { DEFAULT_OUTPUT_FOLDER } from '../core/outputFiles';
import { BUILT_IN_DEFAULTS, type GenerationParameters, sanitizeParameters } from '../core/parameters';

export const DEFAULT_API_BASE_URL = 'https://stablediffusionapi.com';
export const DEFAULT_UPLOAD_BASE_URL = 'https://modelslab.com';

export interface MultiviewSettings {
  endpoints: ApiEndpoints;
  outputFolder: string;
  /** `multiview.saveViews`: save each view as its own PNG beside the grid. */
  saveViews: boolean;
  /** `multiview.cameraLayout`: the poses the views are named and labelled with. */
  cameraLayout: CameraLayout;
  defaults: GenerationParameters;
  requestTimeoutMs: number;
  jobTimeoutMs: number;
  /** `multiview.batch.concurrency`: how many jobs of a batch run at once. */
  batchConcurrency: number;
}

export function readSettings(scope: vscode.Uri | undefined): MultiviewSettings {
  const config = vscode.workspace.getConfiguration('multiview', scope);
  return {
    // The preset and every base URL decide where the key goes: user settings only (see userLevelValue).
    endpoints: endpointsForPreset(parseEndpointPreset(userLevelValue(config, 'endpointPreset', DEFAULT_ENDPOINT_PRESET)), {
      apiBaseUrl: userLevelValue(config, 'apiBaseUrl', DEFAULT_API_BASE_URL),
      modelslabBaseUrl: userLevelValue(config, 'uploadBaseUrl', DEFAULT_UPLOAD_BASE_URL),
      customBaseUrl: userLevelValue(config, 'customBaseUrl', ''),
    }),
    outputFolder: config.get<string>('outputFolder', DEFAULT_OUTPUT_FOLDER),
    saveViews: config.get<boolean>('saveViews', true) !== false,
    cameraLayout: parseCameraLayout(config.get<string>('cameraLayout', DEFAULT_CAMERA_LAYOUT)),
    defaults: sanitizeParameters(
      {
        prompt: config.get('defaults.prompt'),
        negativePrompt: config.get('defaults.negativePrompt'),
        width: config.get('defaults.width'),
        height: config.get('defaults.height'),
        steps: config.get('defaults.steps'),
        guidanceScale: config.get('defaults.guidanceScale'),
        seed: config.get<number | null>('defaults.seed') ?? undefined,
        proxyLinks: config.get('defaults.proxyLinks'),
        padToSquare: config.get('defaults.padToSquare'),
      },
      BUILT_IN_DEFAULTS,
    ),
    requestTimeoutMs: 1000 * clamp(config.get<number>('timeouts.requestSeconds', 60), 5, 600),
    jobTimeoutMs: 1000 * clamp(config.get<number>('timeouts.jobSeconds', 600), 10, 86_400),
    batchConcurrency: Math.round(clamp(config.get<number>('batch.concurrency', 2), 1, 8)),
  };
}

/**
 * The API key is sent to these URLs, so only the user's own settings count: a cloned repository's
 * `.vscode/settings.json` must never redirect it. The manifest declares them application-scoped (VS Code then
 * ignores workspace values); reading only the global value makes that hold even if the scope is ever changed.
 */
function userLevelValue(config: vscode.WorkspaceConfiguration, key: string, fallback: string): string {
  const inspected = config.inspect<string>(key);
  const value = inspected?.globalValue ?? inspected?.defaultValue;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
