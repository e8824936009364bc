/** The JSON file saved beside each grid: everything needed to understand or repeat the generation. */
import type { EndpointPresetId } from '../api/presetIds';
import type { EncodedRequestFields } from '../api/request';
import type { ImageTransport, MultiviewResult } from '../api/types';
import type { InputPreparation } from '../image/prepareUpload';
import type { CameraLayout, ViewPose, ViewRect } from './grid';
import { toSidecarParameters } from './parameterMapping';

export const SIDECAR_SCHEMA = 'multiview-sidecar/1';

export interface SidecarInput {
  /** The source image, relative to the workspace folder (forward slashes). */
  sourceImage: string;
  /** The request's fields exactly as they were sent (the endpoint's encoding), minus the image. */
  sent: EncodedRequestFields;
  endpointPreset: EndpointPresetId;
  result: MultiviewResult;
  /** The URL the grid was downloaded from (a 24-hour link). */
  downloadedFrom: string;
  /** What was done to the image before upload, if anything. */
  upload: { transport?: ImageTransport; width: number; height: number; bytes: number; reencoded?: unknown };
  /** Padding to a square before upload: what was done, or why not. */
  inputPreparation: InputPreparation;
  timings: { startedAt: Date; finishedAt: Date; uploadMs: number; generationMs: number; downloadMs: number };
  gridFileName: string;
  extensionVersion: string;
  /** The `multiview.cameraLayout` the views were labelled with. */
  cameraLayout: CameraLayout;
  /** The grid's size as measured from its header (not the requested size); `null` when unreadable. */
  gridSize: { width: number; height: number } | null;
  /** The views saved beside the grid, row-major; empty when none were saved. */
  views: SidecarView[];
  /** Why no views were saved, when none were. */
  viewsSkipped: ViewsSkipped | null;
}

export interface SidecarView extends ViewPose {
  /** The view's file name, beside the grid. */
  file: string;
  /** Where it was cut from the grid, in pixels. */
  rect: ViewRect;
}

export interface ViewsSkipped {
  reason: 'disabled' | 'webp-grid' | 'unreadable-grid';
  message: string;
}

export interface Sidecar {
  schema: typeof SIDECAR_SCHEMA;
  createdBy: string;
  sourceImage: string;
  grid: string;
  jobId: string;
  seed: number | null;
  /** The `multiview.endpointPreset` the job was sent with. */
  endpointPreset: EndpointPresetId;
  parameters: {
    prompt: string;
    negative_prompt: string;
    width: number;
    height: number;
    num_inference_steps: number;
    guidance_scale: number;
    seed: number | null;
    /** As sent: "yes"/"no" (v5, custom) or a boolean (v6, enterprise). */
    temp: 'yes' | 'no' | boolean;
    /**
     * Origin and path of the webhook URL, without user info, query or fragment: a webhook's only protection is
     * often a secret in its URL, and sidecars end up in repositories.
     */
    webhook: string | null;
    /** As sent (a number for ModelsLab v6). */
    track_id: string | number | null;
  };
  upload: SidecarInput['upload'];
  /**
   * Padding to a square before upload: `requested` (the user's answer, what a re-run should ask for again),
   * `padded`, `fromSize`/`toSize`, `background`, `compositedAlpha`, and `skipped` with a `note` saying why not.
   * `null` in sidecars written before it was recorded.
   */
  inputPreparation: InputPreparation | null;
  output: { downloadedFrom: string; outputUrls: string[]; proxyUrls: string[] };
  serverGenerationSeconds: number | null;
  timings: { startedAt: string; finishedAt: string; uploadMs: number; generationMs: number; downloadMs: number; totalMs: number };
  meta: Record<string, unknown>;
  cameraLayout: CameraLayout;
  gridSize: { width: number; height: number } | null;
  views: SidecarView[];
  viewsSkipped: ViewsSkipped | null;
}

export function buildSidecar(input: SidecarInput): Sidecar {
  const { result, timings, sent } = input;
  const parameters = toSidecarParameters(sent);
  return {
    schema: SIDECAR_SCHEMA,
    createdBy: `Multiview for VS Code ${input.extensionVersion}`,
    sourceImage: input.sourceImage,
    grid: input.gridFileName,
    jobId: result.jobId,
    seed: result.seed ?? sent.seed ?? null,
    endpointPreset: input.endpointPreset,
    parameters,
    upload: input.upload,
    inputPreparation: input.inputPreparation,
    output: { downloadedFrom: input.downloadedFrom, outputUrls: result.outputUrls, proxyUrls: result.proxyUrls },
    serverGenerationSeconds: result.generationTime ?? null,
    timings: {
      startedAt: timings.startedAt.toISOString(),
      finishedAt: timings.finishedAt.toISOString(),
      uploadMs: timings.uploadMs,
      generationMs: timings.generationMs,
      downloadMs: timings.downloadMs,
      totalMs: timings.finishedAt.getTime() - timings.startedAt.getTime(),
    },
    // The server echoes the request in meta, webhook included: keep only its display form there too.
    meta: sent.webhook !== null && parameters.webhook !== sent.webhook ? (replaceDeep(result.meta, sent.webhook, parameters.webhook ?? '') as Record<string, unknown>) : result.meta,
    cameraLayout: input.cameraLayout,
    gridSize: input.gridSize,
    views: input.views,
    viewsSkipped: input.viewsSkipped,
  };
}

/** A copy of a JSON-like value with every occurrence of `from` inside its strings replaced by `to`. */
function replaceDeep(value: unknown, from: string, to: string, depth = 0): unknown {
  if (depth > 32) return value;
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, from, to, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, from, to, depth + 1)]));
  }
  return value;
}
