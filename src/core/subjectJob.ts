/**
 * Background removal (docs/api-contract.md §12): the photo, upright and fitted, goes to the service, and what comes
 * back must be a PNG whose background is transparent before it is called a cut-out. Used before the views (the
 * generation's optional first job) and on its own ("Remove Background", saved as `<image>-subject.png`).
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { type CallOptions, MultiviewClient } from '../api/client';
import { RESULT_IMAGE } from '../api/download';
import { MultiviewApiError } from '../api/errors';
import { encodeBackgroundRemovalRequest } from '../api/jobRequests';
import type { ImageEngine, PreparedUpload } from '../image/engine';
import { callOptionsOf, type JobSession } from './jobSession';
import { resolveOutputFolder, safeNamePart, SUBJECT_SUFFIX, writeNewFiles } from './outputFiles';

/** The background-removal job a cut-out came from: enough to download it again (its link lives 24 hours). */
export interface SubjectJob {
  jobId: string;
  outputUrls: string[];
  proxyUrls: string[];
}

/** A cut-out, checked, ready to save: a PNG whose background is transparent. */
export interface Subject {
  job: SubjectJob;
  png: Uint8Array;
  width: number;
  height: number;
}

export interface CutOutInput {
  imagePath: string;
  /** The `multiview.upload.longSide` setting. */
  longSide: number | 'original';
}

/** The subject of the picture at `imagePath`, cut out by the service and checked. */
export async function cutOutSubject(client: MultiviewClient, session: JobSession, input: CutOutInput, options: CallOptions): Promise<Subject> {
  session.onProgress?.({ stage: 'removing-background' });
  // Not padded (the subject's box is the service's business) and its own transparency kept.
  const photo = await session.engine.prepareUpload({ path: input.imagePath }, { padToSquare: false, longSide: input.longSide, keepTransparency: true }, session.signal);
  const image = await client.imageForRequest(dataUriOf(photo), options, 'background-removal');
  const result = await client.removeBackground(encodeBackgroundRemovalRequest(image, session.connection.endpoints.backgroundRemoval), options);
  return downloadSubject(client, { jobId: result.jobId, outputUrls: result.outputUrls, proxyUrls: result.proxyUrls }, session.engine, options);
}

/** Downloads a finished background removal's cut-out and checks it really is one. */
export async function downloadSubject(client: MultiviewClient, job: SubjectJob, engine: ImageEngine, options: CallOptions): Promise<Subject> {
  const cutout = await client.downloadFile({ jobId: job.jobId, outputUrls: job.outputUrls, proxyUrls: job.proxyUrls, meta: {} }, RESULT_IMAGE, options, job.outputUrls.slice(0, 1));
  const verified = await engine.verifyImage(new Uint8Array(cutout.bytes), options.signal); // a copy: the worker takes its buffer
  // A JPEG (or an opaque PNG) has lost the cut: compositing it onto grey would send the old background.
  if (verified.mime !== 'image/png' || !verified.hasTransparency) {
    throw new MultiviewApiError(
      'download',
      l10n.t('The background removal returned an image without a transparent background, so there is no cut-out to use. Try again, or turn background removal off.'),
      { jobId: job.jobId || undefined },
    );
  }
  return { job, png: cutout.bytes, width: verified.width, height: verified.height };
}

export function dataUriOf(prepared: PreparedUpload): string {
  return `data:${prepared.mime};base64,${Buffer.from(prepared.bytes.buffer, prepared.bytes.byteOffset, prepared.bytes.byteLength).toString('base64')}`;
}

export interface BackgroundRemovalInput extends JobSession, CutOutInput {
  workspaceFolder: string;
  /** The `multiview.outputFolder` setting. */
  outputFolder: string;
}

export interface SavedSubject {
  path: string;
  jobId: string;
  width: number;
  height: number;
}

/** "Remove Background" on its own: the cut-out saved as `<image stem>-subject.png` in the output folder, never over a file. */
export async function runBackgroundRemovalJob(input: BackgroundRemovalInput): Promise<SavedSubject> {
  const folder = resolveOutputFolder(input.outputFolder, { imageFolder: path.dirname(input.imagePath), workspaceFolder: input.workspaceFolder });
  const client = new MultiviewClient(input.connection);
  const subject = await cutOutSubject(client, input, input, callOptionsOf(input));
  input.onProgress?.({ stage: 'saving' });
  const imageStem = safeNamePart(path.basename(input.imagePath, path.extname(input.imagePath)), 60, 'image');
  // `photo-subject.png`, then `photo-2-subject.png`: never over a file the user has.
  const [written] = await writeNewFiles(folder, imageStem, [{ suffix: SUBJECT_SUFFIX, content: subject.png }], input.signal);
  return { path: written, jobId: subject.job.jobId, width: subject.width, height: subject.height };
}
