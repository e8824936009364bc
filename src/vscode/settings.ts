/** Reads the extension's settings (`multiview.*`) into typed values, and says which one to fix when one is unusable. */
import * as vscode from 'vscode';
import type { MultiviewClientOptions } from '../api/client';
import { DEFAULT_ENDPOINT_PRESET, parseEndpointPreset } from '../api/presetIds';
import { DEFAULT_BASE_URLS, EndpointConfigurationError, endpointsForPreset } from '../api/presets';
import { redactSecret } from '../api/redact';
import type { ApiEndpoints } from '../api/types';
import { type CameraLayout, DEFAULT_CAMERA_LAYOUT, parseCameraLayout } from '../core/grid';
import { DEFAULT_OUTPUT_FOLDER } from '../core/outputFiles';
import { DEFAULT_LONG_SIDE, ORIGINAL_LONG_SIDE_CAP } from '../image/engine';
import { BUILT_IN_DEFAULTS, type GenerationParameters, sanitizeParameters } from '../core/parameters';
import { openSetting, showError } from './notifications';

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
  /** `multiview.upload.longSide`: the long side the image is fitted to before it is sent, or 'original'. */
  uploadLongSide: number | 'original';
  /**
   * `multiview.upload.frameSubject` and `multiview.upload.subjectShare`: the share of the square a cut-out's subject
   * fills (0.5-0.95), or false to pad the whole canvas.
   */
  frameSubject: number | false;
  /** `multiview.views.background`: also cut the views out of the backdrop after a generation. */
  viewsBackground: ViewsBackground;
}

export type ViewsBackground = 'as-generated' | 'transparent';

export function readSettings(scope: vscode.Uri | undefined): MultiviewSettings {
  const config = vscode.workspace.getConfiguration('multiview', scope);
  return {
    // The preset and every base URL decide where the key goes: user settings only (see userLevelValue).
    endpoints: endpointsForPreset(parseEndpointPreset(userLevelValue(config, 'endpointPreset', DEFAULT_ENDPOINT_PRESET)), {
      apiBaseUrl: userLevelValue(config, 'apiBaseUrl', DEFAULT_BASE_URLS.apiBaseUrl),
      modelslabBaseUrl: userLevelValue(config, 'uploadBaseUrl', DEFAULT_BASE_URLS.modelslabBaseUrl),
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
        removeBackground: config.get('defaults.removeBackground'),
      },
      BUILT_IN_DEFAULTS,
    ),
    requestTimeoutMs: 1000 * clamp(config.get<number>('timeouts.requestSeconds', 60), 5, 600),
    jobTimeoutMs: 1000 * clamp(config.get<number>('timeouts.jobSeconds', 600), 10, 86_400),
    batchConcurrency: Math.round(clamp(config.get<number>('batch.concurrency', 2), 1, 8)),
    uploadLongSide: parseLongSide(config.get<string>('upload.longSide', String(DEFAULT_LONG_SIDE))),
    frameSubject: config.get<boolean>('upload.frameSubject', true) === false ? false : Math.round(clamp(config.get<number>('upload.subjectShare', 85), 50, 95)) / 100,
    viewsBackground: config.get<string>('views.background', 'as-generated') === 'transparent' ? 'transparent' : 'as-generated',
  };
}

/** The settings, or `undefined` after telling the user which one to fix (e.g. a custom preset without its URL). */
export function readSettingsOrExplain(scope: vscode.Uri | undefined): MultiviewSettings | undefined {
  try {
    return readSettings(scope);
  } catch (error) {
    if (!(error instanceof EndpointConfigurationError)) {
      throw error;
    }
    void showError(error.message, vscode.l10n.t('Open Settings')).then((action) => action && openSetting(error.setting));
    return undefined;
  }
}

/**
 * The output folder setting for a job on `imageUri`. An image from outside the workspace (a browsed file) has no
 * folder of its own to save beside: its results go to the workspace folder's `multiview/`.
 */
export function outputFolderFor(settings: MultiviewSettings, imageUri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(imageUri) !== undefined ? settings.outputFolder : '${workspaceFolder}/multiview';
}

/** How the pipeline reaches the service with these settings and this key; its request log never holds the key. */
export function connectionFor(settings: MultiviewSettings, apiKey: string, log: vscode.LogOutputChannel): MultiviewClientOptions {
  return {
    apiKey,
    endpoints: settings.endpoints,
    requestTimeoutMs: settings.requestTimeoutMs,
    jobTimeoutMs: settings.jobTimeoutMs,
    log: (line) => log.info(redactSecret(line, apiKey)),
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

/** "1024" and friends, or "original"; anything else (a hand-edited value) is the default. */
function parseLongSide(value: unknown): number | 'original' {
  if (value === 'original') return 'original';
  const side = Number(value);
  return Number.isInteger(side) && side >= 320 && side <= ORIGINAL_LONG_SIDE_CAP ? side : DEFAULT_LONG_SIDE;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
