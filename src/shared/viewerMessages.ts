/**
 * Messages between the extension host and the 3D model viewer (`dist/viewer.js`, in the result panel and in the
 * read-only model editor), typed once for both sides, with runtime guards for both directions: the viewer checks
 * what the host sends, the host checks what the viewer sends. Also the viewer's texts (the host fills them in,
 * translated, through the container's `data-texts` attribute) and the model formats both sides speak.
 *
 * Browser-safe and Node-safe: no DOM and no Node types, so the root project and the webview project both compile it.
 */

import { isRecord } from './isRecord';

/** The model formats the viewer draws and the model-file checks recognise (the service makes the first four but glTF). */
export const MODEL_FORMATS = ['glb', 'gltf', 'obj', 'stl', 'ply'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** How each format is named to people (file-format names are not translated). */
export const MODEL_FORMAT_LABELS: Readonly<Record<ModelFormat, string>> = {
  glb: 'GLB',
  gltf: 'glTF',
  obj: 'OBJ',
  stl: 'STL',
  ply: 'PLY',
};

export function isModelFormat(value: unknown): value is ModelFormat {
  return typeof value === 'string' && (MODEL_FORMATS as readonly string[]).includes(value);
}

/** The longest file name the viewer accepts (it is only shown, never used as a path). */
export const MAX_MODEL_NAME_LENGTH = 260;

interface LoadModelCommon {
  readonly type: 'load';
  readonly format: ModelFormat;
  /** The file's name, shown in the loading line, the stage's label and any message. */
  readonly name: string;
  /**
   * A webview URI of the folder the model's own relative references resolve against (a .gltf's .bin and textures).
   * Must end with `/`. Without it, a model that refers to other files shows the "resource unavailable" message.
   */
  readonly baseUri?: string;
}

/** Host → viewer: show this model. Bytes are preferred (transferred; the page then needs no `connect-src`). */
export type LoadModelMessage =
  | (LoadModelCommon & { readonly bytes: ArrayBuffer | Uint8Array })
  | (LoadModelCommon & { readonly uri: string });

export type ToViewerMessage = LoadModelMessage;

/** Why the viewer shows a message instead of a model. The host may log or count these; the viewer words them. */
export const VIEWER_ERROR_REASONS = [
  /** No WebGL in this webview (disabled GPU acceleration without a software fallback, or a lost context). */
  'webgl-unavailable',
  /** The bytes are not a model of the given format (an HTML page, an error answer, a broken file). */
  'not-a-model',
  /** The file parsed but holds no triangles and no points. */
  'empty-model',
  /** The model needs a decoder the viewer does not ship (Draco, meshopt, KTX2/Basis textures). */
  'unsupported-feature',
  /** A file the model refers to (a .gltf's .bin, or the model itself by URI) could not be read. */
  'resource-unavailable',
] as const;
export type ViewerErrorReason = (typeof VIEWER_ERROR_REASONS)[number];

export interface ModelSize {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export type FromViewerMessage =
  /** The viewer listens: the host may send `load` now (and again, to show another model). */
  | { readonly type: 'ready' }
  /**
   * The model is on screen. `size` is the bounding box in model units, after the up axis was applied (y is up);
   * `vertices` counts the points of a point cloud (which has 0 triangles).
   */
  | {
      readonly type: 'loaded';
      readonly format: ModelFormat;
      readonly triangles: number;
      readonly vertices: number;
      readonly size: ModelSize;
    }
  /** The model could not be shown; the viewer shows its own message. `detail` is English, for a log. */
  | { readonly type: 'error'; readonly reason: ViewerErrorReason; readonly detail?: string };

/** The performance mark the viewer sets when the first frame with a model is drawn (for the bench). */
export const VIEWER_FIRST_FRAME_MARK = 'multiview-viewer:first-frame';

/** How long an error `detail` may be (it is for a log line, not for a dump of the file). */
export const MAX_ERROR_DETAIL_LENGTH = 500;

export function isToViewerMessage(value: unknown): value is ToViewerMessage {
  if (!isRecord(value) || value.type !== 'load' || !isModelFormat(value.format)) {
    return false;
  }
  if (typeof value.name !== 'string' || value.name.length === 0 || value.name.length > MAX_MODEL_NAME_LENGTH) {
    return false;
  }
  if (value.baseUri !== undefined && (typeof value.baseUri !== 'string' || !value.baseUri.endsWith('/'))) {
    return false;
  }
  const hasBytes = value.bytes instanceof ArrayBuffer || value.bytes instanceof Uint8Array;
  const hasUri = typeof value.uri === 'string' && value.uri.length > 0;
  return hasBytes !== hasUri;
}

export function isFromViewerMessage(value: unknown): value is FromViewerMessage {
  if (!isRecord(value)) {
    return false;
  }
  switch (value.type) {
    case 'ready':
      return true;
    case 'loaded':
      return (
        isModelFormat(value.format) &&
        isCount(value.triangles) &&
        isCount(value.vertices) &&
        isRecord(value.size) &&
        isExtent(value.size.x) &&
        isExtent(value.size.y) &&
        isExtent(value.size.z)
      );
    case 'error':
      return (
        (VIEWER_ERROR_REASONS as readonly unknown[]).includes(value.reason) &&
        (value.detail === undefined || (typeof value.detail === 'string' && value.detail.length <= MAX_ERROR_DETAIL_LENGTH))
      );
    default:
      return false;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isExtent(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Every text the viewer shows. The host renders them, translated, as JSON into the container's `data-texts`
 * attribute; a missing or unusable entry falls back to the English default below. `{0}`… are filled in by the viewer.
 */
export interface ViewerTexts {
  /** The stage's accessible name. {0}: the file name. */
  readonly stageLabel: string;
  /** The visible hint under the stage (also the stage's description). */
  readonly hint: string;
  readonly resetView: string;
  readonly autoRotate: string;
  /** The toggle that treats the file's Z axis as up (STL files usually are; glTF never is). */
  readonly zUp: string;
  /** {0}: the file name. */
  readonly loading: string;
  /** {0}, {1}, {2}: width, height, depth in model units; {3}: triangles; {4}: vertices; {5}: the format. */
  readonly info: string;
  /** A model of points only (a PLY point cloud). {0}, {1}, {2}: size; {3}: points; {4}: the format. */
  readonly infoPoints: string;
  /** The messages shown instead of the model. {0}: the file name; {1}: the format (the WebGL one has neither). */
  readonly errorWebglUnavailable: string;
  readonly errorNotAModel: string;
  readonly errorEmptyModel: string;
  readonly errorUnsupportedFeature: string;
  readonly errorResourceUnavailable: string;
}

export const DEFAULT_VIEWER_TEXTS: ViewerTexts = {
  stageLabel: '3D view of {0}. Drag to orbit, right-drag or Shift-drag to pan, scroll to zoom. Arrow keys orbit, Shift+arrow keys pan, + and - zoom, R or Home resets the view, Space turns auto-rotate on or off.',
  hint: 'Drag to orbit · right-drag or Shift-drag to pan · scroll to zoom · keys: arrows, Shift+arrows, + −, R, Space',
  resetView: 'Reset View',
  autoRotate: 'Auto-rotate',
  zUp: 'Z Up',
  loading: 'Loading {0}…',
  info: '{0} × {1} × {2} units · {3} triangles · {4} vertices · {5}',
  infoPoints: '{0} × {1} × {2} units · {3} points · {4}',
  errorWebglUnavailable: 'The 3D view needs WebGL, which is not available here. Check that hardware acceleration is not turned off for VS Code (the disable-hardware-acceleration runtime argument), or open the model in another 3D tool.',
  errorNotAModel: '{0} is not a {1} model the viewer can read: the file may be damaged, incomplete, or a different kind of file with a model’s name.',
  errorEmptyModel: '{0} opened, but it contains no surfaces or points to show.',
  errorUnsupportedFeature: '{0} uses compression or a texture format that this viewer does not include (Draco, meshopt or KTX2). Open it in Blender or another 3D tool.',
  errorResourceUnavailable: 'A file that {0} needs could not be read (for a .gltf: its .bin or texture files, which must sit beside it).',
};

export const VIEWER_ERROR_TEXT_KEYS: Readonly<Record<ViewerErrorReason, keyof ViewerTexts>> = {
  'webgl-unavailable': 'errorWebglUnavailable',
  'not-a-model': 'errorNotAModel',
  'empty-model': 'errorEmptyModel',
  'unsupported-feature': 'errorUnsupportedFeature',
  'resource-unavailable': 'errorResourceUnavailable',
};

/** The texts from a `data-texts` value: each usable string entry wins, anything else is the English default. */
export function parseViewerTexts(json: string | undefined): ViewerTexts {
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(json) : undefined;
  } catch {
    parsed = undefined;
  }
  const given = isRecord(parsed) ? parsed : {};
  const texts: Record<string, string> = { ...DEFAULT_VIEWER_TEXTS };
  for (const key of Object.keys(DEFAULT_VIEWER_TEXTS)) {
    const value = given[key];
    if (typeof value === 'string' && value.trim().length > 0) {
      texts[key] = value;
    }
  }
  return texts as unknown as ViewerTexts;
}

/** `{0}`, `{1}`… replaced by the arguments, the way `l10n.t` fills a template. */
export function fillTemplate(template: string, ...values: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => values[Number(index)] ?? match);
}
