/**
 * Reading a saved sidecar back (the history view, re-runs, panels restored after a reload). A sidecar is a file in
 * the workspace, so anyone may have edited it: every field is checked, and whatever names a file is reduced to a
 * bare file name beside the sidecar, so a hostile sidecar cannot point the panel or a delete at another path.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type CameraLayout, parseCameraLayout } from './grid';
import type { GenerationParameters } from './parameters';
import { SIDECAR_SCHEMA, type Sidecar, type SidecarView } from './sidecar';

/** Larger than any sidecar we write (a few KB); a bigger file is not one of ours. */
const MAX_SIDECAR_BYTES = 1024 * 1024;

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

export async function readSavedResult(sidecarPath: string, workspaceFolder: string): Promise<SavedResult> {
  const stat = await fs.stat(sidecarPath);
  if (!stat.isFile() || stat.size > MAX_SIDECAR_BYTES) {
    throw new SidecarReadError(`${path.basename(sidecarPath)} is not a Multiview sidecar.`);
  }
  return savedResultFromText(await fs.readFile(sidecarPath, 'utf8'), sidecarPath, workspaceFolder);
}

export function savedResultFromText(text: string, sidecarPath: string, workspaceFolder: string): SavedResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SidecarReadError(`${path.basename(sidecarPath)} is not valid JSON.`);
  }
  const sidecar = parseSidecar(json);
  if (!sidecar) {
    throw new SidecarReadError(`${path.basename(sidecarPath)} is not a Multiview sidecar.`);
  }
  const folder = path.dirname(sidecarPath);
  const beside = (name: string) => path.join(folder, path.basename(name));
  const finishedAtMs = Date.parse(sidecar.timings.finishedAt);
  return {
    sidecarPath,
    sidecar,
    gridPath: beside(sidecar.grid),
    viewPaths: sidecar.views.map((view) => beside(view.file)),
    sourceImagePath: sourceImagePath(workspaceFolder, sidecar.sourceImage),
    finishedAtMs: Number.isFinite(finishedAtMs) ? finishedAtMs : 0,
  };
}

/** The source image inside the workspace folder; a path that would leave it is kept to its file name. */
function sourceImagePath(workspaceFolder: string, relative: string): string {
  const resolved = path.resolve(workspaceFolder, relative);
  const inside = path.relative(workspaceFolder, resolved);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? resolved : path.join(workspaceFolder, path.basename(relative));
}

/**
 * The sidecar, if `json` has the fields a Multiview sidecar must have, with every other field defaulted;
 * `undefined` for anything else (another tool's JSON beside an image).
 */
export function parseSidecar(json: unknown): Sidecar | undefined {
  if (!isRecord(json) || json.schema !== SIDECAR_SCHEMA) {
    return undefined;
  }
  const parameters = isRecord(json.parameters) ? json.parameters : undefined;
  if (!parameters || !isText(json.sourceImage) || !isText(json.grid) || !isText(json.jobId)) {
    return undefined;
  }
  const timings = isRecord(json.timings) ? json.timings : {};
  const output = isRecord(json.output) ? json.output : {};
  const temp = parameters.temp;
  return {
    ...(json as unknown as Sidecar),
    schema: SIDECAR_SCHEMA,
    createdBy: text(json.createdBy),
    sourceImage: json.sourceImage,
    grid: json.grid,
    jobId: json.jobId,
    seed: integerOrNull(json.seed),
    endpointPreset: (text(json.endpointPreset) || 'v5') as Sidecar['endpointPreset'],
    parameters: {
      prompt: text(parameters.prompt),
      negative_prompt: text(parameters.negative_prompt),
      width: numberOr(parameters.width, 640),
      height: numberOr(parameters.height, 960),
      num_inference_steps: numberOr(parameters.num_inference_steps, 20),
      guidance_scale: numberOr(parameters.guidance_scale, 5),
      seed: integerOrNull(parameters.seed),
      temp: temp === 'yes' || temp === true ? temp : temp === false ? false : 'no',
      webhook: isText(parameters.webhook) ? parameters.webhook : null,
      track_id: isText(parameters.track_id) || typeof parameters.track_id === 'number' ? parameters.track_id : null,
    },
    output: {
      downloadedFrom: text(output.downloadedFrom),
      outputUrls: textList(output.outputUrls),
      proxyUrls: textList(output.proxyUrls),
    },
    serverGenerationSeconds: typeof json.serverGenerationSeconds === 'number' ? json.serverGenerationSeconds : null,
    timings: {
      startedAt: text(timings.startedAt),
      finishedAt: text(timings.finishedAt),
      uploadMs: numberOr(timings.uploadMs, 0),
      generationMs: numberOr(timings.generationMs, 0),
      downloadMs: numberOr(timings.downloadMs, 0),
      totalMs: numberOr(timings.totalMs, 0),
    },
    meta: isRecord(json.meta) ? json.meta : {},
    inputPreparation:
      isRecord(json.inputPreparation) && typeof json.inputPreparation.requested === 'boolean' ? (json.inputPreparation as unknown as Sidecar['inputPreparation']) : null,
    cameraLayout: parseCameraLayout(json.cameraLayout) as CameraLayout,
    views: Array.isArray(json.views) ? json.views.map(parseView).filter((view): view is SidecarView => view !== undefined) : [],
  };
}

/** The parameters a sidecar records, as the quick input and the job take them (re-runs). */
export function parametersFromSidecar(sidecar: Sidecar): GenerationParameters {
  const { parameters } = sidecar;
  return {
    prompt: parameters.prompt,
    negativePrompt: parameters.negative_prompt,
    width: parameters.width,
    height: parameters.height,
    steps: parameters.num_inference_steps,
    guidanceScale: parameters.guidance_scale,
    seed: parameters.seed ?? undefined,
    proxyLinks: parameters.temp === 'yes' || parameters.temp === true,
    // The sidecar keeps only the webhook's origin and path, not a secret in its query: not re-sent.
    trackId: parameters.track_id ?? undefined,
    // An older sidecar, from before the choice was offered: the default, pad.
    padToSquare: sidecar.inputPreparation?.requested ?? true,
  };
}

function parseView(value: unknown): SidecarView | undefined {
  if (!isRecord(value) || !isText(value.file) || typeof value.azimuthDegrees !== 'number' || typeof value.elevationDegrees !== 'number') {
    return undefined;
  }
  const rect = isRecord(value.rect) ? value.rect : {};
  return {
    index: numberOr(value.index, 0),
    row: numberOr(value.row, 0),
    column: numberOr(value.column, 0),
    azimuthDegrees: value.azimuthDegrees,
    elevationDegrees: value.elevationDegrees,
    file: value.file,
    rect: { x: numberOr(rect.x, 0), y: numberOr(rect.y, 0), width: numberOr(rect.width, 0), height: numberOr(rect.height, 0) },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}
