/**
 * One generation, from a local image to saved files: (remove the background) -> prepare -> upload (or embed) ->
 * submit and wait -> download and check the grid -> save the grid (shown at once) -> cut and save the six views.
 * No `vscode` here: the command layer supplies the answers and shows the progress, tests drive it directly. All
 * pixel work runs in the image worker (src/image/engine.ts); this thread only moves bytes and writes files.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { MultiviewClient } from '../api/client';
import { redactSecret } from '../api/redact';
import { encodeRequestFields, type EncodedRequestFields, withImage } from '../api/request';
import type { DownloadedImage, JobResult, QueuedJob } from '../api/types';
import { createPngStreamVerifier, type ImageEngine, ImageProblemError, type PngStreamVerifier, type UploadSource } from '../image/engine';
import { gridShapeProblem } from '../image/gridShape';
import { type Rect, viewRects } from '../shared/gridGeometry';
import { extensionForMime } from '../shared/imageMime';
import { type CameraLayout, viewFileSuffix, viewPoses } from './grid';
import { describeImageFailure } from './imageMessages';
import { callOptionsOf, isCancellation, type JobSession } from './jobSession';
import { describeSaveFailure, FileSet, outputStem, resolveOutputFolder, SUBJECT_SUFFIX } from './outputFiles';
import { toRequestFields } from './parameterMapping';
import type { GenerationParameters } from './parameters';
import type { SavedResult } from './readSidecar';
import { buildSidecar, type SidecarInput } from './sidecar';
import type { Sidecar, SidecarSubject, SidecarUpload, SidecarView, ViewsSkipped } from './sidecarSchema';
import { cutOutSubject, dataUriOf, downloadSubject, type Subject, type SubjectJob } from './subjectJob';

export interface GenerationJobInput extends JobSession {
  imagePath: string;
  workspaceFolder: string;
  /** The `multiview.outputFolder` setting. */
  outputFolder: string;
  parameters: GenerationParameters;
  /** The `multiview.upload.longSide` setting: the long side the image is fitted to before it is sent. */
  longSide: number | 'original';
  /**
   * The `multiview.upload.frameSubject` / `subjectShare` settings: a picture with transparency is cropped to its
   * subject, which then fills this share of the square; false (or absent) pads the whole canvas.
   */
  frameSubject?: number | false;
  /** The `multiview.cameraLayout` setting: the poses the views are labelled and named with. */
  cameraLayout: CameraLayout;
  /** The `multiview.saveViews` setting: also save each of the six views as its own PNG beside the grid. */
  saveViews: boolean;
  /** Called when the server queues the job, with what resumeGenerationJob needs to finish it after a reload. */
  onQueued?: (job: ResumableJob) => void;
  /**
   * The views will be cut out of the backdrop right after they are saved (`multiview.views.background`): the worker
   * warms that code while the grid downloads.
   */
  viewsCutOutNext?: boolean;
  /** Called just before the request is submitted (from then on the service may charge for it), with the job as known. */
  onSubmitting?: (job: ResumableJob) => void;
  /**
   * Called when the service says the job succeeded (it is paid for), before anything is downloaded, with what
   * resumeGenerationJob needs to save it again from its links (for 24 hours) without submitting it again.
   */
  onPaid?: (job: PaidJob) => void;
}

/** A job the service finished: its result's links (never the key) and everything needed to save it. */
export type PaidJob = ResumableJob & { finished: JobResult };

/**
 * The job succeeded (it is paid for), but its result could not be downloaded or saved: `job` saves it again from
 * its links (resumeGenerationJob, for 24 hours) without a new job. The message names the cause in the user's words.
 */
export class UnsavedResultError extends Error {
  override name = 'UnsavedResultError';
  /** Where the caller keeps `job` until it is saved (its id in the pending-job store), once it does. */
  keptAs: string | undefined;

  constructor(
    readonly job: PaidJob,
    readonly reason: unknown,
  ) {
    const image = path.basename(job.imagePath);
    const cause =
      describeSaveFailure(reason) ?? describeImageFailure(reason, image)?.message ?? (reason instanceof Error ? reason.message : String(reason));
    super(l10n.t('The result of {0} is paid for, but it could not be saved in {1}: {2}.', image, job.folder, cause.replace(/\.$/, '')));
  }
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
  upload: SidecarUpload;
  inputPreparation: SidecarInput['inputPreparation'];
  /** The cut-out the views were made from, when the background was removed first (its link lives 24 hours). */
  subject?: SubjectJob;
  /** ISO time the job started. */
  startedAt: string;
  uploadMs: number;
  cameraLayout: CameraLayout;
  saveViews: boolean;
  /** The service's answer once the job succeeded: then only the download and the saving are left to do. */
  finished?: JobResult;
  /**
   * The submission was sent and its answer not received yet: were the window to close now, the service might run
   * (and charge) the job without Multiview knowing its id. `queued` then names no job.
   */
  awaitingAnswer?: boolean;
}

export interface ResumeJobInput extends JobSession {
  job: ResumableJob;
  /** As GenerationJobInput's. */
  viewsCutOutNext?: boolean;
  /** As GenerationJobInput's: called once the job is known to have succeeded. */
  onPaid?: (job: PaidJob) => void;
}

export async function runGenerationJob(input: GenerationJobInput): Promise<GenerationJobOutput> {
  const { parameters, signal, engine } = input;
  const report = input.onProgress ?? (() => undefined);
  const startedAt = new Date();
  // Resolve the folder first: a misconfigured folder should fail before any credit is spent.
  const folder = resolveOutputFolder(input.outputFolder, { imageFolder: path.dirname(input.imagePath), workspaceFolder: input.workspaceFolder });
  const { endpoints } = input.connection;
  // What the endpoint documents it refuses (v6 steps, a non-https webhook) fails here, before any work or upload.
  const fields = encodeRequestFields(toRequestFields(parameters), endpoints);
  const client = new MultiviewClient(input.connection);
  const clientOptions = callOptionsOf(input);

  let source: UploadSource = { path: input.imagePath };
  let subject: Subject | undefined;
  if (parameters.removeBackground) {
    subject = await cutOutSubject(client, input, input, clientOptions);
    source = { bytes: new Uint8Array(subject.png) }; // the engine takes what it is given: keep the cut-out to save it
  }
  report({ stage: 'preparing' });
  // A missing answer (parameters from before it was asked) means the default: pad.
  const prepared = await engine.prepareUpload(source, { padToSquare: parameters.padToSquare ?? true, longSide: input.longSide, frameSubject: input.frameSubject }, signal);
  input.connection.log?.(`Input image: ${prepared.record.note}`);
  signal?.throwIfAborted();

  const mark = Date.now();
  // Uploaded first (stage 'uploading') or sent inline in the request (stage 'embedding'), as the endpoint wants.
  const sent = withImage(fields, await client.imageForRequest(dataUriOf(prepared), clientOptions), endpoints);
  const uploadMs = Date.now() - mark;
  const job: Omit<ResumableJob, 'queued'> = {
    imagePath: input.imagePath,
    workspaceFolder: input.workspaceFolder,
    folder,
    parameters,
    sent: fields,
    endpointPreset: endpoints.preset,
    upload: { transport: endpoints.multiview.imageTransport, mime: prepared.mime, width: prepared.width, height: prepared.height, bytes: prepared.bytes.byteLength },
    inputPreparation: prepared.record,
    ...(subject ? { subject: subject.job } : {}),
    startedAt: startedAt.toISOString(),
    uploadMs,
    cameraLayout: input.cameraLayout,
    saveViews: input.saveViews,
  };
  let queued: QueuedJob | undefined;
  const onQueued = (announced: QueuedJob) => {
    queued = announced;
    input.onQueued?.({ ...job, queued });
  };
  const submittedAt = Date.now();
  input.onSubmitting?.({ ...job, queued: { requestedSeed: fields.seed ?? null, kind: 'multiview' }, awaitingAnswer: true });
  const result = await client.submit(sent, { ...clientOptions, onQueued });
  const paid: PaidJob = { ...job, queued: queued ?? { jobId: result.jobId, requestedSeed: fields.seed ?? null, kind: 'multiview' }, finished: result };
  input.onPaid?.(paid);
  return saveOrKeep(paid, () => downloadAndSave(client, job, result, Date.now() - submittedAt, input, subject));
}

/**
 * What is paid for is never lost: a failure to download it or to write it (a full disk, a folder gone) says how to
 * save it again. A cancel is the user's choice, and a result that is not a grid of views (damaged, the wrong shape)
 * would be the same from its links: those stay as they are.
 */
async function saveOrKeep(paid: PaidJob, save: () => Promise<GenerationJobOutput>): Promise<GenerationJobOutput> {
  try {
    return await save();
  } catch (error) {
    throw isCancellation(error) || error instanceof UnsavedResultError || error instanceof ImageProblemError ? error : new UnsavedResultError(paid, error);
  }
}

/**
 * Finishes a job of an earlier session (or one whose saving failed): polls it to the end unless it had already
 * finished, then downloads and saves as usual. Never submits it again.
 */
export async function resumeGenerationJob(input: ResumeJobInput): Promise<GenerationJobOutput> {
  const client = new MultiviewClient(input.connection);
  const options = callOptionsOf(input);
  const result = input.job.finished ?? (await client.resume(input.job.queued, options));
  const paid: PaidJob = { ...input.job, finished: result };
  if (!input.job.finished) input.onPaid?.(paid);
  return saveOrKeep(paid, async () => {
    // The cut-out made before the reload is fetched again from its link (it was kept in memory only).
    const subject = input.job.subject && (await downloadSubject(client, input.job.subject, input.engine, options));
    // From the submission before the reload to now: the reload's gap is part of the wait the user saw.
    const generationMs = Date.now() - Date.parse(input.job.startedAt) - input.job.uploadMs;
    return downloadAndSave(client, input.job, result, generationMs, input, subject);
  });
}

/**
 * Downloads the grid while checking it decodes (a PNG as its bytes arrive; another format in the worker), saves it
 * (and the cut-out) so it can be shown at once, then cuts the six views in the worker and saves them and the
 * sidecar. A grid that does not decode, or is not the shape asked for, is an error, and nothing is saved.
 */
async function downloadAndSave(
  client: MultiviewClient,
  job: Omit<ResumableJob, 'queued'>,
  result: JobResult,
  generationMs: number,
  input: JobSession & { viewsCutOutNext?: boolean },
  subject: Subject | undefined,
): Promise<GenerationJobOutput> {
  const { signal, engine } = input;
  const report = input.onProgress ?? (() => undefined);
  // After minutes in the queue the worker has stopped idle: it starts again while the grid downloads, so that
  // cutting the views does not wait for it.
  if (job.saveViews) engine.warmUp({ viewCutout: input.viewsCutOutNext === true });
  const mark = Date.now();
  let verifier: PngStreamVerifier | undefined;
  const grid = await client.downloadResult(result, {
    ...callOptionsOf(input),
    onDownloadAttempt: () => {
      verifier = createPngStreamVerifier();
      return (chunk) => verifier?.push(chunk);
    },
  });
  const downloadMs = Date.now() - mark;
  report({ stage: 'saving' });
  const requestedSize = { width: job.sent.width, height: job.sent.height };
  const checked = await checkGrid(grid, verifier, requestedSize, engine, signal);
  signal?.throwIfAborted();

  const gridSuffix = extensionForMime(grid.mime);
  const poses = viewPoses(job.cameraLayout);
  const viewSuffixes = poses.map((pose) => `${viewFileSuffix(pose)}.png`);
  const suffixes = [gridSuffix, ...(job.saveViews ? viewSuffixes : []), ...(subject ? [SUBJECT_SUFFIX] : []), '.json'];
  const set = await FileSet.reserve(job.folder, outputStem(path.basename(job.imagePath), result.jobId), suffixes);
  const subjectRecord: SidecarSubject | null = subject
    ? { file: set.stem + SUBJECT_SUFFIX, jobId: subject.job.jobId, width: subject.width, height: subject.height }
    : null;
  const sidecarOf = (views: SidecarView[], viewsSkipped: ViewsSkipped | null): Sidecar =>
    buildSidecar({
      sourceImage: path.relative(job.workspaceFolder, job.imagePath).split(path.sep).join('/'),
      // A job queued by an older version kept only the encoded temp/webhook/track_id: the rest is the parameters'.
      sent: { ...toRequestFields(job.parameters), ...job.sent },
      endpointPreset: job.endpointPreset,
      result,
      downloadedFrom: grid.sourceUrl,
      upload: job.upload,
      inputPreparation: job.inputPreparation,
      timings: { startedAt: new Date(job.startedAt), finishedAt: new Date(), uploadMs: job.uploadMs, generationMs, downloadMs },
      gridFileName: set.stem + gridSuffix,
      extensionVersion: input.extensionVersion,
      cameraLayout: job.cameraLayout,
      gridSize: { width: checked.width, height: checked.height },
      views,
      viewsSkipped,
      subject: subjectRecord,
    });
  const savedResult = (sidecar: Sidecar): SavedResult => ({
    sidecarPath: set.path('.json'),
    sidecar,
    gridPath: set.path(gridSuffix),
    viewPaths: sidecar.views.map((view) => path.join(job.folder, view.file)),
    sourceImagePath: job.imagePath,
    finishedAtMs: Date.parse(sidecar.timings.finishedAt),
  });

  try {
    // Stage 1: the grid (and the cut-out), shown at once.
    await set.write(gridSuffix, grid.bytes);
    if (subject) await set.write(SUBJECT_SUFFIX, subject.png);
    input.onGridSaved?.(savedResult(sidecarOf([], null)));

    // Stage 2: the six views, cut in the worker, then the sidecar that names every file. Not cancelled any more:
    // the result exists, and what is left takes a moment.
    let views: SidecarView[] = [];
    let viewsSkipped: ViewsSkipped | null = null;
    if (!job.saveViews) {
      viewsSkipped = { reason: 'disabled', message: l10n.t('Saving the views separately is turned off (multiview.saveViews).') };
    } else {
      report({ stage: 'cutting-views' });
      const cut = checked.views ?? (await engine.splitGrid(new Uint8Array(grid.bytes), { requestedSize })).views;
      views = [];
      for (const [index, pose] of poses.entries()) {
        const file = await set.write(viewSuffixes[index], cut[index]);
        views.push({ ...pose, file: path.basename(file), rect: checked.rects[index] });
      }
    }
    const sidecar = sidecarOf(views, viewsSkipped);
    // The client already redacts what the server echoes; this is the last line of defence.
    await set.write('.json', redactSecret(JSON.stringify(sidecar, null, 2), input.connection.apiKey) + '\n');
    return savedResult(sidecar);
  } catch (error) {
    await set.discard();
    throw error;
  }
}

interface CheckedGrid {
  width: number;
  height: number;
  rects: Rect[];
  /** Already cut, when the check had to decode the grid in the worker (a JPEG or WebP grid). */
  views?: Uint8Array[];
}

/**
 * The grid decodes and has the shape asked for, or ImageProblemError (damaged-grid, wrong-size-grid). A PNG was
 * checked as it arrived (every chunk's CRC, the inflated image data's exact length); anything else is decoded in
 * the worker, which then cuts its views too.
 */
async function checkGrid(
  grid: DownloadedImage,
  verifier: PngStreamVerifier | undefined,
  requestedSize: { width: number; height: number },
  engine: ImageEngine,
  signal: AbortSignal | undefined,
): Promise<CheckedGrid> {
  const verdict = grid.mime === 'image/png' && verifier ? await verifier.end() : undefined;
  // The bytes checked are the bytes saved (not, say, an image that came as base64 text and was decoded).
  if (verdict && (!verdict.ok || verdict.byteSize === grid.bytes.byteLength)) {
    if (!verdict.ok) throw new ImageProblemError(verdict.problem);
    const problem = gridShapeProblem(verdict.width, verdict.height, requestedSize);
    if (problem) throw new ImageProblemError(problem);
    return { width: verdict.width, height: verdict.height, rects: viewRects(verdict.width, verdict.height) };
  }
  const split = await engine.splitGrid(new Uint8Array(grid.bytes), { requestedSize }, signal);
  return { width: split.width, height: split.height, rects: split.rects, views: split.views };
}
