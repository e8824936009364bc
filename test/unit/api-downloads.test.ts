/**
 * Downloads on a long day of real use, through the API client against the contract server: a connection that
 * drops part way is tried again on the same link a bounded number of times, then the next link, and ends in one
 * clear error, never in half a file; only http(s) addresses are fetched, also after a redirect, redirects stay
 * bounded, and the key goes to no download host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { abortableSleep } from '../../src/api/abort';
import { MultiviewClient, type MultiviewClientOptions } from '../../src/api/client';
import { downloadFirstAvailable, RESULT_IMAGE } from '../../src/api/download';
import { MultiviewApiError } from '../../src/api/errors';
import { HttpTransport } from '../../src/api/http';
import { encodeImageTo3dRequest, type ImageTo3dFields } from '../../src/api/jobRequests';
import { endpointsForPreset } from '../../src/api/presets';
import type { ApiErrorKind, JobResult, MultiviewRequest } from '../../src/api/types';
import { modelLinksFirst, resultModel } from '../../src/core/modelDownload';
import { startContractServer, type ContractServer, type RecordedRequest, type ScenarioName } from '../contract-server/server';
import { sampleRequest } from '../support/requests';

const API_KEY = 'mvk-Downloads-5Tq8Wc1Rz6YpHa';
/** Waits are recorded at their full length but last at most this long. */
const FAST_SLEEP_MS = 5;
/** Tries of one link whose connection keeps dropping: the first and two more (download.ts CUT_OFF_RETRY_DELAYS_MS). */
const TRIES_PER_LINK = 3;
/** The pause before the first try again. */
const FIRST_CUT_OFF_DELAY_MS = 1000;
/** Redirects followed at most (http.ts MAX_DOWNLOAD_REDIRECTS). */
const MAX_DOWNLOAD_REDIRECTS = 5;

const MODEL_FIELDS: ImageTo3dFields = {
  output_format: 'glb',
  resolution: 256,
  multi_image: false,
  ss_guidance_strength: 7.5,
  ss_sampling_steps: 12,
  slat_guidance_strength: 3,
  slat_sampling_steps: 12,
  mesh_simplify: 0.9,
  seed: 0,
};

let server: ContractServer;

before(async () => {
  server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
});

after(async () => {
  await server.close();
});

interface Harness {
  client: MultiviewClient;
  logs: string[];
  /** Every wait the client asked for, in ms. */
  sleeps: number[];
  /** The requests this harness caused, recorded by the server. */
  requests(): RecordedRequest[];
  /** The GETs among them (the downloads and every redirect hop), as paths without the scenario prefix. */
  gets(): string[];
}

function harness(scenario: ScenarioName, overrides: Partial<MultiviewClientOptions> = {}): Harness {
  const base = `${server.baseUrl}/scenario/${scenario}`;
  const logs: string[] = [];
  const sleeps: number[] = [];
  const firstRequest = server.requests.length;
  const client = new MultiviewClient({
    apiKey: API_KEY,
    endpoints: endpointsForPreset('stablediffusionapi-v5', { apiBaseUrl: base, modelslabBaseUrl: base }),
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
  const requests = (): RecordedRequest[] => server.requests.slice(firstRequest);
  const gets = (): string[] =>
    requests()
      .filter((recorded) => recorded.method === 'GET')
      .map((recorded) => recorded.path.replace(/^\/scenario\/[^/]+/, ''));
  return { client, logs, sleeps, requests, gets };
}

async function generate(h: Harness, overrides: Partial<MultiviewRequest> = {}): Promise<JobResult> {
  return h.client.generate(sampleRequest({ image: `${server.baseUrl}/uploads/0.png`, seed: 12345, ...overrides }));
}

async function expectApiError(kind: ApiErrorKind, work: () => Promise<unknown>): Promise<MultiviewApiError> {
  const error = await work().then(
    () => assert.fail(`expected a '${kind}' error, but the call succeeded`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof MultiviewApiError, `expected MultiviewApiError, got ${String(error)}`);
  assert.equal(error.kind, kind, `kind of: ${error.message}`);
  assert.ok(!error.message.includes(API_KEY), 'the key is not in the message');
  return error;
}

/** The same job's file served whole (the 'success' scenario acting on its link), to compare a download with. */
async function intactFile(url: string): Promise<Buffer> {
  const response = await fetch(url.replace(/\/scenario\/[^/]+\//, '/scenario/success/'));
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

function pathOf(url: string): string {
  return new URL(url).pathname.replace(/^\/scenario\/[^/]+/, '');
}

/** No GET a harness caused (downloads, redirect hops) carries the key, in its path, headers or a body. */
function assertNoKeyInDownloads(h: Harness): void {
  const gets = h.requests().filter((recorded) => recorded.method === 'GET');
  assert.ok(gets.length > 0, 'some download was attempted');
  for (const recorded of gets) {
    assert.ok(!recorded.path.includes(API_KEY), `${recorded.path}: path`);
    assert.ok(!JSON.stringify(recorded.headers).includes(API_KEY), `${recorded.path}: headers`);
    assert.equal(recorded.body, undefined, `${recorded.path}: body`);
  }
}

// ---- a download that breaks is retried, not half-saved -------------------------------------------------

describe('a download cut off part way', () => {
  test('cut once: the same link is tried again after a short pause and gives the intact grid', async () => {
    const h = harness('drop-mid-download-once');
    const result = await generate(h);
    let attempts = 0;
    const image = await h.client.downloadResult(result, {
      onDownloadAttempt: () => {
        attempts++;
        return () => undefined;
      },
    });
    const gets = h.gets();
    assert.deepEqual(gets, [pathOf(result.outputUrls[0]), pathOf(result.outputUrls[0])], 'two GETs of the output link');
    assert.equal(attempts, 2, 'each try starts over');
    assert.equal(image.sourceUrl, result.outputUrls[0]);
    assert.equal(image.mime, 'image/png');
    assert.ok(Buffer.from(image.bytes).equals(await intactFile(result.outputUrls[0])), 'the bytes are the whole file');
    assert.deepEqual(h.sleeps.slice(-1), [FIRST_CUT_OFF_DELAY_MS]);
  });

  test('cut once mid-model: the image-to-3D model is tried again and comes whole', async () => {
    const h = harness('drop-mid-download-once');
    const result = await h.client.imageTo3d(
      encodeImageTo3dRequest('https://img.example/mug.png', MODEL_FIELDS, endpointsForPreset('stablediffusionapi-v5', { apiBaseUrl: 'https://api.example', modelslabBaseUrl: 'https://modelslab.example' }).imageTo3d),
    );
    const model = await h.client.downloadFile(result, resultModel('glb'), {}, modelLinksFirst(result.outputUrls, 'glb'));
    assert.equal(model.facts.format, 'glb');
    assert.equal(h.gets().length, 2);
    assert.ok(Buffer.from(model.bytes).equals(await intactFile(model.sourceUrl)), 'the bytes are the whole model');
  });

  test('cut on every try of the output link: a bounded number of tries, then the proxy link gives the file', async () => {
    const h = harness('drop-mid-download-always');
    const result = await generate(h);
    assert.equal(result.proxyUrls.length, 1, 'the scenario lists a proxy link');
    const image = await h.client.downloadResult(result);
    assert.equal(image.sourceUrl, result.proxyUrls[0]);
    assert.deepEqual(h.gets(), [...Array<string>(TRIES_PER_LINK).fill(pathOf(result.outputUrls[0])), pathOf(result.proxyUrls[0])]);
    assert.ok(Buffer.from(image.bytes).equals(await intactFile(result.proxyUrls[0])), 'the bytes are the whole file');
  });

  test('cut everywhere: one download error that says the connection was cut and names the host, after bounded tries', async () => {
    const h = harness('drop-everywhere');
    const result = await generate(h);
    const error = await expectApiError('download', () => h.client.downloadResult(result));
    const host = new URL(server.baseUrl).host;
    assert.match(error.message, /cut off 3 times/);
    assert.match(error.message, /connection dropped before the file was complete/);
    assert.ok(error.message.includes(host), `names ${host}: ${error.message}`);
    assert.doesNotMatch(error.message, /check your internet connection/);
    assert.deepEqual(h.gets(), [
      ...Array<string>(TRIES_PER_LINK).fill(pathOf(result.outputUrls[0])),
      ...Array<string>(TRIES_PER_LINK).fill(pathOf(result.proxyUrls[0])),
    ]);
    assertNoKeyInDownloads(h);
  });

  test('cancelling during the pause before another try stops at once', async () => {
    const controller = new AbortController();
    const h = harness('drop-everywhere', {
      sleep: (ms, signal) => {
        // The person cancels while the client waits to try again.
        if (ms === FIRST_CUT_OFF_DELAY_MS) setImmediate(() => controller.abort());
        return abortableSleep(ms, signal);
      },
    });
    const result = await generate(h);
    await expectApiError('cancelled', () => h.client.downloadResult(result, { signal: controller.signal }));
    assert.equal(h.gets().length, 1, 'no other try and no other link');
  });

  test('a file too large is never tried again, on this link or another', async () => {
    const h = harness('drop-everywhere', { maxDownloadBytes: 1024 });
    const result = await generate(h);
    const error = await expectApiError('too-large', () => h.client.downloadResult(result));
    assert.match(error.message, /larger than the 1 KiB limit/);
    assert.equal(h.gets().length, 1);
  });
});

// ---- only the service's files are fetched ------------------------------------------------------------

describe('only web addresses are fetched', () => {
  test('a link that redirects to file: is refused as a non-web address, not blamed on the connection', async () => {
    const h = harness('redirect-to-file');
    const result = await generate(h);
    const error = await expectApiError('download', () => h.client.downloadFile({ ...result, proxyUrls: [] }, RESULT_IMAGE));
    assert.match(error.message, /^The service's link .* redirected to a non-web address \(file:\), so it was not followed and nothing was downloaded/);
    assert.doesNotMatch(error.message, /internet connection|ERR_FR_/);
    assert.doesNotMatch(error.message, /etc\/passwd/, 'the target itself is not shown');
    assert.equal(h.gets().length, 1);
  });

  test('with a proxy link that redirects to ftp:, both links are refused and no file is returned', async () => {
    const h = harness('redirect-to-file');
    const result = await generate(h);
    const error = await expectApiError('download', () => h.client.downloadResult(result));
    assert.match(error.message, /any of its 2 links; the last one failed: The service's link .*\/proxy\/.* redirected to a non-web address \(ftp:\)/);
    assert.deepEqual(h.gets(), [pathOf(result.outputUrls[0]), pathOf(result.proxyUrls[0])]);
    assertNoKeyInDownloads(h);
  });

  test('a redirect loop is named as one and stops at once', async () => {
    const h = harness('redirect-loop');
    const result = await generate(h);
    const error = await expectApiError('download', () => h.client.downloadFile({ ...result, proxyUrls: [] }, RESULT_IMAGE));
    assert.match(error.message, /redirects in a loop/);
    assert.doesNotMatch(error.message, /internet connection|ERR_FR_/);
    assert.deepEqual(h.gets(), [pathOf(result.outputUrls[0]), pathOf(result.outputUrls[0])], 'the link and its "?again", then stop');
    assertNoKeyInDownloads(h);
  });

  test(`redirects without end are followed at most ${MAX_DOWNLOAD_REDIRECTS} times`, async () => {
    const h = harness('redirect-chain');
    const result = await generate(h);
    const error = await expectApiError('download', () => h.client.downloadFile({ ...result, proxyUrls: [] }, RESULT_IMAGE));
    assert.match(error.message, new RegExp(`redirected more than ${MAX_DOWNLOAD_REDIRECTS} times, so it was not followed further`));
    assert.doesNotMatch(error.message, /internet connection|ERR_FR_/);
    assert.equal(h.gets().length, 1 + MAX_DOWNLOAD_REDIRECTS);
    assertNoKeyInDownloads(h);
  });

  test('result links that are not http(s) are never opened: file:, data:, ftp:, a UNC path', async () => {
    const logs: string[] = [];
    const transport = new HttpTransport({ requestTimeoutMs: 10_000, secret: API_KEY, log: (line) => logs.push(line) });
    const pause = (): Promise<void> => Promise.resolve();
    const png = await intactFile((await generate(harness('success'))).outputUrls[0]);
    const links = ['file:///etc/passwd', `data:image/png;base64,${png.toString('base64')}`, 'ftp://files.example/result.png', '\\\\fileserver\\share\\grid.png'];
    for (const link of links) {
      const error = await expectApiError('download', () => downloadFirstAvailable(transport, [link], RESULT_IMAGE, { maxBytes: 1 << 20, pause }));
      assert.match(error.message, /^A result link is not a web address .*so it was not opened/, link);
    }
    const scheme = async (link: string): Promise<string> =>
      (await expectApiError('download', () => downloadFirstAvailable(transport, [link], RESULT_IMAGE, { maxBytes: 1 << 20, pause }))).message;
    assert.match(await scheme('file:///etc/passwd'), /a file: address/);
    assert.match(await scheme('\\\\fileserver\\share\\grid.png'), /a path or an invalid address/);
    assert.deepEqual(logs, [], 'no request was made');

    // The client keeps only http(s) links of a result; with none left it says so.
    const h = harness('success');
    const error = await expectApiError('malformed', () =>
      h.client.downloadFile({ jobId: '77', outputUrls: links, proxyUrls: ['file:///C:/Windows/win.ini'], meta: {} }, RESULT_IMAGE),
    );
    assert.match(error.message, /The result of job 77 has no downloadable link/);
    assert.deepEqual(h.requests(), []);
  });
});
