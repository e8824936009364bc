/**
 * A local stand-in for the Multiview API and its sibling endpoints that speaks the whole contract of
 * docs/api-contract.md, quirks included. Used by the unit tests, the real-VS-Code e2e tests, the demo and the
 * bench. Node `http`, pngjs and jpeg-js only.
 *
 * It serves the routes of every endpoint preset (src/api/presets.ts), each with its own dialect:
 *   multiview (§1)
 *   v5          POST /api/v5/multiview                          temp "yes"/"no", image a URL;
 *                                                                polled at /api/v5/fetch/:id, /api/v6/image_editing/fetch/:id, /api/v3/fetch/:id
 *   v6          POST /api/v6/image_editing/multiview            temp boolean, image a URL or an inline data URI with base64:true,
 *                                                                steps 21/31/41 only, track_id an integer; polled at /api/v6/image_editing/fetch/:id
 *   enterprise  POST /api/v1/enterprise/image_editing/multiview  temp boolean, image a URL;
 *                                                                polled at /api/v1/enterprise/fetch with {key, request_id} (fetch_result names no id)
 *   background removal (§12): a real PNG cut-out of the image sent (or of a made-up photo when its URL is elsewhere)
 *   v5          POST /api/v5/removebg_mask                      image a URL; polled like v5 multiview
 *   v6          POST /api/v6/image_editing/removebg_mask        image a URL or a data URI, inverse_mask, track_id an integer;
 *                                                                polled at /api/v6/image_editing/fetch/:id
 *   image to 3D (§12): a real GLB / OBJ / STL / PLY (model-files.ts); always processing first
 *   v6          POST /api/v6/3d/image_to_3d                     image or init_image a URL, temp "yes"/"no"; polled at /api/v6/3d/fetch/:id
 *   enterprise  POST /api/v1/enterprise/3d/image_to_3d          the same; polled at /api/v1/enterprise/3d/fetch/:id
 *   uploads (§4): POST /api/v6/base64_to_url, POST /api/v3/base64_crop; files: GET /uploads/, /generations/, /proxy/
 * A poll route that does not serve the job's kind and dialect answers 404 "Request not found".
 *
 * All base URLs of the client point here. A scenario is chosen, most specific first, by
 *   1. a path prefix `/scenario/NAME/` on the base URL (covers uploads and downloads too),
 *   2. a "[scenario:NAME]" marker in the body: the prompt (multiview), or a string track_id (the routes without
 *      a prompt),
 *   3. the scenario of the job a poll or download belongs to,
 *   4. the server-wide scenario (setScenario, POST /__control/scenario).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { decodeImage, flattenedJpeg, photoPlaceholderPng, removeBackground } from './cutout';
import { damagedPng, gridPng, inputPlaceholderPng, WRONG_SIZE_GRID_SIDE } from './grid-image';
import { MODEL_CONTENT_TYPES, modelFile, type ModelFormat } from './model-files';
import {
  ACCOUNT_SCENARIOS,
  DEFAULT_SCENARIO,
  PROXY_LINK_SCENARIOS,
  QUEUED_SCENARIOS,
  isScenarioName,
  scenarioFromBody,
  type ScenarioName,
} from './scenarios';
import { isDataUri, validateImageTo3dRequest, validateMultiviewRequest, validateRemovebgRequest, type Dialect, type FieldErrors } from './validation';

export { SCENARIO_NAMES, isScenarioName, type ScenarioName } from './scenarios';
export type { Dialect } from './validation';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface ContractServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  setScenario(name: ScenarioName): void;
  /** Lets every 'queued-until-released' job succeed at its next poll. */
  releaseQueuedJobs(): void;
  /** Every 429 answered by 'queue-limit': when, and to the submission of which image (the request's `init_image`/`image`). */
  queueLimitRefusals: { at: number; image: string; retryAfterMs: number }[];
  close(): Promise<void>;
}

export interface ContractServerOptions {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  scenario?: ScenarioName;
  /** The eta of processing answers; default 1. */
  etaSeconds?: number;
  /** The retry_after of 429 answers; default 1. */
  retryAfterSeconds?: number;
  /** Keys accepted; default: any key not starting with "invalid". */
  validKeys?: string[];
  /** Serve result grids with photo-like grain, as large as real ones (for benchmarks); default flat colours. */
  texturedGrids?: boolean;
  /** Serve every result grid as the 'model-views' scenario does (subjects on a grey backdrop): the demo's sandbox. */
  subjectGrids?: boolean;
}

/** How many of one key's jobs 'queue-limit' lets wait at once (the service's own words: "Maximum 5 queued requests"). */
const QUEUE_LIMIT = 5;

/** Uploads are at most 5 MB decoded (docs/api-contract.md §4); bodies above this are refused outright. */
const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const FIRST_JOB_ID = 657;
const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 960;
const ENDLESS_CHUNK = Buffer.alloc(64 * 1024, 0x2a);
/** Bytes of the real file an endless body starts with, so that it passes a magic-bytes check. */
const ENDLESS_HEAD_BYTES = 16;
/** Image to 3D echoes a texture size it chose in meta (docs/api-contract.md §12). */
const MODEL_TEXTURE_SIZE = 1024;
const MODEL_DEFAULT_RESOLUTION = 256;
/** A link that lived out: the storage says so the way S3-compatible buckets do for an expired signed URL. */
const LINK_LIFETIME_SECONDS = 24 * 60 * 60;
const CHALLENGE_PAGE = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser.</body></html>';

const INVALID_KEY_TIP =
  '1. Make sure you are passing Content-Type: application/json in header. 2. Make sure you are doing POST request. 3. Make sure you are passing a valid JSON body. 4. Make sure you are using a valid API key.';
const HOSTILE = {
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  path: '../../etc/passwd',
  foreignFetch: 'http://evil.invalid/steal',
};

/** What a job makes: the multiview grid, a background-removal cut-out, or a 3D model. */
export type JobKind = 'multiview' | 'removebg' | 'model';

interface SubmitRoute {
  kind: JobKind;
  dialect: Dialect;
}

const SUBMIT_ROUTES: Readonly<Record<string, SubmitRoute>> = {
  '/api/v5/multiview': { kind: 'multiview', dialect: 'v5' },
  '/api/v6/image_editing/multiview': { kind: 'multiview', dialect: 'v6' },
  '/api/v1/enterprise/image_editing/multiview': { kind: 'multiview', dialect: 'enterprise' },
  '/api/v5/removebg_mask': { kind: 'removebg', dialect: 'v5' },
  '/api/v6/image_editing/removebg_mask': { kind: 'removebg', dialect: 'v6' },
  '/api/v6/3d/image_to_3d': { kind: 'model', dialect: 'v6' },
  '/api/v1/enterprise/3d/image_to_3d': { kind: 'model', dialect: 'enterprise' },
};

/** The image-editing fetch families that know a job of each dialect (multiview and background removal). */
const IMAGE_EDITING_FETCH_FAMILIES: Readonly<Record<Dialect, readonly string[]>> = {
  v5: ['v5/fetch', 'v6/image_editing/fetch', 'v3/fetch'],
  v6: ['v6/image_editing/fetch'],
  enterprise: ['v1/enterprise/fetch'],
};

const FETCH_FAMILIES: Readonly<Record<JobKind, Partial<Record<Dialect, readonly string[]>>>> = {
  multiview: IMAGE_EDITING_FETCH_FAMILIES,
  removebg: IMAGE_EDITING_FETCH_FAMILIES,
  model: { v6: ['v6/3d/fetch'], enterprise: ['v1/enterprise/3d/fetch'] },
};

const FETCH_ROUTE = /^\/api\/(v5\/fetch|v6\/image_editing\/fetch|v3\/fetch|v1\/enterprise\/fetch|v6\/3d\/fetch|v1\/enterprise\/3d\/fetch)\/([^/]+)$/;

/** A job's result as its links serve it, depending on the scenario acting at download time. */
interface ResultFile {
  extension: string;
  serve(acting: ScenarioName): { contentType: string; bytes: Buffer };
}

interface Job {
  id: number;
  key: string;
  kind: JobKind;
  dialect: Dialect;
  scenario: ScenarioName;
  /** The base URL (origin plus any scenario prefix) the job was submitted to; its links use it. */
  base: string;
  filePrefix: string;
  file: ResultFile;
  meta: Record<string, unknown>;
  polls: number;
  /** When the job was submitted, for 'queue-limit'. */
  createdAt: number;
  /** Its success was answered (it left the account's queue), for 'queue-limit'. */
  delivered: boolean;
  linkHits: number;
  /** Downloads served in full, for 'link-expires'. */
  downloads: number;
  /** GETs of each result link ('generations' or 'proxy'), for the scenarios that cut a download. */
  linkGets: Map<string, number>;
}

/** What the route-specific preparation of a submission gives the common job creation. */
interface PreparedJob {
  file: ResultFile;
  meta: Record<string, unknown>;
}

/** A JSON answer, or an HTML page when `html` is set (what nginx or a framework answers for unknown routes). */
interface Answer {
  status: number;
  body?: unknown;
  html?: string;
  headers?: Record<string, string>;
}

/** Where a request came in and what it carried, after the scenario prefix is stripped. */
interface Incoming {
  res: http.ServerResponse;
  method: string;
  route: string;
  /** The query string, "" or "?...". */
  query: string;
  base: string;
  origin: string;
  prefixScenario?: ScenarioName;
  body: Record<string, unknown>;
}

export async function startContractServer(options: ContractServerOptions = {}): Promise<ContractServer> {
  const host = options.host ?? '127.0.0.1';
  const etaSeconds = options.etaSeconds ?? 1;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const isValidKey = (key: string): boolean =>
    options.validKeys ? options.validKeys.includes(key) : !key.toLowerCase().startsWith('invalid');

  let scenario: ScenarioName = options.scenario ?? DEFAULT_SCENARIO;
  let queuedJobsReleased = false;
  const requests: RecordedRequest[] = [];
  const queueLimitRefusals: ContractServer['queueLimitRefusals'] = [];
  const jobs = new Map<number, Job>();
  const jobsByFilePrefix = new Map<string, Job>();
  const uploads = new Map<number, Buffer>([[0, inputPlaceholderPng()]]);
  /** How often each identical request was seen, for 'rate-limit-then-success' (like the spam filter). */
  const identicalRequestCounts = new Map<string, number>();
  let nextJobId = FIRST_JOB_ID;
  let nextUploadId = 1;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, { status: 500, body: { status: 'error', message: `contract server bug: ${String(error)}` } });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const origin = `http://${req.headers.host ?? `${host}:${port()}`}`;
    const prefix = /^\/scenario\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (prefix && !isScenarioName(prefix[1])) {
      return sendJson(res, { status: 404, body: { status: 'error', message: `Unknown scenario "${prefix[1]}"` } });
    }
    const prefixScenario = prefix ? (prefix[1] as ScenarioName) : undefined;
    const route = prefix ? prefix[2] : url.pathname;
    const base = prefix ? `${origin}/scenario/${prefixScenario}` : origin;

    const raw = method === 'POST' ? await readBody(req) : undefined;
    if (raw === 'too-large') {
      return sendJson(res, { status: 413, body: { status: 'error', message: 'Request body too large' } });
    }
    const parsed = raw === undefined ? undefined : parseJson(raw);
    if (!route.startsWith('/__control/')) {
      requests.push({ method, path: url.pathname, body: parsed ?? raw, headers: { ...req.headers }, at: Date.now() });
    }

    const incoming: Incoming = { res, method, route, query: url.search, base, origin, prefixScenario, body: isObject(parsed) ? parsed : {} };
    if (route === '/healthz' && method === 'GET') return sendJson(res, { status: 200, body: { status: 'alive', scenario } });
    if (route.startsWith('/__control/')) return control(incoming, parsed);
    if (method === 'GET') return serveFile(incoming);
    if (method !== 'POST') return sendJson(res, methodNotAllowed(method));

    // Every API route is a JSON POST carrying the key in its body (docs/api-contract.md §1).
    if (!/application\/json/i.test(req.headers['content-type'] ?? '') || !isObject(parsed)) {
      return sendJson(res, { status: 400, body: { status: 'error', message: 'Invalid API Request', tip: INVALID_KEY_TIP } });
    }
    const key = parsed.key;
    if (typeof key !== 'string' || key === '') {
      return sendJson(res, { status: 400, body: { status: 'error', message: { key: ['The key field is required.'] } } });
    }
    if (!isValidKey(key)) return sendJson(res, invalidKey(200));
    const accountScenario = prefixScenario ?? scenario;
    if (ACCOUNT_SCENARIOS.has(accountScenario)) return sendJson(res, invalidKey(accountScenario === 'invalid-key-401' ? 401 : 200));

    const submitRoute = Object.prototype.hasOwnProperty.call(SUBMIT_ROUTES, route) ? SUBMIT_ROUTES[route] : undefined;
    if (submitRoute) return submit(incoming, key, submitRoute);
    if (route === '/api/v6/base64_to_url') return sendJson(res, uploadBase64ToUrl(incoming));
    if (route === '/api/v3/base64_crop') return sendJson(res, uploadBase64Crop(incoming));
    const fetchRoute = FETCH_ROUTE.exec(route);
    if (fetchRoute) return sendJson(res, poll(key, fetchRoute[1], fetchRoute[2]));
    if (route === '/api/v1/enterprise/fetch') {
      // The documented enterprise form: the job is named in the body (docs/api-contract.md §3).
      const requestId = incoming.body.request_id;
      if ((typeof requestId !== 'number' && typeof requestId !== 'string') || String(requestId).trim() === '') {
        return sendJson(res, { status: 400, body: { status: 'error', message: { request_id: ['The request id field is required.'] } } });
      }
      return sendJson(res, poll(key, 'v1/enterprise/fetch', String(requestId)));
    }
    return sendHtml(res, 404, htmlErrorPage(404, 'Not Found'));
  }

  function control(incoming: Incoming, parsed: unknown): void {
    const { res, method, route } = incoming;
    if (route === '/__control/scenario' && method === 'POST') {
      const name = isObject(parsed) ? parsed.name : undefined;
      if (!isScenarioName(name)) return sendJson(res, { status: 400, body: { ok: false, error: `unknown scenario ${JSON.stringify(name)}` } });
      scenario = name;
      return sendJson(res, { status: 200, body: { ok: true, scenario } });
    }
    if (route === '/__control/scenario' && method === 'GET') return sendJson(res, { status: 200, body: { scenario } });
    if (route === '/__control/requests' && method === 'GET') return sendJson(res, { status: 200, body: requests });
    if (route === '/__control/requests' && method === 'DELETE') {
      requests.length = 0;
      return sendJson(res, { status: 200, body: { ok: true } });
    }
    return sendJson(res, { status: 404, body: { ok: false, error: 'unknown control route' } });
  }

  // ---- POST job routes (multiview, background removal, image to 3D) --------------------------------

  function submit(incoming: Incoming, key: string, route: SubmitRoute): void {
    const { res, body } = incoming;
    const chosen = incoming.prefixScenario ?? scenarioFromBody(body) ?? scenario;
    const refusal = refusalFor(chosen, route.kind, key, body);
    if (refusal === 'silence') return; // The socket stays open until the client gives up or the server closes.
    if (refusal) return sendJson(res, refusal);

    const invalid = validationErrors(route, body);
    if (invalid) return sendJson(res, { status: 400, body: { status: 'error', message: invalid } });
    const prepared =
      route.kind === 'multiview'
        ? prepareMultiview(incoming)
        : route.kind === 'removebg'
          ? prepareRemovebg(incoming, route.dialect)
          : prepareModel(incoming);
    if ('status' in prepared) return sendJson(res, prepared);

    const job = createJob(incoming, key, chosen, route, prepared);
    const queued = route.kind === 'model' || QUEUED_SCENARIOS.has(chosen);
    const first = queued ? processingBody(job) : successBody(job);
    if (chosen === 'truncated-json') {
      const text = JSON.stringify(first);
      return sendRaw(res, 200, 'application/json', text.slice(0, Math.floor(text.length / 2)));
    }
    return sendJson(res, { status: queued && chosen === 'queued-http400' ? 400 : 200, body: first });
  }

  /** The answers some scenarios give before the body is even validated; 'silence' means none at all. */
  function refusalFor(chosen: ScenarioName, kind: JobKind, key: string, body: Record<string, unknown>): Answer | 'silence' | undefined {
    switch (chosen) {
      case 'never-answers':
        return 'silence';
      case 'html-502':
        return { status: 502, html: htmlErrorPage(502, 'Bad Gateway') };
      case 'no-credits':
        return { status: 402, body: { status: 'error', message: 'Insufficient credits. Please add more credits to continue.' } };
      case 'validation-object':
        return { status: 400, body: { status: 'error', message: CANNED_VALIDATION_ERRORS[kind] } };
      case 'messege':
        return {
          status: 200,
          body: {
            status: 'error',
            messege: 'Unable to fetch image from provided URL',
            tips: ['Make sure the image URL is public.', 'Use a PNG or JPG image.'],
          },
        };
      case 'echo-key':
        return {
          status: 200,
          body: { status: 'error', message: `The key ${key} is not allowed to use this endpoint.`, tip: `Check the key ${key} in your dashboard.` },
        };
      case 'rate-limit-always':
        return rateLimited();
      case 'queue-limit': {
        const queuedNow = [...jobs.values()].filter((job) => job.scenario === 'queue-limit' && job.key === key && !job.delivered).length;
        if (queuedNow < QUEUE_LIMIT) return undefined;
        queueLimitRefusals.push({ at: Date.now(), image: String(body.init_image ?? body.image ?? ''), retryAfterMs: retryAfterSeconds * 1000 });
        return rateLimited();
      }
      case 'rate-limit-then-success': {
        const { key: _key, ...withoutKey } = body;
        const fingerprint = `${key}\n${JSON.stringify(withoutKey)}`;
        const seen = (identicalRequestCounts.get(fingerprint) ?? 0) + 1;
        identicalRequestCounts.set(fingerprint, seen);
        return seen % 2 === 1 ? rateLimited() : undefined;
      }
      default:
        return undefined;
    }
  }

  function prepareMultiview(incoming: Incoming): PreparedJob | Answer {
    const { body, origin } = incoming;
    // An inline image is re-hosted, like the real service re-hosts inputs (meta.image on cdn2...).
    let image = typeof body.image === 'string' && body.image.startsWith(origin) ? body.image : `${origin}/uploads/0.png`;
    if (isDataUri(body.image)) {
      const stored = storeUpload(body.image);
      if (typeof stored === 'string') return { status: 400, body: { status: 'error', message: { image: [stored] } } };
      image = `${origin}/uploads/${stored.id}.png`;
    }
    const width = numberOr(body.width, DEFAULT_WIDTH);
    const height = numberOr(body.height, DEFAULT_HEIGHT);
    return { file: gridFile(width, height, { textured: options.texturedGrids ?? false, subjects: options.subjectGrids ?? false }), meta: { image, width, height } };
  }

  /** Cuts the subject out of the image sent: an upload, one of this server's results, or the made-up photo. */
  function prepareRemovebg(incoming: Incoming, dialect: Dialect): PreparedJob | Answer {
    const { body, origin } = incoming;
    let image = body.image as string;
    let bytes: Buffer;
    if (isDataUri(image)) {
      const stored = storeUpload(image);
      if (typeof stored === 'string') return { status: 400, body: { status: 'error', message: { image: [stored] } } };
      bytes = stored.bytes;
      image = `${origin}/uploads/${stored.id}.png`;
    } else {
      bytes = ownFileBytes(image, origin) ?? photoPlaceholderPng();
    }
    const decoded = decodeImage(bytes);
    if (typeof decoded === 'string') return { status: 400, body: { status: 'error', message: decoded } };
    const cutout = removeBackground(decoded, {
      onlyMask: body.only_mask === true,
      // Only v6 documents inverse_mask; v5 ignores it like any unknown field.
      inverseMask: dialect === 'v6' && body.inverse_mask === true,
      alphaMatting: body.alpha_matting === true,
      postProcessMask: body.post_process_mask === true,
      foregroundThreshold: numberOr(body.alpha_matting_foreground_threshold, 240),
      backgroundThreshold: numberOr(body.alpha_matting_background_threshold, 20),
    });
    return { file: cutoutFile(cutout), meta: { image } };
  }

  function prepareModel(incoming: Incoming): PreparedJob {
    const { body } = incoming;
    const format = (body.output_format ?? 'glb') as ModelFormat;
    const seed = typeof body.seed === 'number' && body.seed !== 0 ? body.seed : Math.floor(Math.random() * 2 ** 32);
    return {
      file: modelResultFile(format),
      meta: {
        output_format: format,
        multi_image: body.multi_image === true,
        resolution: numberOr(body.resolution, MODEL_DEFAULT_RESOLUTION),
        texture_size: MODEL_TEXTURE_SIZE,
        seed,
      },
    };
  }

  /** The bytes behind a URL of this server (an upload or a job's result), if it is one. */
  function ownFileBytes(url: string, origin: string): Buffer | undefined {
    if (!url.startsWith(`${origin}/`)) return undefined;
    const path = new URL(url).pathname.replace(/^\/scenario\/[^/]+/, '');
    const file = /^\/(generations|proxy|uploads)\/([^/.]+)\.[a-z0-9]+$/i.exec(path);
    if (!file) return undefined;
    if (file[1] === 'uploads') return uploads.get(Number(file[2]));
    const job = jobsByFilePrefix.get(file[2]);
    return job?.file.serve(job.scenario).bytes;
  }

  function createJob(incoming: Incoming, key: string, chosen: ScenarioName, route: SubmitRoute, prepared: PreparedJob): Job {
    const { key: _key, ...request } = incoming.body;
    const id = nextJobId++;
    const filePrefix = randomUUID();
    const seed = typeof request.seed === 'number' ? request.seed : Math.floor(Math.random() * 2 ** 32);
    const meta: Record<string, unknown> = { ...request, file_prefix: filePrefix, seed, outdir: 'out', ...prepared.meta };
    if (chosen === 'hostile') {
      Object.assign(meta, {
        prompt: HOSTILE.script,
        negative_prompt: HOSTILE.attribute,
        file_prefix: HOSTILE.path,
        outdir: HOSTILE.path,
        note: `${HOSTILE.script}${HOSTILE.attribute}`,
      });
    }
    const job: Job = {
      id,
      key,
      kind: route.kind,
      dialect: route.dialect,
      scenario: chosen,
      base: incoming.base,
      filePrefix,
      file: prepared.file,
      meta,
      polls: 0,
      createdAt: Date.now(),
      delivered: false,
      linkHits: 0,
      downloads: 0,
      linkGets: new Map(),
    };
    jobs.set(id, job);
    jobsByFilePrefix.set(filePrefix, job);
    return job;
  }

  function fileUrl(job: Job): string {
    return `${job.base}/generations/${job.filePrefix}.${job.file.extension}`;
  }

  function proxyUrl(job: Job): string {
    return `${job.base}/proxy/${job.filePrefix}.${job.file.extension}`;
  }

  function successBody(job: Job): Record<string, unknown> {
    // Background removal has no temp field and always lists proxy links (the v6 image-editing schema).
    const wantsProxy = job.kind === 'removebg' || job.meta.temp === 'yes' || job.meta.temp === true || PROXY_LINK_SCENARIOS.has(job.scenario);
    const body: Record<string, unknown> = {
      status: 'success',
      generationTime: job.kind === 'model' ? 60 + Math.random() * 120 : 8 + Math.random() * 8,
      id: job.id,
      output: [fileUrl(job)],
      proxy_links: wantsProxy ? [proxyUrl(job)] : [],
      meta: job.meta,
    };
    if (job.scenario === 'proxy-links-object') body.proxy_links = { '0': proxyUrl(job) };
    if (job.scenario === 'hostile') {
      body.output = ['javascript:alert(1)', fileUrl(job)];
      body.proxy_links = ['file:///etc/passwd', `data:text/html,${HOSTILE.script}`];
      body.message = HOSTILE.script;
    }
    return body;
  }

  /** The first answer of a queued job; the legacy scenario uses the stablediffusionapi.com shape. */
  function processingBody(job: Job): Record<string, unknown> {
    if (job.scenario === 'queued-no-fetch-result') {
      return {
        status: 'processing',
        tip: 'for faster speed, keep resolution upto 512x512',
        tip_1: 'Use the fetch API to get the result',
        eta: String(etaSeconds + 0.5279869184),
        messege: 'Try to fetch request after seconds estimated',
        webhook_status: '',
        id: job.id,
        output: '',
        future_links: [fileUrl(job)],
        meta: job.meta,
      };
    }
    const hostile = job.scenario === 'hostile';
    return {
      status: 'processing',
      tip: hostile ? HOSTILE.attribute : 'Your image is processing in background, you can get this image using fetch API',
      eta: job.scenario === 'eta-float-string' ? String(etaSeconds + 0.5279869184) : etaSeconds,
      message: hostile ? HOSTILE.script : 'Try to fetch request after given estimated time',
      fetch_result: hostile ? `${HOSTILE.foreignFetch}/${job.id}` : fetchResultOf(job),
      id: job.id,
      output: [],
      future_links: [fileUrl(job)],
      proxy_links: [],
      // The 3D processing schema adds extra_assets (docs/api-contract.md §2.2).
      ...(job.kind === 'model' ? { extra_assets: [] } : {}),
      meta: job.meta,
    };
  }

  /** Where each dialect tells the client to poll; the enterprise one names the job only in the body it expects. */
  function fetchResultOf(job: Job): string {
    if (job.kind === 'model') {
      return job.dialect === 'enterprise' ? `${job.base}/api/v1/enterprise/3d/fetch/${job.id}` : `${job.base}/api/v6/3d/fetch/${job.id}`;
    }
    switch (job.dialect) {
      case 'v6':
        return `${job.base}/api/v6/image_editing/fetch/${job.id}`;
      case 'enterprise':
        return `${job.base}/api/v1/enterprise/fetch`;
      default:
        return `${job.base}/api/v5/fetch/${job.id}`;
    }
  }

  function rateLimited(): Answer {
    return {
      status: 429,
      body: { status: 'error', message: 'Rate limit exceeded. Maximum 5 queued requests allowed.', retry_after: retryAfterSeconds },
      headers: { 'X-RateLimit-Remaining': '0' },
    };
  }

  // ---- POST fetch routes ---------------------------------------------------------------------------

  function poll(key: string, family: string, rawId: string): Answer {
    const job = jobs.get(Number(rawId));
    if (!job) return { status: 404, body: { status: 'error', message: 'Request not found' } };
    if (job.key !== key) return invalidKey(200);
    if (!FETCH_FAMILIES[job.kind][job.dialect]?.includes(family)) return { status: 404, body: { status: 'error', message: 'Request not found' } };
    // The legacy scenario documents no fetch route: on the v5 host the v6 image-editing guess does not exist.
    if (job.scenario === 'queued-no-fetch-result' && job.dialect === 'v5' && family === 'v6/image_editing/fetch') {
      return { status: 404, html: htmlErrorPage(404, 'Not Found') };
    }
    job.polls++;
    switch (job.scenario) {
      case 'queued-forever':
        return { status: 200, body: fetchProcessingBody(job) };
      case 'queue-limit':
        if (Date.now() - job.createdAt < etaSeconds * 1000) return { status: 200, body: fetchProcessingBody(job) };
        job.delivered = true;
        return { status: 200, body: successBody(job) };
      case 'queued-until-released':
        return { status: 200, body: queuedJobsReleased ? successBody(job) : fetchProcessingBody(job) };
      case 'failed-on-fetch':
        return { status: 200, body: { status: 'failed', id: '', message: 'Failed, Try Again', output: '' } };
      case 'queued':
      case 'queued-http400':
      case 'queued-no-fetch-result':
      case 'hostile':
        if (job.polls < 2) return { status: job.scenario === 'queued-http400' ? 400 : 200, body: fetchProcessingBody(job) };
        return { status: 200, body: successBody(job) };
      default:
        return { status: 200, body: successBody(job) };
    }
  }

  /** Image editing polls answer the short FetchProcessingResponse; the 3D fetch repeats the full 3D processing shape. */
  function fetchProcessingBody(job: Job): Record<string, unknown> {
    if (job.kind === 'model') return processingBody(job);
    return { status: 'processing', message: 'Request processing', output: '', tip: '' };
  }

  // ---- uploads -------------------------------------------------------------------------------------

  function uploadBase64ToUrl(incoming: Incoming): Answer {
    if ((incoming.prefixScenario ?? scenario) === 'upload-fallback') {
      return { status: 500, body: { status: 'error', message: 'Internal server error. Please try again.' } };
    }
    const stored = storeUpload(incoming.body.base64_string);
    if (typeof stored === 'string') return { status: 400, body: { status: 'error', message: stored } };
    return { status: 200, body: { status: 'success', id: stored.id, output: [`${incoming.base}/uploads/${stored.id}.png`] } };
  }

  function uploadBase64Crop(incoming: Incoming): Answer {
    const stored = storeUpload(incoming.body.image);
    if (typeof stored === 'string') return { status: 400, body: { status: 'error', messege: stored } };
    return {
      status: 200,
      body: { status: 'success', messege: 'image uploaded', link: `${incoming.base}/uploads/${stored.id}.png`, request_id: stored.id },
    };
  }

  /** Stores a data URI's bytes; returns the upload number and bytes, or an error text. */
  function storeUpload(dataUri: unknown): { id: number; bytes: Buffer } | string {
    const match = typeof dataUri === 'string' ? /^data:image\/(png|jpe?g|webp);base64,(.*)$/is.exec(dataUri) : null;
    if (!match) return 'base64 string must be a data URI like data:image/png;base64,...';
    const bytes = Buffer.from(match[2], 'base64');
    if (bytes.length === 0) return 'base64 string is empty';
    if (bytes.length > MAX_UPLOAD_BYTES) return 'Base64 image is too large. Maximum size is 5MB.';
    const id = nextUploadId++;
    uploads.set(id, bytes);
    return { id, bytes };
  }

  // ---- GET files -----------------------------------------------------------------------------------

  function serveFile(incoming: Incoming): void {
    const { res, route } = incoming;
    const file = /^\/(generations|proxy|uploads)\/([^/.]+)\.([a-z0-9]+)$/i.exec(route);
    if (!file) return sendHtml(res, 404, htmlErrorPage(404, 'Not Found'));
    const [, folder, name, extension] = file;
    if (folder === 'uploads') {
      const bytes = uploads.get(Number(name));
      return bytes ? sendRaw(res, 200, imageMimeOf(bytes), bytes) : sendStorageError(res, 404, 'NoSuchKey');
    }
    const job = jobsByFilePrefix.get(name);
    if (!job || extension.toLowerCase() !== job.file.extension) return sendStorageError(res, 404, 'NoSuchKey');
    const acting = incoming.prefixScenario ?? job.scenario;
    if (acting === 'link-expired' || (acting === 'link-expires' && job.downloads > 0)) return sendExpiredLink(res);
    const { contentType, bytes } = job.file.serve(acting);
    const gets = (job.linkGets.get(folder) ?? 0) + 1;
    job.linkGets.set(folder, gets);
    switch (acting) {
      case 'drop-mid-download-once':
        if (gets === 1) return sendCutOff(res, contentType, bytes);
        break;
      case 'drop-mid-download-always':
        if (folder !== 'proxy') return sendCutOff(res, contentType, bytes);
        break;
      case 'drop-everywhere':
        return sendCutOff(res, contentType, bytes);
      case 'redirect-to-file':
        return sendRedirect(res, folder === 'proxy' ? 'ftp://files.example/result.png' : 'file:///etc/passwd');
      case 'redirect-loop':
        // A loop of two: the link sends to itself with "?again", which sends back to the link.
        return sendRedirect(res, incoming.query === '' ? `${incoming.base}${route}?again` : `${incoming.base}${route}`);
      case 'redirect-chain':
        return sendRedirect(res, `${incoming.base}${route}?hop=${gets}`);
      default:
        break;
    }
    if (folder === 'proxy') {
      job.downloads++;
      return sendRaw(res, 200, contentType, bytes);
    }

    switch (acting) {
      case 'link-404-twice':
        job.linkHits++;
        if (job.linkHits <= 2) return sendStorageError(res, 404, 'NoSuchKey');
        break;
      case 'html-instead-of-image':
        return sendHtml(res, 200, CHALLENGE_PAGE);
      case 'endless-body':
        return streamEndless(res, contentType, bytes.subarray(0, ENDLESS_HEAD_BYTES));
      case 'proxy-links-object':
        return sendStorageError(res, 403, 'AccessDenied');
      default:
        break;
    }
    job.downloads++;
    return sendRaw(res, 200, contentType, bytes);
  }

  function port(): number {
    return (server.address() as AddressInfo | null)?.port ?? 0;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const listeningPort = port();
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${host}:${listeningPort}`,
    port: listeningPort,
    requests,
    queueLimitRefusals,
    setScenario(name: ScenarioName): void {
      if (!isScenarioName(name)) throw new Error(`Unknown scenario ${JSON.stringify(name)}`);
      scenario = name;
    },
    releaseQueuedJobs(): void {
      queuedJobsReleased = true;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        // Connections held open on purpose ('never-answers', 'endless-body') must not keep the server alive.
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** The 'validation-object' answer of each kind of job: a Laravel-style field -> messages map (docs/api-contract.md §2.3). */
const CANNED_VALIDATION_ERRORS: Readonly<Record<JobKind, FieldErrors>> = {
  multiview: { prompt: ['The prompt field is required.'], width: ['width must be between 256 and 1024'] },
  removebg: {
    image: ['The image field is required.'],
    alpha_matting_foreground_threshold: ['The alpha matting foreground threshold field must be between 0 and 240.'],
  },
  model: {
    output_format: ['The selected output format is invalid. Allowed values: glb, obj, stl, ply.'],
    resolution: ['The resolution field must be between 1 and 512.'],
  },
};

function validationErrors(route: SubmitRoute, body: Record<string, unknown>): FieldErrors | undefined {
  switch (route.kind) {
    case 'multiview':
      return validateMultiviewRequest(body, route.dialect);
    case 'removebg':
      return validateRemovebgRequest(body, route.dialect);
    case 'model':
      return validateImageTo3dRequest(body);
  }
}

/** The grid, or one of its faulty variants for the grid scenarios. */
function gridFile(width: number, height: number, look: { textured: boolean; subjects: boolean }): ResultFile {
  return {
    extension: 'png',
    serve(acting) {
      const intact = (): Buffer => gridPng(width, height, look);
      switch (acting) {
        case 'damaged-grid':
          return { contentType: 'image/png', bytes: damagedPng(intact()) };
        case 'wrong-size-grid':
          return { contentType: 'image/png', bytes: gridPng(WRONG_SIZE_GRID_SIDE, WRONG_SIZE_GRID_SIDE) };
        case 'transparent-grid':
          return { contentType: 'image/png', bytes: gridPng(width, height, { transparent: true }) };
        case 'model-views':
          return { contentType: 'image/png', bytes: gridPng(width, height, { subjects: true }) };
        default:
          return { contentType: 'image/png', bytes: intact() };
      }
    },
  };
}

function cutoutFile(cutout: Buffer): ResultFile {
  let flattened: Buffer | undefined;
  return {
    extension: 'png',
    serve(acting) {
      if (acting !== 'cutout-not-png') return { contentType: 'image/png', bytes: cutout };
      flattened ??= flattenedJpeg(cutout);
      return { contentType: 'image/png', bytes: flattened };
    },
  };
}

function modelResultFile(format: ModelFormat): ResultFile {
  return {
    extension: format,
    serve(acting) {
      const bytes = modelFile(format);
      switch (acting) {
        case 'model-is-html':
          return { contentType: 'application/octet-stream', bytes: Buffer.from(CHALLENGE_PAGE, 'utf8') };
        case 'model-truncated':
          return { contentType: MODEL_CONTENT_TYPES[format], bytes: bytes.subarray(0, Math.floor(bytes.length / 2)) };
        default:
          return { contentType: MODEL_CONTENT_TYPES[format], bytes };
      }
    },
  };
}

function invalidKey(status: number): Answer {
  return { status, body: { status: 'error', message: 'Invalid Api Key', tip: INVALID_KEY_TIP } };
}

function methodNotAllowed(method: string): Answer {
  return { status: 405, body: { message: `The ${method} method is not supported for this route. Supported methods: POST.` } };
}

/** Writes bytes that start like the real file until the client goes away; stops as soon as the socket closes. */
function streamEndless(res: http.ServerResponse, contentType: string, head: Buffer): void {
  let open = true;
  res.on('close', () => {
    open = false;
  });
  res.on('error', () => {
    open = false;
  });
  res.writeHead(200, { 'Content-Type': contentType });
  res.write(head);
  const pump = (): void => {
    while (open) {
      if (!res.write(ENDLESS_CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function readBody(req: http.IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function imageMimeOf(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'image/png';
}

function sendJson(res: http.ServerResponse, answer: Answer): void {
  if (answer.html !== undefined) sendHtml(res, answer.status, answer.html);
  else sendRaw(res, answer.status, 'application/json', JSON.stringify(answer.body), answer.headers);
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  sendRaw(res, status, 'text/html; charset=utf-8', html);
}

/** Announces the whole file, sends its first half and drops the connection (a download cut off mid-way). */
function sendCutOff(res: http.ServerResponse, contentType: string, bytes: Buffer): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(bytes.length) });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
}

function sendRedirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Content-Type': 'text/html', 'Content-Length': '0' });
  res.end();
}

/** What an S3-compatible bucket answers for a signed link past its lifetime. */
function sendExpiredLink(res: http.ServerResponse): void {
  const now = new Date();
  const expired = new Date(now.getTime() - 60_000).toISOString();
  sendRaw(
    res,
    403,
    'application/xml',
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>${LINK_LIFETIME_SECONDS}</X-Amz-Expires><Expires>${expired}</Expires><ServerTime>${now.toISOString()}</ServerTime></Error>`,
  );
}

/** The XML error an S3/R2 bucket answers with. */
function sendStorageError(res: http.ServerResponse, status: number, code: string): void {
  sendRaw(res, status, 'application/xml', `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

function sendRaw(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

function htmlErrorPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
