/**
 * Reading a saved sidecar back (the history view, re-runs, panels restored after a reload). A sidecar is a file in
 * the workspace, so anyone may have edited it: every field is checked, and whatever names a file is reduced to a
 * bare file name beside the sidecar, so a hostile sidecar cannot point the panel or a delete at another path.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ENDPOINT_PRESET, isEndpointPresetId } from '../api/presetIds';
import { isExportKind } from '../shared/exportKinds';
import { isRecord } from '../shared/isRecord';
import { hasControlCharacters } from '../shared/text';
import { isInside } from './files';
import { GRID_COLUMNS, GRID_ROWS } from '../shared/gridGeometry';
import { parseCameraLayout } from './grid';
import { BUILT_IN_DEFAULTS } from './parameters';
import { type InputPreparationRecord, SIDECAR_SCHEMA, type Sidecar, type SidecarExport, type SidecarModel, type SidecarSubject, type SidecarView, type ViewsSkipped } from './sidecarSchema';

/** Larger than any sidecar we write (a few KB); a bigger file is not one of ours. */
export const MAX_SIDECAR_BYTES = 1024 * 1024;

/** Job ids are short tokens; a longer one is not from the service. */
const MAX_JOB_ID_CHARS = 200;

/** More models than this for one result is not something the extension wrote. */
const MAX_MODELS = 50;

/** Likewise for exports, and for the files of one export (a grid and six views is the most one writes). */
const MAX_EXPORTS = 200;
const MAX_FILES_PER_EXPORT = 7;

const VIEW_COUNT = GRID_ROWS * GRID_COLUMNS;

export class SidecarReadError extends Error {
  override name = 'SidecarReadError';
}

/** A sidecar found on disk, with the absolute paths of the files it names. */
export interface SavedResult {
  sidecarPath: string;
  sidecar: Sidecar;
  /** The grid, beside the sidecar. */
  gridPath: string;
  /** The six views, beside the sidecar, row-major; empty when none were saved. */
  viewPaths: string[];
  /** The source image: the sidecar's `sourceImage` under the workspace folder (it may have moved since). */
  sourceImagePath: string;
  /** `timings.finishedAt` in ms since the epoch (0 when unreadable): history sorts by it. */
  finishedAtMs: number;
}

/**
 * Reads and checks the sidecar at `sidecarPath`. Throws SidecarReadError for anything that is not a Multiview
 * sidecar (and the file system's error when it cannot be read at all).
 */
export async function readSavedResult(sidecarPath: string, workspaceFolder: string): Promise<SavedResult> {
  return savedResultFromText(await readSidecarText(sidecarPath), sidecarPath, workspaceFolder);
}

/**
 * A sidecar's text, refusing anything but a regular file of at most MAX_SIDECAR_BYTES. It reads through one handle
 * and at most one byte past the limit, so a file that grows after the size check cannot make it read more.
 */
export async function readSidecarText(sidecarPath: string): Promise<string> {
  const notOurs = () => new SidecarReadError(l10n.t('{0} is not a Multiview sidecar.', path.basename(sidecarPath)));
  const handle = await fs.open(sidecarPath, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_SIDECAR_BYTES) {
      throw notOurs();
    }
    const buffer = Buffer.alloc(MAX_SIDECAR_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_SIDECAR_BYTES) throw notOurs();
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

export function savedResultFromText(text: string, sidecarPath: string, workspaceFolder: string): SavedResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SidecarReadError(l10n.t('{0} is not valid JSON.', path.basename(sidecarPath)));
  }
  const sidecar = parseSidecar(json);
  const source = sidecar ? sourceImagePath(workspaceFolder, sidecar.sourceImage) : undefined;
  if (!sidecar || !source) {
    throw new SidecarReadError(l10n.t('{0} is not a Multiview sidecar.', path.basename(sidecarPath)));
  }
  const folder = path.dirname(sidecarPath);
  const finishedAtMs = Date.parse(sidecar.timings.finishedAt);
  return {
    sidecarPath,
    sidecar,
    gridPath: path.join(folder, sidecar.grid),
    viewPaths: sidecar.views.map((view) => path.join(folder, view.file)),
    sourceImagePath: source,
    finishedAtMs: Number.isFinite(finishedAtMs) ? finishedAtMs : 0,
  };
}

/**
 * The last segment of `name` (either separator, whatever the platform: a sidecar may come from another OS), or
 * `undefined` when nothing usable is left (empty, `.`, `..`, control characters): every file a sidecar names is
 * taken from the sidecar's own folder, never from a path the sidecar chose.
 */
export function bareFileName(name: string): string | undefined {
  const last = name.split(/[\\/]/).pop() ?? '';
  return last === '' || last === '.' || last === '..' || hasControlCharacters(last) ? undefined : last;
}

/**
 * The source image inside the workspace folder; a path that would leave it is kept to its file name there.
 * `undefined` when the sidecar names no file at all (`.`, `..`, `/`).
 */
function sourceImagePath(workspaceFolder: string, relative: string): string | undefined {
  const name = bareFileName(relative);
  if (!name) return undefined;
  const root = path.resolve(workspaceFolder);
  const resolved = path.resolve(root, relative);
  return resolved !== root && isInside(resolved, root) ? resolved : path.join(root, name);
}

/**
 * The sidecar, if `json` has the fields a Multiview sidecar must have, with every other field checked or
 * defaulted and file names reduced to bare names (see bareFileName); `undefined` for anything else (another tool's
 * JSON beside an image, a grid name that names no file). Fields we do not know are dropped.
 */
export function parseSidecar(json: unknown): Sidecar | undefined {
  if (!isRecord(json) || json.schema !== SIDECAR_SCHEMA) {
    return undefined;
  }
  const parameters = isRecord(json.parameters) ? json.parameters : undefined;
  const grid = isText(json.grid) ? bareFileName(json.grid) : undefined;
  if (!parameters || !grid || !isText(json.sourceImage) || !isText(json.jobId) || json.jobId.length > MAX_JOB_ID_CHARS) {
    return undefined;
  }
  const timings = isRecord(json.timings) ? json.timings : {};
  const output = isRecord(json.output) ? json.output : {};
  const upload = isRecord(json.upload) ? json.upload : {};
  const temp = parameters.temp;
  return {
    schema: SIDECAR_SCHEMA,
    createdBy: text(json.createdBy),
    sourceImage: json.sourceImage,
    grid,
    jobId: json.jobId,
    seed: integerOrNull(json.seed),
    endpointPreset: isEndpointPresetId(json.endpointPreset) ? json.endpointPreset : DEFAULT_ENDPOINT_PRESET,
    parameters: {
      prompt: text(parameters.prompt),
      negative_prompt: text(parameters.negative_prompt),
      width: numberOr(parameters.width, BUILT_IN_DEFAULTS.width),
      height: numberOr(parameters.height, BUILT_IN_DEFAULTS.height),
      num_inference_steps: numberOr(parameters.num_inference_steps, BUILT_IN_DEFAULTS.steps),
      guidance_scale: numberOr(parameters.guidance_scale, BUILT_IN_DEFAULTS.guidanceScale),
      seed: integerOrNull(parameters.seed),
      temp: temp === 'yes' || temp === true ? temp : temp === false ? false : 'no',
      webhook: isText(parameters.webhook) ? parameters.webhook : null,
      track_id: isText(parameters.track_id) || typeof parameters.track_id === 'number' ? parameters.track_id : null,
    },
    upload: {
      ...(upload.transport === 'upload' || upload.transport === 'inline-base64' ? { transport: upload.transport } : {}),
      width: numberOr(upload.width, 0),
      height: numberOr(upload.height, 0),
      bytes: numberOr(upload.bytes, 0),
      ...(upload.reencoded !== undefined ? { reencoded: upload.reencoded } : {}),
    },
    output: {
      downloadedFrom: text(output.downloadedFrom),
      outputUrls: textList(output.outputUrls),
      proxyUrls: textList(output.proxyUrls),
    },
    serverGenerationSeconds: numberOr(json.serverGenerationSeconds, null),
    timings: {
      startedAt: text(timings.startedAt),
      finishedAt: text(timings.finishedAt),
      uploadMs: numberOr(timings.uploadMs, 0),
      generationMs: numberOr(timings.generationMs, 0),
      downloadMs: numberOr(timings.downloadMs, 0),
      totalMs: numberOr(timings.totalMs, 0),
    },
    meta: isRecord(json.meta) ? json.meta : {},
    inputPreparation: parseInputPreparation(json.inputPreparation),
    cameraLayout: parseCameraLayout(json.cameraLayout),
    gridSize: parseGridSize(json.gridSize),
    // More than six is not a grid of ours: the extra entries are ignored rather than trusted.
    views: Array.isArray(json.views)
      ? json.views
          .slice(0, VIEW_COUNT)
          .map(parseView)
          .filter((view): view is SidecarView => view !== undefined)
      : [],
    viewsSkipped: parseViewsSkipped(json.viewsSkipped),
    subject: parseSubject(json.subject),
    // Models the sidecar says were made; like the views, more than a few dozen is not ours.
    models: Array.isArray(json.models) ? json.models.slice(0, MAX_MODELS).map(parseModel).filter((model): model is SidecarModel => model !== undefined) : [],
    exports: Array.isArray(json.exports) ? json.exports.slice(0, MAX_EXPORTS).map(parseExport).filter((entry): entry is SidecarExport => entry !== undefined) : [],
  };
}

/** An export whose every file is a bare name; one naming no file, or a file that cannot be a name, is dropped. */
function parseExport(value: unknown): SidecarExport | undefined {
  if (!isRecord(value) || !isExportKind(value.kind) || !Array.isArray(value.files)) {
    return undefined;
  }
  const names = value.files.slice(0, MAX_FILES_PER_EXPORT).map((file) => (isText(file) ? bareFileName(file) : undefined));
  if (names.length === 0 || names.some((name) => name === undefined)) {
    return undefined;
  }
  return { kind: value.kind, files: names as string[], createdAt: text(value.createdAt), details: isRecord(value.details) ? value.details : {} };
}

function parseView(value: unknown): SidecarView | undefined {
  const file = isRecord(value) && isText(value.file) ? bareFileName(value.file) : undefined;
  if (!isRecord(value) || !file || !isFiniteNumber(value.azimuthDegrees) || !isFiniteNumber(value.elevationDegrees)) {
    return undefined;
  }
  const rect = isRecord(value.rect) ? value.rect : {};
  return {
    index: numberOr(value.index, 0),
    row: numberOr(value.row, 0),
    column: numberOr(value.column, 0),
    azimuthDegrees: value.azimuthDegrees,
    elevationDegrees: value.elevationDegrees,
    file,
    rect: { x: numberOr(rect.x, 0), y: numberOr(rect.y, 0), width: numberOr(rect.width, 0), height: numberOr(rect.height, 0) },
  };
}

/** The engine's record (it names the padding answer in `options`) or an older sidecar's (in `requested`). */
function parseInputPreparation(value: unknown): InputPreparationRecord | null {
  if (!isRecord(value)) return null;
  const legacy = typeof value.requested === 'boolean';
  const current = isRecord(value.options) && typeof value.options.padToSquare === 'boolean' && Array.isArray(value.steps);
  return legacy || current ? (value as unknown as InputPreparationRecord) : null;
}

function parseSubject(value: unknown): SidecarSubject | null {
  const file = isRecord(value) && isText(value.file) ? bareFileName(value.file) : undefined;
  return isRecord(value) && file
    ? { file, jobId: text(value.jobId).slice(0, MAX_JOB_ID_CHARS), width: numberOr(value.width, 0), height: numberOr(value.height, 0) }
    : null;
}

const MODEL_FORMATS: readonly SidecarModel['format'][] = ['glb', 'obj', 'stl', 'ply'];
const MODEL_INPUTS: readonly SidecarModel['input'][] = ['subject', 'input-image', 'views'];

function parseModel(value: unknown): SidecarModel | undefined {
  const file = isRecord(value) && isText(value.file) ? bareFileName(value.file) : undefined;
  if (!isRecord(value) || !file || !MODEL_FORMATS.includes(value.format as SidecarModel['format'])) {
    return undefined;
  }
  return {
    file,
    format: value.format as SidecarModel['format'],
    jobId: text(value.jobId).slice(0, MAX_JOB_ID_CHARS),
    parameters: isRecord(value.parameters) ? value.parameters : {},
    input: MODEL_INPUTS.includes(value.input as SidecarModel['input']) ? (value.input as SidecarModel['input']) : 'input-image',
    triangles: numberOr(value.triangles, 0),
    vertices: numberOr(value.vertices, 0),
    bytes: numberOr(value.bytes, 0),
    seed: integerOrNull(value.seed),
    serverGenerationSeconds: numberOr(value.serverGenerationSeconds, null),
    finishedAt: text(value.finishedAt),
  };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function textList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function parseGridSize(value: unknown): Sidecar['gridSize'] {
  return isRecord(value) && isFiniteNumber(value.width) && isFiniteNumber(value.height) ? { width: value.width, height: value.height } : null;
}

function parseViewsSkipped(value: unknown): ViewsSkipped | null {
  const reasons: readonly unknown[] = ['disabled', 'webp-grid', 'unreadable-grid'] satisfies ViewsSkipped['reason'][];
  return isRecord(value) && reasons.includes(value.reason) ? { reason: value.reason as ViewsSkipped['reason'], message: text(value.message) } : null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function numberOr<T extends number | null>(value: unknown, fallback: T): number | T {
  return isFiniteNumber(value) ? value : fallback;
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}
