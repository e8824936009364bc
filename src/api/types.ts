import type { EndpointPresetId } from './presetIds';

/**
 * Shapes of the Multiview API (stablediffusionapi.com v5 / ModelsLab), as documented in
 * docs/api-contract.md. Everything the server sends is typed as optional and loosely:
 * the client normalises it before anything else reads it.
 */

/**
 * The body of the multiview POST. `key` is added by the client, never stored with the rest; so is `base64: true`
 * when the image is sent inline. The client encodes `temp` and `track_id` the way the endpoint wants them.
 */
export interface MultiviewRequest {
  prompt: string;
  negative_prompt: string;
  /**
   * A public URL of the input image (the client uploads a local image first), or, for endpoints whose
   * imageTransport is 'inline-base64', a base64 image data URI.
   */
  image: string;
  width: number;
  height: number;
  /** Ask for proxy links besides the normal links: "yes"/"no" or a boolean, sent in the endpoint's tempFormat. */
  temp: 'yes' | 'no' | boolean;
  num_inference_steps: number;
  guidance_scale: number;
  /** Not in the doc's table but in its example; `null` lets the server pick. */
  seed: number | null;
  webhook: string | null;
  track_id: string | number | null;
}

/** Any JSON body the API answers with, before normalisation. */
export interface RawApiResponse {
  status?: unknown;
  id?: unknown;
  output?: unknown;
  proxy_links?: unknown;
  future_links?: unknown;
  fetch_result?: unknown;
  eta?: unknown;
  generationTime?: unknown;
  meta?: unknown;
  message?: unknown;
  messege?: unknown;
  tip?: unknown;
  tips?: unknown;
  retry_after?: unknown;
  link?: unknown;
  request_id?: unknown;
  [other: string]: unknown;
}

/** A finished job, normalised. */
export interface JobResult {
  jobId: string;
  /** Result links in the order given by the server (`output`, then `future_links` if output was empty). */
  outputUrls: string[];
  /** `proxy_links`, flattened whether the server sent an array or an object. */
  proxyUrls: string[];
  /** Seconds, as reported by the server, if it did. */
  generationTime?: number;
  /** The server's `meta`, as sent (never contains the key: the client redacts it). */
  meta: Record<string, unknown>;
  /** The seed actually used, from `meta.seed` when present, else the requested one. */
  seed?: number;
}

/** What a processing answer tells about a job: enough to poll it. */
export interface ProcessingInfo {
  jobId?: string;
  /** The server's `fetch_result`, if it is an http(s) URL (polled only when its origin is a configured one). */
  fetchUrl?: string;
  etaSeconds?: number;
  meta?: Record<string, unknown>;
}

/** A queued job as the server announced it: enough to poll it again, from this or a later session (never the key). */
export interface QueuedJob extends ProcessingInfo {
  /** The seed asked for, for the result when the server does not echo it. */
  requestedSeed: number | null;
  /** Which kind of job it is (where it is polled); absent in jobs kept before there were other kinds: multiview. */
  kind?: JobKind;
}

/** A downloaded result image, verified by its magic bytes. */
export interface DownloadedImage {
  bytes: Uint8Array;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  /** The URL it finally came from (main link or proxy link). */
  sourceUrl: string;
}

/** What the client is doing now; the UI turns it into progress text. */
export type JobStage =
  | { stage: 'uploading' }
  /** The image travels inside the request (inline-base64 endpoints): nothing is uploaded first. */
  | { stage: 'embedding' }
  | { stage: 'submitting' }
  | { stage: 'queued'; jobId: string; etaSeconds?: number; waitedSeconds: number }
  | { stage: 'rate-limited'; retryAfterSeconds: number; attempt: number }
  | { stage: 'downloading'; receivedBytes: number; totalBytes?: number };

/** How the input image reaches the endpoint: uploaded first and sent as a URL, or inline as a data URI with `base64: true`. */
export type ImageTransport = 'upload' | 'inline-base64';

/** How `temp` is sent: "yes"/"no" (v5) or true/false (v6, enterprise). */
export type TempFormat = 'yes-no' | 'boolean';

/** What `track_id` may be: a string or a number, or (v6) an integer only. */
export type TrackIdFormat = 'string-or-number' | 'integer';

/** `key`: POST {key}; `key-and-request-id`: POST {key, request_id} (the URL does not name the job). */
export type FetchBodyShape = 'key' | 'key-and-request-id';

/** A configured poll route; in `url`, `{id}` is replaced by the job id. */
export interface FetchRoute {
  url: string;
  body: FetchBodyShape;
}

/** The kinds of job the service runs for Multiview, each with its own route and poll routes. */
export type JobKind = 'multiview' | 'background-removal' | 'image-to-3d';

/** Where one kind of job is submitted, how its input image travels, and where it is polled when queued. */
export interface JobEndpoint {
  /** POST the request here. */
  url: string;
  imageTransport: ImageTransport;
  /** Poll routes tried when a processing answer has no usable `fetch_result` (or it cannot report on the job). */
  fetchFallbacks: FetchRoute[];
}

/**
 * Every URL the client calls, and the rules of the endpoint behind them. Built by `endpointsForPreset`
 * (src/api/presets.ts) from settings, so that tests and users can point them elsewhere.
 */
export interface ApiEndpoints {
  /** The preset these were built from (recorded in the sidecar; chooses the track-id rule of the quick input). */
  preset: EndpointPresetId;
  /** The six views (docs/api-contract.md §1). */
  multiview: JobEndpoint;
  /** The subject of a photo on a transparent background (§12). */
  backgroundRemoval: JobEndpoint;
  /** A 3D model from an image (§12). */
  imageTo3d: JobEndpoint;
  /** `POST {key, base64_string}` -> `{output: [url]}`. */
  base64ToUrl: string;
  /** `POST {key, image, crop}` -> `{link}`; the fallback uploader. */
  base64Crop: string;
  tempFormat: TempFormat;
  /** The only `num_inference_steps` the endpoint accepts; absent means any (the UI keeps 1-50). */
  allowedSteps?: number[];
  trackIdFormat: TrackIdFormat;
}

/** Why a job ended without a result; the UI chooses its message and actions from this. */
export type ApiErrorKind =
  | 'invalid-key' // the server rejected the key (401, "Invalid Api Key")
  | 'no-credits' // 402
  | 'forbidden' // 403, plan gating
  | 'rate-limited' // 429 or "Rate limit exceeded", retries used up
  | 'rejected' // the server answered status "error" for another reason (validation, bad image URL)
  | 'invalid-request' // refused before sending: the request breaks a documented rule of the endpoint (e.g. v6 steps)
  | 'failed' // the job itself failed while queued
  | 'server' // 5xx or a non-JSON answer (an HTML error page)
  | 'malformed' // JSON that does not make sense (truncated, no output)
  | 'network' // connection refused, DNS, reset
  | 'timeout' // one request or the whole job took too long
  | 'download' // the result could not be downloaded or is not an image
  | 'too-large' // a body larger than its cap
  | 'cancelled'; // the user cancelled
