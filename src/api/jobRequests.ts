/**
 * The bodies of the jobs that go with the six views (docs/api-contract.md §12): background removal and image to 3D.
 * Like request.ts for multiview, the image's form is checked against how the endpoint takes it, before anything is
 * sent. The parameters' ranges are the quick input's business (core/modelParameters.ts).
 */
import * as l10n from '@vscode/l10n';
import { MultiviewApiError } from './errors';
import { IMAGE_DATA_URI_PREFIX } from './request';
import type { JobEndpoint } from './types';

/** Background removal: the subject of the image on a transparent background, as a PNG. */
export interface BackgroundRemovalRequest {
  image: string;
  alpha_matting: boolean;
  post_process_mask: boolean;
  only_mask: boolean;
  seed: number | null;
}

/** The model file formats the service makes. */
export const MODEL_OUTPUT_FORMATS = ['glb', 'obj', 'stl', 'ply'] as const;
export type ModelOutputFormat = (typeof MODEL_OUTPUT_FORMATS)[number];

/** What decides a model, in the service's words (TRELLIS's sampling stages). */
export interface ImageTo3dFields {
  output_format: ModelOutputFormat;
  /** 256 or 512. */
  resolution: number;
  /** The image holds several points of view on a transparent background. */
  multi_image: boolean;
  ss_guidance_strength: number;
  ss_sampling_steps: number;
  slat_guidance_strength: number;
  slat_sampling_steps: number;
  mesh_simplify: number;
  /** 0 lets the service choose. */
  seed: number;
}

/** The body as sent: the picture under both names the documentation uses, and the options it lists. */
export type ImageTo3dRequest = ImageTo3dFields & {
  image: string;
  init_image: string;
  render: false;
  chunk_size: number;
  temp: 'no';
};

/** The documented default chunk size (at most 12000). */
const CHUNK_SIZE = 8192;

/** A cut-out of `image`: only the subject, on a transparent background, smoothed at its edge. */
export function encodeBackgroundRemovalRequest(image: string, endpoint: JobEndpoint): BackgroundRemovalRequest {
  assertImageForm(image, endpoint);
  return { image, alpha_matting: false, post_process_mask: true, only_mask: false, seed: null };
}

export function encodeImageTo3dRequest(image: string, fields: ImageTo3dFields, endpoint: JobEndpoint): ImageTo3dRequest {
  assertImageForm(image, endpoint);
  return { ...fields, image, init_image: image, render: false, chunk_size: CHUNK_SIZE, temp: 'no' };
}

function assertImageForm(image: string, endpoint: JobEndpoint): void {
  if (IMAGE_DATA_URI_PREFIX.test(image)) {
    if (endpoint.imageTransport !== 'inline-base64') {
      throw new MultiviewApiError('invalid-request', l10n.t('This endpoint takes the image as a URL, not inline; upload it first.'));
    }
  } else if (!/^https?:\/\//i.test(image)) {
    throw new MultiviewApiError('invalid-request', l10n.t('The image must be an http(s) URL or a base64 image data URI.'));
  }
}
