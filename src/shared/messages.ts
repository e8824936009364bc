/**
 * Messages between the extension and the result panel's webview, typed once for both sides, and the state the
 * webview keeps across reloads. The panel's content is rendered into its HTML by the extension (readable without
 * scripts); the webview sends the user's actions back. Everything from the webview is checked here before use.
 */

import { type ExportKind, isExportKind } from './exportKinds';
import { isRecord } from './isRecord';

/** The saved files a panel's buttons open: the grid, its sidecar, the newest 3D model. */
export type PanelFile = 'grid' | 'sidecar' | 'model';

/** The turntable's speed range, in frames per second: the panel's slider and the exported GIF share it. */
export const MIN_FRAMES_PER_SECOND = 1;
export const MAX_FRAMES_PER_SECOND = 12;
export const DEFAULT_FRAMES_PER_SECOND = 4;


export type FromPanelMessage =
  | { readonly type: 'open'; readonly file: PanelFile }
  | { readonly type: 'reveal' }
  /** A file made from the result, by its name (the host opens it only if the sidecar lists it). */
  | { readonly type: 'openExported'; readonly file: string }
  /** An export, with the turntable's speed as the panel shows it (the exports that animate use it). */
  | { readonly type: 'export'; readonly kind: ExportKind; readonly framesPerSecond: number }
  /** "Make 3D Model…": the host asks for the model's options (and says it spends credits) before anything runs. */
  | { readonly type: 'makeModel' };

/** The export is done (saved or not): its button may be pressed again. */
export type ToPanelMessage = { readonly type: 'exportFinished'; readonly kind: ExportKind };

/** What the webview saves with setState: enough to render the same panel again after a reload, nothing more. */
export interface PanelState {
  readonly sidecarPath: string;
  readonly framesPerSecond: number;
}

export function isFromPanelMessage(value: unknown): value is FromPanelMessage {
  if (!isRecord(value)) {
    return false;
  }
  switch (value.type) {
    case 'reveal':
    case 'makeModel':
      return true;
    case 'open':
      return value.file === 'grid' || value.file === 'sidecar' || value.file === 'model';
    case 'openExported':
      return typeof value.file === 'string' && value.file.length > 0 && value.file.length <= 255;
    case 'export':
      return isExportKind(value.kind) && typeof value.framesPerSecond === 'number' && Number.isFinite(value.framesPerSecond);
    default:
      return false;
  }
}

export function isToPanelMessage(value: unknown): value is ToPanelMessage {
  return isRecord(value) && value.type === 'exportFinished' && isExportKind(value.kind);
}

/** A speed from the webview (or saved state), forced into the supported range; anything unusable is the default. */
export function clampFramesPerSecond(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return DEFAULT_FRAMES_PER_SECOND;
  }
  return Math.min(MAX_FRAMES_PER_SECOND, Math.max(MIN_FRAMES_PER_SECOND, Math.round(value)));
}

/** The saved state, if it names a sidecar (a `.json` file by absolute path); the speed is clamped. */
export function parsePanelState(value: unknown): PanelState | undefined {
  if (!isRecord(value) || typeof value.sidecarPath !== 'string' || !/\.json$/i.test(value.sidecarPath)) {
    return undefined;
  }
  const absolute = value.sidecarPath.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value.sidecarPath);
  return absolute ? { sidecarPath: value.sidecarPath, framesPerSecond: clampFramesPerSecond(value.framesPerSecond) } : undefined;
}
