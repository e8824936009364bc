/**
 * The API client against the contract server: one case per quirk of docs/api-contract.md, asserting what a user
 * would notice (the result and its bytes, the error kind and text, the requests made), plus a sweep showing
 * that the API key never leaks into errors, logs, stages or results. The main scenarios and the sweep run
 * against every endpoint preset; each preset's own difference has its own cases.
 */
import { after, before, describe, test } from 'node:test';
import { closedPort } from '../support/network';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { sampleRequest } from '../support/requests';
import { abortableSleep } from '../../src/api/abort';
import { MultiviewClient, type MultiviewClientOptions } from '../../src/api/client';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import { ENDPOINT_PRESET_IDS, type EndpointPresetId } from '../../src/api/presetIds';
import { endpointsForPreset } from '../../src/api/presets';
import type { ApiEndpoints, ApiErrorKind, JobStage, MultiviewRequest, JobResult } from '../../src/api/types';
import { SCENARIO_NAMES, startContractServer, type ContractServer, type RecordedRequest, type ScenarioName } from '../contract-server/server';

const API_KEY = 'mvk-Test-7Q4z9XwE2rLp0sKd';
const TINY_PNG_DATA_URI = `data:image/png;base64,${tinyPng().toString('base64')}`;
/** Waits are recorded at their full length but last at most this long, so tests are fast yet polls are not a busy loop. */
const FAST_SLEEP_MS = 5;
/** The bases a custom-preset client is also given: any URL built from them would fail to resolve. */
const UNUSED_BASE = 'http://not-this-host.invalid';
const V5: EndpointPresetId = 'stablediffusionapi-v5';

let server: ContractServer;
/** Everything the client handed back or logged in any test; the leak check searches all of it. */
const observed: unknown[] = [];

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
});

after(async () => {
  await server.close();
});

// ---- helpers -------------------------------------------------------------------------------------

interface Harness {
  client: MultiviewClient;
  base: string;
  preset: EndpointPresetId;
  logs: string[];
  stages: JobStage[];
  /** Every wait the client asked for, in ms (the injected sleep waits at most FAST_SLEEP_MS). */
  sleeps: number[];
  /** The requests this harness caused, recorded by the server. */
  requests(): RecordedRequest[];
}

/** The preset's endpoints with every base it uses at `base`; a custom preset gets unusable api/ModelsLab bases. */
function endpointsAt(preset: EndpointPresetId, base: string): ApiEndpoints {
  return endpointsForPreset(
    preset,
    preset === 'custom'
      ? { apiBaseUrl: UNUSED_BASE, modelslabBaseUrl: UNUSED_BASE, customBaseUrl: base }
      : { apiBaseUrl: base, modelslabBaseUrl: base, customBaseUrl: UNUSED_BASE },
  );
}

/**
 * A client for `preset` (default v5) whose base URLs carry `/scenario/NAME`, so every call (uploads and
 * downloads too) acts out that scenario.
 */
function harness(scenario: ScenarioName | undefined, overrides: Partial<MultiviewClientOptions> = {}, preset: EndpointPresetId = V5): Harness {
  const base = scenario ? `${server.baseUrl}/scenario/${scenario}` : server.baseUrl;
  const logs: string[] = [];
  const stages: JobStage[] = [];
  const sleeps: number[] = [];
  const firstRequest = server.requests.length;
  observed.push(logs, stages);
  const client = new MultiviewClient({
    apiKey: API_KEY,
    endpoints: endpointsAt(preset, base),
    requestTimeoutMs: 10_000,
    jobTimeoutMs: 5_000,
    pollIntervalMs: { min: 1, max: 5 },
    log: (line) => logs.push(line),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return abortableSleep(Math.min(ms, FAST_SLEEP_MS), signal);
    },
    ...overrides,
  });
  return { client, base, preset, logs, stages, sleeps, requests: () => server.requests.slice(firstRequest) };
}

/** What each preset calls, as paths without the scenario prefix; `{id}` stands for the job id. */
interface PresetRoutes {
  submit: string;
  /** The server's fetch_result for a queued job. */
  fetchResult: string;
  /** The configured fallbacks, in order. */
  fallbacks: string[];
  /** true when polls carry {key, request_id} rather than {key}. */
  pollsWithRequestId: boolean;
  /** How `temp: 'no'` is sent. */
  tempNo: 'no' | false;
}

const ROUTES: Record<EndpointPresetId, PresetRoutes> = {
  'stablediffusionapi-v5': {
    submit: '/api/v5/multiview',
    fetchResult: '/api/v5/fetch/{id}',
    fallbacks: ['/api/v6/image_editing/fetch/{id}', '/api/v3/fetch/{id}'],
    pollsWithRequestId: false,
    tempNo: 'no',
  },
  'modelslab-v6': {
    submit: '/api/v6/image_editing/multiview',
    fetchResult: '/api/v6/image_editing/fetch/{id}',
    fallbacks: ['/api/v6/image_editing/fetch/{id}'],
    pollsWithRequestId: false,
    tempNo: false,
  },
  'modelslab-enterprise': {
    submit: '/api/v1/enterprise/image_editing/multiview',
    fetchResult: '/api/v1/enterprise/fetch',
    fallbacks: ['/api/v1/enterprise/fetch'],
    pollsWithRequestId: true,
    tempNo: false,
  },
  custom: {
    submit: '/api/v5/multiview',
    fetchResult: '/api/v5/fetch/{id}',
    fallbacks: ['/api/v6/image_editing/fetch/{id}', '/api/v3/fetch/{id}'],
    pollsWithRequestId: false,
    tempNo: 'no',
  },
};

function post(path: string, jobId: string): string {
  return `POST ${path.replace('{id}', jobId)}`;
}

/** The body every poll of a preset carries. */
function pollBody(preset: EndpointPresetId, jobId: string): Record<string, unknown> {
  return ROUTES[preset].pollsWithRequestId ? { request_id: Number(jobId), key: API_KEY } : { key: API_KEY };
}

function request(overrides: Partial<MultiviewRequest> = {}): MultiviewRequest {
  return sampleRequest({ image: `${server.baseUrl}/uploads/0.png`, seed: 12345, ...overrides });
}

async function generate(h: Harness, overrides: Partial<MultiviewRequest> = {}, signal?: AbortSignal): Promise<JobResult> {
  const result = await h.client.generate(request(overrides), { signal, onStage: (stage) => h.stages.push(stage) });
  observed.push(result);
  return result;
}

/** Runs `work`, expects a MultiviewApiError of `kind`, records and returns it. */
async function expectApiError(kind: ApiErrorKind, work: () => Promise<unknown>): Promise<MultiviewApiError> {
  const error = await work().then(
    () => assert.fail(`expected a '${kind}' error, but the call succeeded`),
    (caught: unknown) => caught,
  );
  observed.push(error);
  assert.ok(error instanceof MultiviewApiError, `expected MultiviewApiError, got ${String(error)}`);
  assert.equal(error.kind, kind, `kind of: ${error.message}`);
  return error;
}

function routesOf(requests: RecordedRequest[]): string[] {
  return requests.map((recorded) => `${recorded.method} ${recorded.path.replace(/^\/scenario\/[^/]+/, '')}`);
}

function tinyPng(): Buffer {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(90);
  return PNG.sync.write(png);
}

// ---- submission and polling ----------------------------------------------------------------------

for (const preset of ENDPOINT_PRESET_IDS) {
  const routes = ROUTES[preset];
  const at = (scenario: ScenarioName | undefined, overrides: Partial<MultiviewClientOptions> = {}): Harness => harness(scenario, overrides, preset);

  describe(`generate, preset ${preset}`, () => {
    test('synchronous success returns the normalised result and sends the documented request', async () => {
      const h = at('success');
      const result = await generate(h);

      assert.match(result.jobId, /^\d+$/);
      assert.equal(result.outputUrls.length, 1);
      assert.match(result.outputUrls[0], /\/generations\/[0-9a-f-]+\.png$/);
      assert.deepEqual(result.proxyUrls, []);
      assert.equal(result.seed, 12345);
      assert.equal(typeof result.generationTime, 'number');
      assert.equal(result.meta.outdir, 'out');
      assert.equal(result.meta.key, undefined);

      const [sent] = h.requests();
      assert.equal(sent.method, 'POST');
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`]);
      assert.deepEqual(sent.body, { ...request(), temp: routes.tempNo, key: API_KEY });
      assert.match(String(sent.headers['content-type']), /^application\/json/);
      assert.equal(sent.headers.authorization, undefined, 'the key travels in the body only');
      assert.deepEqual(h.stages, [{ stage: 'submitting' }]);
    });

    test('processing with eta and fetch_result, then success on the second poll', async () => {
      const h = at('queued');
      const result = await generate(h);

      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`, post(routes.fetchResult, result.jobId), post(routes.fetchResult, result.jobId)]);
      for (const poll of h.requests().slice(1)) assert.deepEqual(poll.body, pollBody(preset, result.jobId));
      const queued = h.stages.filter((stage) => stage.stage === 'queued');
      assert.equal(queued.length, 2, 'one queued stage per poll');
      assert.deepEqual(queued[0], { stage: 'queued', jobId: result.jobId, etaSeconds: 1, waitedSeconds: 0 });
      assert.equal(result.outputUrls.length, 1);
    });

    test('a processing body sent with HTTP 400 is still a queued job', async () => {
      const h = at('queued-http400');
      const result = await generate(h);
      assert.equal(result.outputUrls.length, 1);
      assert.equal(h.requests().length, 3);
    });

    test('legacy processing without fetch_result polls the configured fallbacks in order', async () => {
      const h = at('queued-no-fetch-result');
      const result = await generate(h);

      // On the v5 host the first fallback (the v6 image-editing fetch) 404s and the next one works.
      const polls = routes.fallbacks.length > 1 ? [routes.fallbacks[0], routes.fallbacks[1], routes.fallbacks[1]] : [routes.fallbacks[0], routes.fallbacks[0]];
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`, ...polls.map((path) => post(path, result.jobId))]);
      for (const poll of h.requests().slice(1)) assert.deepEqual(poll.body, pollBody(preset, result.jobId));
      const queued = h.stages.find((stage) => stage.stage === 'queued');
      assert.equal(queued?.stage === 'queued' && queued.etaSeconds, 1.5279869184, 'eta sent as a numeric string');
    });

    test('a job that fails while queued reports "failed" with the server text and job id', async () => {
      const h = at('failed-on-fetch');
      const error = await expectApiError('failed', () => generate(h));
      assert.equal(error.serverMessage, 'Failed, Try Again');
      assert.match(error.jobId ?? '', /^\d+$/);
      assert.equal(error.message, `Job ${error.jobId} failed on the server: Failed, Try Again.`);
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`, post(routes.fetchResult, error.jobId!)]);
    });

    test('the misspelt "messege" and a "tips" list become serverMessage and tip', async () => {
      const error = await expectApiError('rejected', () => generate(at('messege')));
      assert.equal(error.serverMessage, 'Unable to fetch image from provided URL');
      assert.equal(error.tip, 'Make sure the image URL is public. Use a PNG or JPG image.');
      assert.equal(error.message, 'The server rejected the request: Unable to fetch image from provided URL.');
    });

    test('a field -> list validation message is flattened into one line', async () => {
      const error = await expectApiError('rejected', () => generate(at('validation-object')));
      assert.equal(error.serverMessage, 'prompt: The prompt field is required.; width: width must be between 256 and 1024');
      assert.equal(error.httpStatus, 400);
    });

    test('"Invalid Api Key" with HTTP 200 is an invalid-key error with the tip', async () => {
      const h = at('invalid-key');
      const error = await expectApiError('invalid-key', () => generate(h));
      assert.equal(error.serverMessage, 'Invalid Api Key');
      assert.match(error.tip ?? '', /valid API key/);
      assert.equal(error.message, 'The server rejected the API key: Invalid Api Key.');
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`]);
    });

    test('429 with retry_after is waited out and retried, then succeeds', async () => {
      const h = at('rate-limit-then-success');
      const result = await generate(h);
      assert.equal(result.outputUrls.length, 1);
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`, `POST ${routes.submit}`]);
      assert.deepEqual(h.stages[1], { stage: 'rate-limited', retryAfterSeconds: 1, attempt: 1 });
      assert.deepEqual(h.sleeps, [1000], 'waited retry_after seconds');
    });

    test('a hostile answer cannot send the key elsewhere, and unusable links are dropped', async () => {
      const h = at('hostile');
      const result = await generate(h);

      assert.ok(!h.logs.some((line) => /evil\.invalid\//.test(line) && /^POST /.test(line)), 'never called the foreign fetch_result');
      assert.ok(h.logs.some((line) => line.includes('Ignoring fetch_result on untrusted host evil.invalid')));
      assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`, post(routes.fallbacks[0], result.jobId), post(routes.fallbacks[0], result.jobId)]);
      for (const poll of h.requests().slice(1)) assert.deepEqual(poll.body, pollBody(preset, result.jobId));
      assert.equal(result.outputUrls.length, 1, 'javascript: link dropped');
      assert.match(result.outputUrls[0], /^http:\/\/127\.0\.0\.1:\d+\//);
      assert.deepEqual(result.proxyUrls, [], 'file: and data: links dropped');
      // Hostile text stays data: the UI escapes it and sanitises file names.
      assert.equal(result.meta.file_prefix, '../../etc/passwd');
      assert.equal(result.meta.prompt, '<script>alert(1)</script>');
    });

    test('an error that echoes the key is redacted', async () => {
      const error = await expectApiError('rejected', () => generate(at('echo-key')));
      assert.equal(error.serverMessage, 'The key *** is not allowed to use this endpoint.');
      assert.equal(error.tip, 'Check the key *** in your dashboard.');
      assert.ok(!error.message.includes(API_KEY));
    });

    test('a "[scenario:NAME]" prompt marker selects the scenario per request', async () => {
      const error = await expectApiError('rejected', () => generate(at(undefined), { prompt: 'mug [scenario:messege]' }));
      assert.equal(error.serverMessage, 'Unable to fetch image from provided URL');
      const h = at(undefined);
      const result = await generate(h, { prompt: 'mug [scenario:queued]' });
      assert.deepEqual(routesOf(h.requests()).slice(0, 2), [`POST ${routes.submit}`, post(routes.fetchResult, result.jobId)]);
    });

    test('proxy links: temp "yes" is sent in the preset\'s format and the server adds proxy_links', async () => {
      const h = at('success');
      const result = await generate(h, { temp: 'yes' });
      assert.equal(result.proxyUrls.length, 1);
      assert.equal((h.requests()[0].body as Record<string, unknown>).temp, routes.tempNo === 'no' ? 'yes' : true);
    });

    test('webhook and track_id are passed through, encoded for the preset', async () => {
      const h = at('success');
      const result = await generate(h, { webhook: 'https://hooks.example/multiview?token=t0k', track_id: '1042' });
      const sent = h.requests()[0].body as Record<string, unknown>;
      assert.equal(sent.webhook, 'https://hooks.example/multiview?token=t0k');
      assert.equal(sent.track_id, preset === 'modelslab-v6' ? 1042 : '1042');
      assert.equal(result.meta.track_id, sent.track_id, 'the server echoes it in meta');
    });

    test('the image travels the way the preset wants (upload first, or inline with base64: true)', async () => {
      const h = at('success');
      const onStage = (stage: JobStage): void => {
        h.stages.push(stage);
      };
      const image = await h.client.imageForRequest(TINY_PNG_DATA_URI, { onStage });
      const result = await h.client.generate(request({ image }), { onStage });
      const sent = h.requests().at(-1)!.body as Record<string, unknown>;
      if (preset === 'modelslab-v6') {
        assert.equal(image, TINY_PNG_DATA_URI);
        assert.deepEqual(routesOf(h.requests()), [`POST ${routes.submit}`], 'no upload call');
        assert.equal(sent.image, TINY_PNG_DATA_URI);
        assert.equal(sent.base64, true);
        assert.deepEqual(h.stages.map((stage) => stage.stage), ['embedding', 'submitting']);
      } else {
        assert.match(image, /\/uploads\/\d+\.png$/);
        assert.deepEqual(routesOf(h.requests()), ['POST /api/v6/base64_to_url', `POST ${routes.submit}`]);
        assert.equal(sent.image, image);
        assert.equal(sent.base64, undefined);
        assert.deepEqual(h.stages.map((stage) => stage.stage), ['uploading', 'submitting']);
      }
      // Either way the server got the very bytes (it re-hosts an inline image, like the real service).
      const served = Buffer.from(await (await fetch(String(result.meta.image))).arrayBuffer());
      assert.deepEqual(served, tinyPng());
    });
  });
}

describe('what only one preset does', () => {
  test('modelslab-v6 refuses steps other than 21, 31, 41 before sending anything', async () => {
    const h = harness('success', {}, 'modelslab-v6');
    const error = await expectApiError('invalid-request', () => generate(h, { num_inference_steps: 30 }));
    assert.equal(error.message, 'ModelsLab v6 accepts only 21, 31 or 41 inference steps, not 30; choose one of those.');
    assert.deepEqual(h.requests(), [], 'nothing was sent');
    assert.deepEqual(h.stages, [], 'not even the submitting stage');
  });

  test('the contract server itself rejects steps 30 on the v6 route (what the client spares the user)', async () => {
    const h = harness('success', {}, 'modelslab-v6');
    const response = await fetch(`${h.base}/api/v6/image_editing/multiview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...request({ num_inference_steps: 30, temp: false }), key: API_KEY }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(((await response.json()) as { message: unknown }).message, {
      num_inference_steps: ['The selected num inference steps is invalid. Allowed values: 21, 31, 41.'],
    });
  });

  test('modelslab-v6 refuses an inline image over 5 MB before sending', async () => {
    const h = harness('success', {}, 'modelslab-v6');
    const error = await expectApiError('too-large', () => h.client.imageForRequest(`data:image/png;base64,${'A'.repeat(7 * 1024 * 1024)}`));
    assert.match(error.message, /at most 5 MiB is sent inside a request/);
    assert.deepEqual(h.requests(), []);
  });

  test('an upload preset refuses an inline image instead of sending it where it is undocumented', async () => {
    for (const preset of ['stablediffusionapi-v5', 'modelslab-enterprise', 'custom'] as const) {
      const h = harness('success', {}, preset);
      const error = await expectApiError('invalid-request', () => generate(h, { image: TINY_PNG_DATA_URI }));
      assert.match(error.message, /takes the image as a URL, not inline; upload it first/);
      assert.deepEqual(h.requests(), []);
    }
  });

  test('modelslab-enterprise polls its fallback with {key, request_id}, the URL naming no job', async () => {
    const h = harness('queued-no-fetch-result', {}, 'modelslab-enterprise');
    const result = await generate(h);
    const polls = h.requests().slice(1);
    assert.equal(polls.length, 2);
    for (const poll of polls) {
      assert.equal(poll.path, '/scenario/queued-no-fetch-result/api/v1/enterprise/fetch');
      assert.deepEqual(poll.body, { key: API_KEY, request_id: Number(result.jobId) });
    }
  });

  test('boolean temp on v6 and enterprise, "yes"/"no" on v5 and custom', async () => {
    const sentTemps: Record<string, unknown> = {};
    for (const preset of ENDPOINT_PRESET_IDS) {
      const h = harness('success', {}, preset);
      await generate(h, { temp: 'no' });
      sentTemps[preset] = (h.requests()[0].body as Record<string, unknown>).temp;
    }
    assert.deepEqual(sentTemps, { 'stablediffusionapi-v5': 'no', 'modelslab-v6': false, 'modelslab-enterprise': false, custom: 'no' });
  });

  test('custom: upload, submit, every poll and the download all go to the custom base', async () => {
    const h = harness('queued-no-fetch-result', {}, 'custom');
    const image = await h.client.imageForRequest(TINY_PNG_DATA_URI);
    const result = await h.client.generate(request({ image }));
    await h.client.downloadResult(result);
    assert.deepEqual(routesOf(h.requests()).map((route) => route.replace(/\/\d+$/, '/{id}').replace(/\/[0-9a-f-]{36}\.png$/, '/{file}.png')), [
      'POST /api/v6/base64_to_url',
      'POST /api/v5/multiview',
      'POST /api/v6/image_editing/fetch/{id}',
      'POST /api/v3/fetch/{id}',
      'POST /api/v3/fetch/{id}',
      'GET /generations/{file}.png',
    ]);
    assert.ok(h.requests().every((recorded) => recorded.path.startsWith('/scenario/queued-no-fetch-result/')), 'every request carried the custom base path');
    const calledHosts = new Set(h.logs.flatMap((line) => /^(?:GET|POST) (https?:\/\/[^/\s]+)/.exec(line)?.[1] ?? []));
    assert.deepEqual([...calledHosts], [server.baseUrl], 'nothing went to the api or ModelsLab bases');
  });
});

describe('generate (v5 only: failures that do not depend on the preset)', () => {
  test('HTTP 401 is an invalid-key error', async () => {
    const error = await expectApiError('invalid-key', () => generate(harness('invalid-key-401')));
    assert.equal(error.httpStatus, 401);
  });

  test('HTTP 402 is a no-credits error with the server text', async () => {
    const error = await expectApiError('no-credits', () => generate(harness('no-credits')));
    assert.match(error.message, /Insufficient credits/);
  });

  test('429 forever gives up after maxRateLimitRetries', async () => {
    const h = harness('rate-limit-always', { maxRateLimitRetries: 2 });
    const error = await expectApiError('rate-limited', () => generate(h));
    assert.equal(h.requests().length, 3, 'the first attempt plus two retries');
    assert.equal(error.retryAfterSeconds, 1);
    assert.match(error.message, /still rate-limiting requests after 2 retries/);
    assert.match(error.serverMessage ?? '', /Maximum 5 queued requests/);
  });

  test('an HTML 502 page is a server error and the submission is not repeated', async () => {
    const h = harness('html-502');
    const error = await expectApiError('server', () => generate(h));
    assert.equal(error.httpStatus, 502);
    assert.match(error.message, /HTTP 502 with an HTML page \("502 Bad Gateway"\)/);
    assert.equal(h.requests().length, 1);
  });

  test('truncated JSON is a malformed answer', async () => {
    const error = await expectApiError('malformed', () => generate(harness('truncated-json')));
    assert.match(error.message, /answered HTTP 200 with broken \(possibly truncated\) JSON where a JSON object was expected/);
  });

  test('a server that never answers times out after requestTimeoutMs', async () => {
    const started = Date.now();
    const error = await expectApiError('timeout', () => generate(harness('never-answers', { requestTimeoutMs: 300 })));
    assert.ok(Date.now() - started < 2_000, 'gave up promptly');
    assert.match(error.message, /did not answer within 0.3 s/);
  });

  test('a closed port is a network error with an actionable message', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const client = new MultiviewClient({ apiKey: API_KEY, endpoints: endpointsFromBaseUrls(base, base), requestTimeoutMs: 10_000 });
    const error = await expectApiError('network', () => client.generate(request()));
    assert.equal(
      error.message,
      `Could not connect to 127.0.0.1:${port} (connection refused); check your internet connection, VS Code proxy settings (http.proxy) and the API base URL setting.`,
    );
  });

  test('a job still processing at jobTimeoutMs times out with its id in the message', async () => {
    const h = harness('queued-forever', { jobTimeoutMs: 200, pollIntervalMs: { min: 20, max: 20 }, sleep: undefined });
    const started = Date.now();
    const error = await expectApiError('timeout', () => generate(h));
    assert.ok(Date.now() - started < 1_500);
    assert.match(error.jobId ?? '', /^\d+$/);
    assert.match(error.message, new RegExp(`^Job ${error.jobId} was still processing after 0\\.[2-9] s, so Multiview stopped waiting`));
  });

  test('waits the eta first, then polls from the shortest interval with a growing back-off', async () => {
    // The queued answer says eta 1 s; later answers carry no eta.
    const h = harness('queued-forever', { pollIntervalMs: { min: 100, max: 1000 }, jobTimeoutMs: 1500 });
    await expectApiError('timeout', () => generate(h));
    assert.deepEqual(h.sleeps.slice(0, 6), [1000, 100, 150, 225, 337.5, 506.25]);
    assert.ok(h.sleeps.every((ms) => ms <= 1000), 'never longer than the maximum interval');
  });

  test('at the time limit the user can keep waiting, and the limit then applies again', async () => {
    const h = harness('queued-forever', { jobTimeoutMs: 150, pollIntervalMs: { min: 20, max: 20 }, sleep: undefined });
    const asked: { jobId: string; waitedSeconds: number }[] = [];
    const started = Date.now();
    const error = await expectApiError('timeout', () =>
      h.client.generate(request(), { keepWaiting: async (job) => (asked.push(job), asked.length === 1) }),
    );
    assert.equal(asked.length, 2, 'asked once per period: kept waiting the first time, stopped the second');
    assert.ok(Date.now() - started >= 300, 'the second period was really waited');
    assert.equal(asked[0].jobId, error.jobId);
    assert.ok(h.requests().length > 3, 'polling went on while waiting');
  });

  test('cancelling while the keep-waiting question is open ends the job as cancelled', async () => {
    const h = harness('queued-forever', { jobTimeoutMs: 100, pollIntervalMs: { min: 20, max: 20 }, sleep: undefined });
    const controller = new AbortController();
    await expectApiError('cancelled', () =>
      h.client.generate(request(), {
        signal: controller.signal,
        keepWaiting: () => {
          setTimeout(() => controller.abort(), 20);
          return new Promise<boolean>(() => undefined); // the user never answers
        },
      }),
    );
  });
});

// ---- cancellation --------------------------------------------------------------------------------

describe('cancellation', () => {
  test('aborting mid-poll rejects with "cancelled" at once and sends nothing more', async () => {
    // The first two waits are short; the third is a minute: cancelling in it must not wait it out.
    let waits = 0;
    const h = harness('queued-forever', { sleep: (_ms, signal) => abortableSleep(++waits <= 2 ? 1 : 60_000, signal) });
    const controller = new AbortController();
    let abortedAt = 0;
    const pending = h.client.generate(request(), {
      signal: controller.signal,
      onStage: (stage) => {
        const polls = h.requests().length - 1;
        if (stage.stage === 'queued' && polls === 2) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    await expectApiError('cancelled', () => pending);
    assert.ok(Date.now() - abortedAt < 10_000, 'rejected without waiting out the minute');
    const sent = h.requests().length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.requests().length, sent, 'no request after cancelling');
  });

  test('aborting while a request hangs rejects with "cancelled", not "timeout"', async () => {
    const h = harness('never-answers', { requestTimeoutMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expectApiError('cancelled', () => generate(h, {}, controller.signal));
    assert.ok(Date.now() - started < 10_000, 'rejected without waiting for the request timeout');
  });
});

// ---- uploads -------------------------------------------------------------------------------------

describe('uploadImage', () => {
  test('uploads via base64_to_url and returns its link', async () => {
    const h = harness('success');
    const url = await h.client.uploadImage(TINY_PNG_DATA_URI, { onStage: (stage) => h.stages.push(stage) });
    assert.match(url, /\/uploads\/\d+\.png$/);
    assert.deepEqual(h.requests().map((recorded) => recorded.body), [{ base64_string: TINY_PNG_DATA_URI, key: API_KEY }]);
    assert.deepEqual(h.stages, [{ stage: 'uploading' }]);
    const served = Buffer.from(await (await fetch(url)).arrayBuffer());
    assert.deepEqual(served, tinyPng(), 'the link serves the uploaded bytes');
  });

  test('falls back to base64_crop (link + messege) when base64_to_url fails', async () => {
    const h = harness('upload-fallback');
    const url = await h.client.uploadImage(TINY_PNG_DATA_URI);
    assert.match(url, /\/uploads\/\d+\.png$/);
    assert.deepEqual(routesOf(h.requests()), ['POST /api/v6/base64_to_url', 'POST /api/v3/base64_crop']);
    assert.deepEqual(h.requests()[1].body, { image: TINY_PNG_DATA_URI, crop: 'false', key: API_KEY });
  });

  test('an invalid key does not fall back', async () => {
    const h = harness('invalid-key');
    await expectApiError('invalid-key', () => h.client.uploadImage(TINY_PNG_DATA_URI));
    assert.equal(h.requests().length, 1);
  });

  test('an image over the 5 MB upload limit is refused before sending', async () => {
    const h = harness('success');
    const big = `data:image/png;base64,${'A'.repeat(7 * 1024 * 1024)}`;
    const error = await expectApiError('too-large', () => h.client.uploadImage(big));
    assert.match(error.message, /at most 5 MiB/);
    assert.equal(h.requests().length, 0);
  });
});

// ---- downloads -----------------------------------------------------------------------------------

describe('downloadResult', () => {
  test('downloads the grid as a real PNG of the requested size with six distinct tiles', async () => {
    const h = harness('success');
    const result = await generate(h, { width: 320, height: 480 });
    const image = await h.client.downloadResult(result, { onStage: (stage) => h.stages.push(stage) });
    assert.equal(image.mime, 'image/png');
    assert.equal(image.sourceUrl, result.outputUrls[0]);
    const png = PNG.sync.read(Buffer.from(image.bytes));
    assert.equal(png.width, 320);
    assert.equal(png.height, 480);
    const tileCentreColours = new Set<string>();
    for (let row = 0; row < 3; row++) {
      for (let column = 0; column < 2; column++) {
        const offset = ((row * 160 + 20) * 320 + column * 160 + 20) * 4;
        tileCentreColours.add(png.data.subarray(offset, offset + 3).join(','));
      }
    }
    assert.equal(tileCentreColours.size, 6);
    const downloading = h.stages.filter((stage) => stage.stage === 'downloading');
    assert.deepEqual(downloading.at(-1), { stage: 'downloading', receivedBytes: image.bytes.length, totalBytes: image.bytes.length });
  });

  test('a link that 404s twice is retried with short backoff until it serves', async () => {
    const h = harness('link-404-twice');
    const image = await h.client.downloadResult(await generate(h));
    assert.equal(image.mime, 'image/png');
    assert.equal(h.requests().filter((recorded) => recorded.method === 'GET').length, 3);
    assert.deepEqual(h.sleeps, [1000, 2000]);
  });

  test('an HTML page instead of the image is a download error', async () => {
    const h = harness('html-instead-of-image');
    const error = await expectApiError('download', async () => h.client.downloadResult(await generate(h)));
    assert.match(error.message, /sent text\/html instead of an image/);
  });

  test('an endless body is cut off at maxDownloadBytes', async () => {
    const h = harness('endless-body', { maxDownloadBytes: 256 * 1024 });
    const result = await generate(h);
    const started = Date.now();
    const error = await expectApiError('too-large', () => h.client.downloadResult(result));
    assert.ok(Date.now() - started < 2_000);
    assert.match(error.message, /larger than the 256 KiB limit/);
  });

  test('a refused main link falls back to proxy_links sent as an object', async () => {
    const h = harness('proxy-links-object');
    const result = await generate(h);
    assert.equal(result.proxyUrls.length, 1);
    assert.match(result.proxyUrls[0], /\/proxy\/[0-9a-f-]+\.png$/);
    const image = await h.client.downloadResult(result);
    assert.equal(image.sourceUrl, result.proxyUrls[0]);
    assert.deepEqual(routesOf(h.requests()).slice(1), [
      `GET ${new URL(result.outputUrls[0]).pathname.replace(/^\/scenario\/[^/]+/, '')}`,
      `GET ${new URL(result.proxyUrls[0]).pathname.replace(/^\/scenario\/[^/]+/, '')}`,
    ]);
  });
});

// ---- the key goes nowhere else -------------------------------------------------------------------

describe('API key confidentiality', () => {
  test('every scenario on every preset, end to end: the key is in no error, log line, stage or result', async () => {
    for (const preset of ENDPOINT_PRESET_IDS) {
      for (const scenario of SCENARIO_NAMES) {
        const h = harness(scenario, { requestTimeoutMs: 300, jobTimeoutMs: 300, maxDownloadBytes: 128 * 1024, maxRateLimitRetries: 1 }, preset);
        const onStage = (stage: JobStage): void => {
          h.stages.push(stage);
        };
        try {
          const image = await h.client.imageForRequest(TINY_PNG_DATA_URI, { onStage });
          const result = await h.client.generate(request({ image, webhook: 'https://hooks.example/mv', track_id: 7 }), { onStage });
          observed.push(result);
          await h.client.downloadResult(result, { onStage });
        } catch (error) {
          assert.ok(error instanceof MultiviewApiError, `${preset} ${scenario}: ${String(error)}`);
          observed.push(error);
        }
      }
      // A request refused before sending goes through the same public-error path.
      const refused = harness('success', {}, preset);
      await expectApiError('invalid-request', () => refused.client.generate(request({ num_inference_steps: 30, webhook: `http://hooks.example/${API_KEY}` })));
      assert.deepEqual(refused.requests(), []);
    }
  });

  test('the key appears in nothing observed, in any form', () => {
    const everything = JSON.stringify(observed, (_name, value: unknown) =>
      value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value instanceof Uint8Array ? value.length : value,
    );
    assert.ok(everything.length > 10_000, 'the sweep observed a lot');
    for (const form of [API_KEY, encodeURIComponent(API_KEY), Buffer.from(API_KEY).toString('base64')]) {
      assert.ok(!everything.includes(form), `found ${form}`);
    }
  });

  test('the key was sent only in POST bodies, never in a header or a path', () => {
    for (const recorded of server.requests) {
      assert.ok(!JSON.stringify(recorded.headers).includes(API_KEY), `${recorded.method} ${recorded.path} header`);
      assert.ok(!recorded.path.includes(API_KEY), `${recorded.method} ${recorded.path} path`);
      if (recorded.method !== 'POST') assert.equal(recorded.body, undefined);
    }
  });
});
