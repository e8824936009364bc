/** Building the JSON file saved beside each grid: everything needed to understand or repeat the generation. */
import type { JobResult } from '../api/types';
import type { EndpointPresetId } from '../api/presetIds';
import type { EncodedRequestFields } from '../api/request';
import type { CameraLayout } from './grid';
import { toSidecarParameters } from './parameterMapping';
import { type InputPreparationRecord, SIDECAR_SCHEMA, type Sidecar, type SidecarSubject, type SidecarUpload, type SidecarView, type ViewsSkipped } from './sidecarSchema';

export interface SidecarInput {
  /** The source image, relative to the workspace folder (forward slashes). */
  sourceImage: string;
  /** The request's fields exactly as they were sent (the endpoint's encoding), minus the image. */
  sent: EncodedRequestFields;
  endpointPreset: EndpointPresetId;
  result: JobResult;
  /** The URL the grid was downloaded from (a 24-hour link). */
  downloadedFrom: string;
  /** What was done to the image before upload, if anything. */
  upload: SidecarUpload;
  /** What was done to the image before it was sent (the image engine's record). */
  inputPreparation: InputPreparationRecord;
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
  /** The background-removal cut-out saved beside the grid, when one was made. */
  subject: SidecarSubject | null;
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
    subject: input.subject,
    models: [],
    exports: [],
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
