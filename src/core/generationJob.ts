/**
 * One generation, from a local image to saved files: prepare -> upload (or embed) -> submit and wait -> download -> save.
 * No `vscode` here: the command layer supplies the answers and shows the progress, tests drive it directly.
 * The endpoint preset (input.connection.endpoints) decides how the image travels and how the request is encoded.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type CallOptions, MultiviewClient, type MultiviewClientOptions } from '../api/client';
import { MultiviewApiError } from '../api/errors';
import { redactSecret } from '../api/redact';
import { encodeRequestFields, type EncodedRequestFields, withImage } from '../api/request';
import type { JobStage, JobResult, QueuedJob } from '../api/types';
import { extensionForMime, type ImageMime, readImageSize } from '../image/imageFormat';
import { loadCodecs } from '../image/loadCodecs';
import { MAX_DECODE_PIXELS } from '../image/pixels';
import { prepareUpload } from '../image/prepareUpload';
import { type CameraLayout, viewFileSuffix, viewPoses, viewRects, type ViewPose, type ViewRect } from './grid';
import { type OutputFile, outputStem, resolveOutputFolder, writeNewFiles } from './outputFiles';
import { formatBytes } from '../shared/format';
import { toRequestFields } from './parameterMapping';
import type { GenerationParameters } from './parameters';
import type { SavedResult } from './readSidecar';
import { type Sidecar, type SidecarView, type ViewsSkipped } from './sidecarSchema';
import { buildSidecar, type SidecarInput } from './sidecar';

export type JobProgress = { stage: 'preparing' } | JobStage | { stage: 'saving' };

/** What every run of the pipeline is given, whether it starts a job or resumes one. */
export interface JobSession {
  /** How to reach the service: the key, the endpoints, the time limits, the request log. */
  connection: MultiviewClientOptions;
  extensionVersion: string;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** The service asked to wait `retryAfterMs` before another request (the job itself waits and retries). */
  onRateLimited?: (retryAfterMs: number) => void;
  /** Asked when the job is still queued at the time limit: `true` waits another period. */
  keepWaiting?: (job: { jobId: string; waitedSeconds: number }) => Promise<boolean>;
}

export interface GenerationJobInput extends JobSession {
  imagePath: string;
  workspaceFolder: string;
  /** The `multiview.outputFolder` setting. */
  outputFolder: string;
  parameters: GenerationParameters;
  /** The `multiview.cameraLayout` setting: the poses the views are labelled and named with. */
  cameraLayout: CameraLayout;
  /** The `multiview.saveViews` setting: also save each of the six views as its own PNG beside the grid. */
  saveViews: boolean;
  /** Called when the server queues the job, with what resumeGenerationJob needs to finish it after a reload. */
  onQueued?: (job: ResumableJob) => void;
}

/** The saved result, exactly as reading its sidecar back would give it. */
export type GenerationJobOutput = SavedResult;

/**
 * A job the server has queued, with everything needed to finish it in a later session (after a window reload):
 * JSON-serialisable, and never the key.
 */
export interface ResumableJob {
  queued: QueuedJob;
  imagePath: string;
  workspaceFolder: string;
  /** The resolved output folder. */
  folder: string;
  parameters: GenerationParameters;
  /** The request's fields as sent (everything but the image). */
  sent: EncodedRequestFields;
  endpointPreset: SidecarInput['endpointPreset'];
  upload: SidecarInput['upload'];
  inputPreparation: SidecarInput['inputPreparation'];
  /** ISO time the job started. */
  startedAt: string;
  uploadMs: number;
  cameraLayout: CameraLayout;
  saveViews: boolean;
}

export interface ResumeJobInput extends JobSession {
  job: ResumableJob;
}

export async function runGenerationJob(input: GenerationJobInput): Promise<GenerationJobOutput> {
  const { parameters, signal } = input;
  const report = input.onProgress ?? (() => undefined);
  const startedAt = new Date();
  // Resolve the folder first: a misconfigured folder should fail before any credit is spent.
  const folder = resolveOutputFolder(input.outputFolder, {
    imageFolder: path.dirname(input.imagePath),
    workspaceFolder: input.workspaceFolder,
  });

  const { endpoints } = input.connection;
  // What the endpoint documents it refuses (v6 steps, a non-https webhook) fails here, before any work or upload.
  const fields = encodeRequestFields(toRequestFields(parameters), endpoints);

  report({ stage: 'preparing' });
  // A missing answer (parameters from before it was asked) means the default: pad.
  const prepared = await prepareUpload(await fs.readFile(input.imagePath), { padToSquare: parameters.padToSquare ?? true });
  input.connection.log?.(`Input image: ${prepared.preparation.note}`);
  signal?.throwIfAborted();

  const client = new MultiviewClient(input.connection);
  const clientOptions = callOptionsOf(input);
  const mark = Date.now();
  // Uploaded first (stage 'uploading') or sent inline in the request (stage 'embedding'), as the endpoint wants.
  const sent = withImage(fields, await client.imageForRequest(prepared.dataUri, clientOptions), endpoints);
  const uploadMs = Date.now() - mark;

  const job: Omit<ResumableJob, 'queued'> = {
    imagePath: input.imagePath,
    workspaceFolder: input.workspaceFolder,
    folder,
    parameters,
    sent: fields,
    endpointPreset: endpoints.preset,
    upload: {
      transport: endpoints.multiview.imageTransport,
      width: prepared.width,
      height: prepared.height,
      bytes: prepared.uploadedBytes,
      reencoded: prepared.reencoded,
    },
    inputPreparation: prepared.preparation,
    startedAt: startedAt.toISOString(),
    uploadMs,
    cameraLayout: input.cameraLayout,
    saveViews: input.saveViews,
  };
  const onQueued = input.onQueued && ((queued: QueuedJob) => input.onQueued?.({ ...job, queued }));
  const submittedAt = Date.now();
  const result = await client.submit(sent, { ...clientOptions, onQueued });
  return downloadAndSave(client, job, result, Date.now() - submittedAt, input);
}

/** Finishes a job queued in an earlier session: polls it to the end, then downloads and saves as usual. */
export async function resumeGenerationJob(input: ResumeJobInput): Promise<GenerationJobOutput> {
  const client = new MultiviewClient(input.connection);
  const result = await client.resume(input.job.queued, callOptionsOf(input));
  // From the submission before the reload to now: the reload's gap is part of the wait the user saw.
  const generationMs = Date.now() - Date.parse(input.job.startedAt) - input.job.uploadMs;
  return downloadAndSave(client, input.job, result, generationMs, input);
}

/** The client's options for a session: its cancellation, its progress, its rate limits and its answer to "keep waiting?". */
function callOptionsOf(session: JobSession): CallOptions {
  return {
    signal: session.signal,
    onStage: (stage) => {
      if (stage.stage === 'rate-limited') session.onRateLimited?.(stage.retryAfterSeconds * 1000);
      session.onProgress?.(stage);
    },
    keepWaiting: session.keepWaiting,
  };
}

/** True for every way a job ends because the user cancelled it (the client's error, or the signal's own). */
export function isCancellation(error: unknown): boolean {
  return (error instanceof MultiviewApiError && error.kind === 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

/** Downloads the grid, cuts the views and writes grid, views and sidecar as one no-clobber set. */
async function downloadAndSave(
  client: MultiviewClient,
  job: Omit<ResumableJob, 'queued'>,
  result: JobResult,
  generationMs: number,
  input: JobSession,
): Promise<GenerationJobOutput> {
  const { signal } = input;
  const report = input.onProgress ?? (() => undefined);
  const mark = Date.now();
  const grid = await client.downloadResult(result, callOptionsOf(input));
  const downloadMs = Date.now() - mark;

  report({ stage: 'saving' });
  signal?.throwIfAborted();
  const gridSuffix = extensionForMime(grid.mime);
  const gridSize = readImageSize(grid.bytes) ?? null;
  const views = job.saveViews ? cutViews(grid.bytes, grid.mime, gridSize, job.cameraLayout) : skipped('disabled');
  if ('reason' in views) {
    input.connection.log?.(`Views not saved (${views.reason}): ${views.message}`);
  }
  signal?.throwIfAborted();
  const viewFiles: (OutputFile & { pose: ViewPose; rect: ViewRect })[] =
    'reason' in views ? [] : views.map((view) => ({ suffix: viewFileSuffix(view.pose) + '.png', content: view.png, pose: view.pose, rect: view.rect }));
  let sidecar: Sidecar | undefined;
  const written = await writeNewFiles(
    job.folder,
    outputStem(path.basename(job.imagePath), result.jobId),
    [
      { suffix: gridSuffix, content: grid.bytes },
      ...viewFiles,
      {
        suffix: '.json',
        content: (stem) => {
          sidecar = buildSidecar({
            sourceImage: path.relative(job.workspaceFolder, job.imagePath).split(path.sep).join('/'),
            // A job queued by an older version kept only the encoded temp/webhook/track_id: the rest is the parameters'.
            sent: { ...toRequestFields(job.parameters), ...job.sent },
            endpointPreset: job.endpointPreset,
            result,
            downloadedFrom: grid.sourceUrl,
            upload: job.upload,
            inputPreparation: job.inputPreparation,
            timings: { startedAt: new Date(job.startedAt), finishedAt: new Date(), uploadMs: job.uploadMs, generationMs, downloadMs },
            gridFileName: stem + gridSuffix,
            extensionVersion: input.extensionVersion,
            cameraLayout: job.cameraLayout,
            gridSize,
            views: viewFiles.map((view): SidecarView => ({ ...view.pose, file: stem + view.suffix, rect: view.rect })),
            viewsSkipped: 'reason' in views ? views : null,
            subject: null,
          });
          // The client already redacts what the server echoes; this is the last line of defence.
          return redactSecret(JSON.stringify(sidecar, null, 2), input.connection.apiKey) + '\n';
        },
      },
    ],
    signal,
  );
  return {
    gridPath: written[0],
    viewPaths: written.slice(1, -1),
    sidecarPath: written[written.length - 1],
    sidecar: sidecar!,
    sourceImagePath: job.imagePath,
    finishedAtMs: Date.parse(sidecar!.timings.finishedAt),
  };
}

export interface CutView {
  pose: ViewPose;
  rect: ViewRect;
  png: Uint8Array;
}

function skipped(reason: ViewsSkipped['reason']): ViewsSkipped {
  switch (reason) {
    case 'disabled':
      return { reason, message: l10n.t('Saving the views separately is turned off (multiview.saveViews).') };
    case 'webp-grid':
      return { reason, message: l10n.t('The grid is a WebP image, which cannot be split here; only the grid was saved.') };
    case 'unreadable-grid':
      return { reason, message: l10n.t('The grid could not be decoded, so it was not split; only the grid was saved.') };
  }
}

/**
 * The six views of the grid as PNGs, cut by its measured size (a server may not return the size asked for), or
 * why they cannot be: a grid that cannot be split is still a result, so this never throws.
 */
export function cutViews(bytes: Uint8Array, mime: ImageMime, size: { width: number; height: number } | null, layout: CameraLayout): CutView[] | ViewsSkipped {
  if (mime === 'image/webp') {
    return skipped('webp-grid');
  }
  if (!size || size.width < 2 || size.height < 3 || size.width * size.height > MAX_DECODE_PIXELS) {
    return skipped('unreadable-grid');
  }
  const rects = viewRects(size.width, size.height);
  let pngs: Uint8Array[];
  try {
    pngs = loadCodecs().cropToPngs(bytes, mime, rects);
  } catch {
    return skipped('unreadable-grid');
  }
  const poses = viewPoses(layout);
  return poses.map((pose, index) => ({ pose, rect: rects[index], png: pngs[index] }));
}

/** The progress notification's text for each stage. */
export function describeProgress(progress: JobProgress): string {
  switch (progress.stage) {
    case 'preparing':
      return l10n.t('Preparing image…');
    case 'uploading':
      return l10n.t('Uploading image…');
    case 'embedding':
      return l10n.t('Embedding image in the request…');
    case 'submitting':
      return l10n.t('Submitting job…');
    case 'queued': {
      const waited = Math.round(progress.waitedSeconds);
      return progress.etaSeconds !== undefined && progress.etaSeconds > 0
        ? l10n.t('Queued (job {0}, about {1} s left; waited {2} s)…', progress.jobId, Math.ceil(progress.etaSeconds), waited)
        : l10n.t('Queued (job {0}; waited {1} s)…', progress.jobId, waited);
    }
    case 'rate-limited':
      return l10n.t('Rate limited by the service; retrying in {0} s (attempt {1})…', Math.ceil(progress.retryAfterSeconds), progress.attempt);
    case 'downloading':
      return progress.totalBytes
        ? l10n.t('Downloading result… {0} of {1}', formatBytes(progress.receivedBytes), formatBytes(progress.totalBytes))
        : l10n.t('Downloading result… {0}', formatBytes(progress.receivedBytes));
    case 'saving':
      return l10n.t('Saving…');
  }
}
