/**
 * The shape of the JSON file saved beside each grid (`<stem>.json`): what is written (sidecar.ts) and what is read
 * back (readSidecar.ts), in one place.
 */
import type { EndpointPresetId } from '../api/presetIds';
import type { ImageTransport } from '../api/types';
import type { UploadRecord } from '../image/engine';
import type { ExportKind } from '../shared/exportKinds';
import type { Rect } from '../shared/gridGeometry';
import type { CameraLayout, ViewPose } from './grid';

/** How the input image was sent, after any preparation. */
export interface SidecarUpload {
  transport?: ImageTransport;
  /** The sent image's type (absent in sidecars written before it was recorded). */
  mime?: string;
  width: number;
  height: number;
  bytes: number;
  /** Sidecars written before the image engine: what the re-encoding did, in words. */
  reencoded?: unknown;
}

/** How sidecars written before the image engine recorded the padding (kept so that they read back). */
export interface LegacyInputPreparation {
  requested: boolean;
  padded: boolean;
  note: string;
  [field: string]: unknown;
}

/** What was done to the image before it was sent: the engine's record, or an older sidecar's padding record. */
export type InputPreparationRecord = UploadRecord | LegacyInputPreparation;

/** Whether the user asked for the image to be padded to a square (the answer a re-run asks with again). */
export function paddingRequested(record: InputPreparationRecord): boolean {
  return 'requested' in record ? record.requested : record.options.padToSquare;
}

export const SIDECAR_SCHEMA = 'multiview-sidecar/1';


export interface SidecarView extends ViewPose {
  /** The view's file name, beside the grid. */
  file: string;
  /** Where it was cut from the grid, in pixels. */
  rect: Rect;
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
  upload: SidecarUpload;
  /**
   * What was done to the image before it was sent (the engine's record: the source's facts, each step in order,
   * what was sent, an English note), or an older sidecar's padding record; `null` in sidecars older still.
   */
  inputPreparation: InputPreparationRecord | null;
  output: { downloadedFrom: string; outputUrls: string[]; proxyUrls: string[] };
  serverGenerationSeconds: number | null;
  timings: { startedAt: string; finishedAt: string; uploadMs: number; generationMs: number; downloadMs: number; totalMs: number };
  meta: Record<string, unknown>;
  cameraLayout: CameraLayout;
  gridSize: { width: number; height: number } | null;
  views: SidecarView[];
  viewsSkipped: ViewsSkipped | null;
  /** The photo's subject cut out by background removal, saved beside the grid; `null` when none was made. */
  subject: SidecarSubject | null;
  /** The 3D models made from this result, oldest first; empty when none. */
  models: SidecarModel[];
  /** The files made from this result without a paid job (transparent views, turntables, …), oldest first. */
  exports: SidecarExport[];
}

export type { ExportKind } from '../shared/exportKinds';

/** What a free export made from a saved result (src/core/results/exports/). */
export interface SidecarExport {
  kind: ExportKind;
  /**
   * The files written, as bare names beside the grid. For `transparent-views`: the grid first, then the six views
   * in the order of `views`.
   */
  files: string[];
  /** ISO time it was made. */
  createdAt: string;
  /** What the export chose or measured (format, frames per second, layout, the backdrop found…), as plain data. */
  details: Record<string, unknown>;
}

export interface SidecarSubject {
  /** The cut-out's file name (`<stem>-subject.png`), beside the grid. */
  file: string;
  /** The background-removal job. */
  jobId: string;
  width: number;
  height: number;
}

export interface SidecarModel {
  /** The model's file name (`<stem>-3d.glb`, …), beside the grid. */
  file: string;
  format: 'glb' | 'obj' | 'stl' | 'ply';
  /** The image-to-3D job. */
  jobId: string;
  /** The parameters sent, in the service's words (output_format, resolution, multi_image, the sampling…). */
  parameters: Record<string, unknown>;
  /** Which picture went in: the cut-out subject, the prepared input image, or the six views (`multi_image`). */
  input: 'subject' | 'input-image' | 'views';
  triangles: number;
  vertices: number;
  bytes: number;
  seed: number | null;
  serverGenerationSeconds: number | null;
  finishedAt: string;
}

