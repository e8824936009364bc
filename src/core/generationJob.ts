/**
 * One generation, from a local image to saved files: prepare -> upload (or embed) -> submit and wait -> download -> save.
 * No `vscode` here: the command layer supplies the answers and shows the progress, tests drive it directly.
 * The endpoint preset (input.api.endpoints) decides how the image travels and how the request is encoded.
 */
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type CallOptions, MultiviewClient, type MultiviewClientOptions } from '../api/client';
import { redactSecret } from '../api/redact';
import { assertRequestAllowed, encodeMultiviewRequest } from '../api/request';
import type { JobStage, MultiviewRequest } from '../api/types';
import { extensionForMime } from '../image/imageFormat';
import { prepareUpload } from '../image/prepareUpload';
import { outputStem, resolveOutputFolder, writeNewFiles } from './outputFiles';
import type { GenerationParameters } from './parameters';
import { buildSidecar, type Sidecar } from './sidecar';

export type JobProgress = { stage: 'preparing' } | JobStage | { stage: 'saving' };

export interface GenerationJobInput {
  imagePath: string;
  workspaceFolder: string;
  /** The `multiview.outputFolder` setting. */
  outputFolder: string;
  parameters: GenerationParameters;
  api: MultiviewClientOptions;
  extensionVersion: string;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Asked when the job is still queued at the time limit: `true` waits another period. */
  keepWaiting?: CallOptions['keepWaiting'];
}

export interface GenerationJobOutput {
  gridPath: string;
  sidecarPath: string;
  sidecar: Sidecar;
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

  const { endpoints } = input.api;
  const withoutImage: Omit<MultiviewRequest, 'image'> = {
    prompt: parameters.prompt,
    negative_prompt: parameters.negativePrompt,
    width: parameters.width,
    height: parameters.height,
    temp: parameters.proxyLinks ? 'yes' : 'no',
    num_inference_steps: parameters.steps,
    guidance_scale: parameters.guidanceScale,
    seed: parameters.seed ?? null,
    webhook: parameters.webhook?.trim() || null,
    track_id: typeof parameters.trackId === 'string' ? parameters.trackId.trim() || null : (parameters.trackId ?? null),
  };
  // What the endpoint documents it refuses (v6 steps, a non-https webhook) fails before any work or upload.
  assertRequestAllowed(withoutImage, endpoints);

  report({ stage: 'preparing' });
  const prepared = await prepareUpload(await fs.readFile(input.imagePath));
  signal?.throwIfAborted();

  const client = new MultiviewClient(input.api);
  const clientOptions: CallOptions = { signal, onStage: report, keepWaiting: input.keepWaiting };
  let mark = Date.now();
  // Uploaded first (stage 'uploading') or sent inline in the request (stage 'embedding'), as the endpoint wants.
  const image = await client.imageForRequest(prepared.dataUri, clientOptions);
  const uploadMs = Date.now() - mark;

  const request: MultiviewRequest = { ...withoutImage, image };
  const sent = encodeMultiviewRequest(request, endpoints);
  mark = Date.now();
  const result = await client.generate(request, clientOptions);
  const generationMs = Date.now() - mark;

  mark = Date.now();
  const grid = await client.downloadResult(result, clientOptions);
  const downloadMs = Date.now() - mark;

  report({ stage: 'saving' });
  signal?.throwIfAborted();
  const gridSuffix = extensionForMime(grid.mime);
  let sidecar: Sidecar | undefined;
  const [gridPath, sidecarPath] = await writeNewFiles(
    folder,
    outputStem(path.basename(input.imagePath), result.jobId),
    [
      { suffix: gridSuffix, content: grid.bytes },
      {
        suffix: '.json',
        content: (stem) => {
          sidecar = buildSidecar({
            sourceImage: path.relative(input.workspaceFolder, input.imagePath).split(path.sep).join('/'),
            parameters,
            sent: { temp: sent.temp, webhook: sent.webhook, track_id: sent.track_id },
            endpointPreset: endpoints.preset,
            result,
            downloadedFrom: grid.sourceUrl,
            upload: {
              transport: endpoints.imageTransport,
              width: prepared.width,
              height: prepared.height,
              bytes: prepared.uploadedBytes,
              reencoded: prepared.reencoded,
            },
            timings: { startedAt, finishedAt: new Date(), uploadMs, generationMs, downloadMs },
            gridFileName: stem + gridSuffix,
            extensionVersion: input.extensionVersion,
          });
          // The client already redacts what the server echoes; this is the last line of defence.
          return redactSecret(JSON.stringify(sidecar, null, 2), input.api.apiKey) + '\n';
        },
      },
    ],
    signal,
  );
  return { gridPath, sidecarPath, sidecar: sidecar! };
}

/**
 * Hands the extension's translations (`vscode.l10n.bundle`) to this bundle's copy of @vscode/l10n: dist/generationJob.js
 * is bundled apart, so the copy in dist/extension.js being configured does not configure this one. Called by
 * loadGenerationJob(); `undefined` (English, or no translation for the display language) leaves the English texts.
 */
export function configureL10n(contents: l10n.l10nJsonFormat | undefined): void {
  l10n.config({ contents: contents ?? {} });
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
    case 'downloading': {
      const kb = (bytes: number) => l10n.t('{0} KB', Math.round(bytes / 1024));
      return progress.totalBytes
        ? l10n.t('Downloading result… {0} of {1}', kb(progress.receivedBytes), kb(progress.totalBytes))
        : l10n.t('Downloading result… {0}', kb(progress.receivedBytes));
    }
    case 'saving':
      return l10n.t('Saving…');
  }
}
