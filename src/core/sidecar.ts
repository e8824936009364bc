/** The JSON file saved beside each grid: everything needed to understand or repeat the generation. */
import type { MultiviewResult } from '../api/types';
import type { GenerationParameters } from './parameters';

export const SIDECAR_SCHEMA = 'multiview-sidecar/1';

export interface SidecarInput {
  /** The source image, relative to the workspace folder (forward slashes). */
  sourceImage: string;
  parameters: GenerationParameters;
  result: MultiviewResult;
  /** The URL the grid was downloaded from (a 24-hour link). */
  downloadedFrom: string;
  /** What was done to the image before upload, if anything. */
  upload: { width: number; height: number; bytes: number; reencoded?: unknown };
  timings: { startedAt: Date; finishedAt: Date; uploadMs: number; generationMs: number; downloadMs: number };
  gridFileName: string;
  extensionVersion: string;
}

export interface Sidecar {
  schema: typeof SIDECAR_SCHEMA;
  createdBy: string;
  sourceImage: string;
  grid: string;
  jobId: string;
  seed: number | null;
  parameters: {
    prompt: string;
    negative_prompt: string;
    width: number;
    height: number;
    num_inference_steps: number;
    guidance_scale: number;
    seed: number | null;
    temp: 'yes' | 'no';
  };
  upload: SidecarInput['upload'];
  output: { downloadedFrom: string; outputUrls: string[]; proxyUrls: string[] };
  serverGenerationSeconds: number | null;
  timings: { startedAt: string; finishedAt: string; uploadMs: number; generationMs: number; downloadMs: number; totalMs: number };
  meta: Record<string, unknown>;
}

export function buildSidecar(input: SidecarInput): Sidecar {
  const { parameters, result, timings } = input;
  return {
    schema: SIDECAR_SCHEMA,
    createdBy: `Multiview for VS Code ${input.extensionVersion}`,
    sourceImage: input.sourceImage,
    grid: input.gridFileName,
    jobId: result.jobId,
    seed: result.seed ?? parameters.seed ?? null,
    parameters: {
      prompt: parameters.prompt,
      negative_prompt: parameters.negativePrompt,
      width: parameters.width,
      height: parameters.height,
      num_inference_steps: parameters.steps,
      guidance_scale: parameters.guidanceScale,
      seed: parameters.seed ?? null,
      temp: parameters.proxyLinks ? 'yes' : 'no',
    },
    upload: input.upload,
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
    meta: result.meta,
  };
}
