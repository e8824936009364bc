/**
 * A 3D model from a saved result (image to 3D, docs/api-contract.md §12): its picture (the cut-out subject when the
 * result has one, else the source image on grey; the whole grid with `multi_image`) is prepared in the image
 * worker, uploaded, queued for minutes, downloaded and checked (modelFiles.ts), saved beside the grid as
 * `<stem>-3d.<format>` (never over a file) and recorded in the result's sidecar. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MultiviewClient } from '../api/client';
import { MultiviewApiError } from '../api/errors';
import { encodeImageTo3dRequest, type ImageTo3dFields } from '../api/jobRequests';
import type { JobResult, QueuedJob } from '../api/types';
import type { ImageEngine, PrepareUploadOptions, UploadSource } from '../image/engine';
import { isFile } from './files';
import { callOptionsOf, type JobSession } from './jobSession';
import { modelLinksFirst, resultModel } from './modelDownload';
import { MODEL_FILE_EXTENSIONS } from './modelFiles';
import { type ModelParameters, toImageTo3dFields } from './modelParameters';
import { writeNewFiles } from './outputFiles';
import { readSavedResult, type SavedResult } from './readSidecar';
import { derivedStem } from './results/resultFiles';
import { presentTransparentViews } from './results/resultViews';
import { recordModel } from './results/sidecarUpdates';
import type { SidecarModel } from './sidecarSchema';
import { dataUriOf } from './subjectJob';

export interface ModelJobInput extends JobSession {
  result: SavedResult;
  workspaceFolder: string;
  parameters: ModelParameters;
  /** The `multiview.upload.longSide` setting. */
  longSide: number | 'original';
  /** Called when the service queues the job, with what resumeModelJob needs to finish it after a reload. */
  onQueued?: (job: ResumableModelJob) => void;
}

/** A queued image-to-3D job, JSON-serialisable (workspace state), never the key. */
export interface ResumableModelJob {
  queued: QueuedJob;
  /** The result the model belongs to. */
  sidecarPath: string;
  /** Its source image: named in messages. */
  imagePath: string;
  workspaceFolder: string;
  parameters: ModelParameters;
  input: SidecarModel['input'];
  /** The fields sent (everything but the picture). */
  sent: ImageTo3dFields;
  /** ISO time the job started. */
  startedAt: string;
}

export interface ResumeModelJobInput extends JobSession {
  job: ResumableModelJob;
}

export interface SavedModel {
  modelPath: string;
  model: SidecarModel;
  /** The result read back with the model in its sidecar; the result as it was when the sidecar could not be updated. */
  result: SavedResult;
  /** Why the sidecar does not list the model, when it could not be updated (the model file is kept all the same). */
  sidecarProblem?: string;
}

/**
 * Which picture makes the model, and how it is prepared (the model wants a square, the object centred). With
 * `multi_image`, the six views on a transparent background: the grid made by "Make Views Transparent" when the
 * result has one, else the grid itself (a service may return it transparent).
 */
function modelInput(result: SavedResult, parameters: ModelParameters, subjectPresent: boolean, transparentGrid: string | undefined): { input: SidecarModel['input']; source: UploadSource; options: PrepareUploadOptions } {
  if (parameters.multiImage) {
    return { input: 'views', source: { path: transparentGrid ?? result.gridPath }, options: { padToSquare: false, longSide: 'original', keepTransparency: true } };
  }
  if (subjectPresent && result.sidecar.subject) {
    const subjectPath = path.join(path.dirname(result.gridPath), result.sidecar.subject.file);
    return { input: 'subject', source: { path: subjectPath }, options: { padToSquare: true, keepTransparency: true } };
  }
  return { input: 'input-image', source: { path: result.sourceImagePath }, options: { padToSquare: true } };
}

/**
 * The transparent grid of the result's six views, when it has one: made by "Make Views Transparent", or the grid
 * itself when its background is really transparent (decoded in the worker). Only then can `multi_image` go.
 */
export async function transparentGridOf(engine: ImageEngine, result: SavedResult, signal?: AbortSignal): Promise<string | undefined> {
  const made = await presentTransparentViews(result);
  if (made) return made.gridPath;
  return (await engine.verifyImage(new Uint8Array(await fs.readFile(result.gridPath)), signal)).hasTransparency ? result.gridPath : undefined;
}

export async function runModelJob(input: ModelJobInput): Promise<SavedModel> {
  const { result, parameters, engine, signal } = input;
  const startedAt = new Date();
  const endpoint = input.connection.endpoints.imageTo3d;
  const client = new MultiviewClient(input.connection);
  const options = callOptionsOf(input);
  const subjectPresent = result.sidecar.subject !== null && (await isFile(path.join(path.dirname(result.gridPath), result.sidecar.subject.file)));
  const transparentGrid = parameters.multiImage ? await transparentGridOf(engine, result, signal) : undefined;
  if (parameters.multiImage && !transparentGrid) {
    throw new MultiviewApiError(
      'invalid-request',
      l10n.t('The six views are on an opaque background, so they cannot be sent as several points of view. Run “Make Views Transparent” first, or make the model from the single image.'),
    );
  }
  const chosen = modelInput(result, parameters, subjectPresent, transparentGrid);
  input.onProgress?.({ stage: 'preparing' });
  const prepared = await engine.prepareUpload(chosen.source, { ...chosen.options, longSide: chosen.options.longSide ?? input.longSide }, signal);
  input.connection.log?.(`3D model input (${chosen.input}): ${prepared.record.note}`);
  const image = await client.imageForRequest(dataUriOf(prepared), options, 'image-to-3d');
  const sent = toImageTo3dFields(parameters);
  const job: Omit<ResumableModelJob, 'queued'> = {
    sidecarPath: result.sidecarPath,
    imagePath: result.sourceImagePath,
    workspaceFolder: input.workspaceFolder,
    parameters,
    input: chosen.input,
    sent,
    startedAt: startedAt.toISOString(),
  };
  const onQueued = input.onQueued && ((queued: QueuedJob) => input.onQueued?.({ ...job, queued }));
  const done = await client.imageTo3d(encodeImageTo3dRequest(image, sent, endpoint), { ...options, onQueued });
  return saveModel(client, job, done, input);
}

/** Finishes a model job queued in an earlier session: polls it to the end, then downloads and saves as usual. */
export async function resumeModelJob(input: ResumeModelJobInput): Promise<SavedModel> {
  const client = new MultiviewClient(input.connection);
  const done = await client.resume({ ...input.job.queued, kind: 'image-to-3d' }, callOptionsOf(input));
  return saveModel(client, input.job, done, input);
}

async function saveModel(client: MultiviewClient, job: Omit<ResumableModelJob, 'queued'>, done: JobResult, session: JobSession): Promise<SavedModel> {
  const { format } = job.parameters;
  // A job may list previews beside its model: the links named like the format are tried first, each one checked.
  const downloaded = await client.downloadFile(done, resultModel(format), callOptionsOf(session), modelLinksFirst(done.outputUrls, format));
  session.onProgress?.({ stage: 'saving' });
  const folder = path.dirname(job.sidecarPath);
  const [modelPath] = await writeNewFiles(folder, derivedStem(job.sidecarPath, 'model'), [{ suffix: MODEL_FILE_EXTENSIONS[format], content: downloaded.bytes }]);
  const model: SidecarModel = {
    file: path.basename(modelPath),
    format,
    jobId: done.jobId,
    parameters: { ...job.sent },
    input: job.input,
    triangles: downloaded.facts.triangles,
    vertices: downloaded.facts.vertices,
    bytes: downloaded.bytes.byteLength,
    // `done.seed` falls back to the seed asked for; 0 asked the service to choose, so without its echo it is unknown.
    seed: done.seed === undefined || (done.seed === 0 && job.sent.seed === 0 && done.meta.seed === undefined) ? null : done.seed,
    serverGenerationSeconds: done.generationTime ?? null,
    finishedAt: new Date().toISOString(),
  };
  try {
    await recordModel(job.sidecarPath, model, session.connection.apiKey);
    return { modelPath, model, result: await readSavedResult(job.sidecarPath, job.workspaceFolder) };
  } catch (error) {
    // The model is paid for and saved: it stays, and the caller says the result's record could not take it.
    const reason = error instanceof Error ? error.message : String(error);
    session.connection.log?.(`The sidecar ${path.basename(job.sidecarPath)} could not record ${model.file}: ${reason}`);
    const result = await readSavedResult(job.sidecarPath, job.workspaceFolder).catch(() => undefined);
    if (!result) throw error;
    return { modelPath, model, result, sidecarProblem: reason };
  }
}
