/**
 * The pure parts of the API layer: URL derivation, redaction, and the normalisation of every response
 * shape docs/api-contract.md lists. No network.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchUrlForJob, trustedOrigins, urlForDisplay } from '../../src/api/endpoints';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import { redactDeep, redactSecret } from '../../src/api/redact';
import {
  flattenServerMessage,
  flattenTip,
  httpLinks,
  interpretBody,
  parseJsonBody,
  processingInfoOf,
  resultFromSuccess,
  retryAfterSeconds,
  sanitizeServerText,
  type AnswerHead,
} from '../../src/api/responses';

const KEY = 'k3y-Secret-Value-42';

function head(status: number, headers: Record<string, string> = {}): AnswerHead {
  return { status, statusText: '', headers, displayUrl: 'https://api.example/api/v5/multiview' };
}

function errorFrom(work: () => unknown): MultiviewApiError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof MultiviewApiError);
    return error;
  }
  return assert.fail('expected a MultiviewApiError');
}

describe('endpointsFromBaseUrls', () => {
  test('derives every URL and trims trailing slashes', () => {
    assert.deepEqual(endpointsFromBaseUrls('https://stablediffusionapi.com/', 'https://modelslab.com//'), {
      preset: 'stablediffusionapi-v5',
      multiview: {
        url: 'https://stablediffusionapi.com/api/v5/multiview',
        imageTransport: 'upload',
        fetchFallbacks: [
          { url: 'https://modelslab.com/api/v6/image_editing/fetch/{id}', body: 'key' },
          { url: 'https://stablediffusionapi.com/api/v3/fetch/{id}', body: 'key' },
        ],
      },
      backgroundRemoval: {
        url: 'https://stablediffusionapi.com/api/v5/removebg_mask',
        imageTransport: 'upload',
        fetchFallbacks: [
          { url: 'https://modelslab.com/api/v6/image_editing/fetch/{id}', body: 'key' },
          { url: 'https://stablediffusionapi.com/api/v3/fetch/{id}', body: 'key' },
        ],
      },
      imageTo3d: {
        url: 'https://modelslab.com/api/v6/3d/image_to_3d',
        imageTransport: 'upload',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v6/3d/fetch/{id}', body: 'key' }],
      },
      base64ToUrl: 'https://modelslab.com/api/v6/base64_to_url',
      base64Crop: 'https://modelslab.com/api/v3/base64_crop',
      tempFormat: 'yes-no',
      trackIdFormat: 'string-or-number',
    });
  });

  test('rejects non-http(s) base URLs with a clear error', () => {
    assert.throws(() => endpointsFromBaseUrls('ftp://example.com', 'https://modelslab.com'), /API base URL must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => endpointsFromBaseUrls('https://ok.example', 'javascript:alert(1)'), /ModelsLab base URL/);
    assert.throws(() => endpointsFromBaseUrls('', 'https://modelslab.com'), /API base URL/);
  });

  test('fills the job id into fallbacks and knows the trusted origins', () => {
    const endpoints = endpointsFromBaseUrls('https://a.example', 'https://b.example:8443');
    assert.equal(fetchUrlForJob(endpoints.multiview.fetchFallbacks[0].url, '657'), 'https://b.example:8443/api/v6/image_editing/fetch/657');
    assert.equal(fetchUrlForJob(endpoints.multiview.fetchFallbacks[1].url, '../x'), 'https://a.example/api/v3/fetch/..%2Fx');
    assert.deepEqual([...trustedOrigins(endpoints)].sort(), ['https://a.example', 'https://b.example:8443']);
  });

  test('display URLs drop credentials, query and fragment', () => {
    assert.equal(urlForDisplay('https://user:pw@h.example/p/a?key=1#x'), 'https://h.example/p/a');
  });
});

describe('redaction', () => {
  test('replaces the key raw, URL-encoded and base64-encoded', () => {
    const key = 'a+b/c=d';
    const text = `raw ${key} url ${encodeURIComponent(key)} b64 ${Buffer.from(key).toString('base64')}`;
    assert.equal(redactSecret(text, key), 'raw *** url *** b64 ***');
  });

  test('is a no-op without a key and redacts nested values and object keys', () => {
    assert.equal(redactSecret('text', undefined), 'text');
    assert.deepEqual(redactDeep({ a: [KEY, { [KEY]: `x${KEY}` }], n: 1, z: null }, KEY), { a: ['***', { '***': 'x***' }], n: 1, z: null });
  });

  test('sanitised server text has no control characters, no key, and a length cap', () => {
    assert.equal(sanitizeServerText(`bad\u0000\u202e  key ${KEY.slice(0, 5)}\u0007${KEY.slice(5)}\n`, KEY), 'bad key ***');
    const long = sanitizeServerText('x'.repeat(2_000), KEY);
    assert.equal(long.length, 500);
    assert.ok(long.endsWith('…'));
  });
});

describe('parseJsonBody', () => {
  test('an HTML page is a server error naming its title', () => {
    const error = errorFrom(() => parseJsonBody(head(502, { 'content-type': 'text/html' }), '<html><title>502 Bad Gateway</title></html>', KEY));
    assert.equal(error.kind, 'server');
    assert.equal(error.serverMessage, '502 Bad Gateway');
  });

  test('broken JSON is malformed, or server when the status is 5xx', () => {
    assert.equal(errorFrom(() => parseJsonBody(head(200), '{"status":"succ', KEY)).kind, 'malformed');
    assert.equal(errorFrom(() => parseJsonBody(head(503), '{"status":', KEY)).kind, 'server');
    assert.equal(errorFrom(() => parseJsonBody(head(200), '', KEY)).kind, 'malformed');
    assert.equal(errorFrom(() => parseJsonBody(head(200), '[1,2]', KEY)).kind, 'malformed');
  });

  test('without a JSON body the HTTP code still identifies key, credit and rate problems', () => {
    assert.equal(errorFrom(() => parseJsonBody(head(401), 'Unauthorized', KEY)).kind, 'invalid-key');
    assert.equal(errorFrom(() => parseJsonBody(head(402), '', KEY)).kind, 'no-credits');
    const rateLimited = errorFrom(() => parseJsonBody(head(429, { 'retry-after': '7' }), '<html></html>', KEY));
    assert.equal(rateLimited.kind, 'rate-limited');
    assert.equal(rateLimited.retryAfterSeconds, 7);
  });
});

describe('interpretBody', () => {
  test('body status decides over the HTTP code', () => {
    assert.equal(interpretBody(head(400), { status: 'processing' }, KEY).status, 'processing');
    assert.equal(interpretBody(head(200), { status: 'Success' }, KEY).status, 'success');
  });

  test('classifies errors by code and text', () => {
    const kindOf = (status: number, body: Record<string, unknown>): string => errorFrom(() => interpretBody(head(status), body, KEY)).kind;
    assert.equal(kindOf(200, { status: 'error', message: 'Invalid Api Key' }), 'invalid-key');
    assert.equal(kindOf(200, { status: 'error', messege: 'Rate limit exceeded' }), 'rate-limited');
    assert.equal(kindOf(402, { status: 'error', message: 'x' }), 'no-credits');
    assert.equal(kindOf(403, { status: 'error', message: 'This feature requires a premium subscription' }), 'forbidden');
    assert.equal(kindOf(200, { status: 'failed', message: 'Failed, Try Again' }), 'failed');
    assert.equal(kindOf(500, { status: 'error', message: 'Internal server error. Please try again.' }), 'server');
    assert.equal(kindOf(200, { status: 'error', message: 'Model not found' }), 'rejected');
    assert.equal(kindOf(200, { status: 'weird' }), 'malformed');
    assert.equal(kindOf(200, {}), 'malformed');
  });

  test('a failed body with id "" is named after the known job', () => {
    const error = errorFrom(() => interpretBody(head(200), { status: 'failed', id: '', message: 'Failed, Try Again' }, KEY, '657'));
    assert.equal(error.jobId, '657');
    assert.equal(error.message, 'Job 657 failed on the server: Failed, Try Again.');
  });

  test('the legacy spam-filter body defaults to a 30 s wait', () => {
    const error = errorFrom(() => interpretBody(head(200), { status: 'error', message: 'Rate limit exceeded', tips: ['wait 30 seconds'] }, KEY));
    assert.equal(error.retryAfterSeconds, 30);
    assert.equal(error.tip, 'wait 30 seconds');
  });
});

describe('messages and tips', () => {
  test('message, messege, objects, lists', () => {
    assert.equal(flattenServerMessage({ message: 'plain' }, KEY), 'plain');
    assert.equal(flattenServerMessage({ messege: 'legacy' }, KEY), 'legacy');
    assert.equal(
      flattenServerMessage({ message: { prompt: ['The prompt field is required.'], width: 'too wide' } }, KEY),
      'prompt: The prompt field is required.; width: too wide',
    );
    assert.equal(flattenServerMessage({ message: '' }, KEY), undefined);
    assert.equal(flattenServerMessage({}, KEY), undefined);
    assert.equal(flattenTip({ tips: ['one', 'two'] }, KEY), 'one two');
    assert.equal(flattenTip({ tip: `use ${KEY}` }, KEY), 'use ***');
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.UTC(2025, 0, 1);
  test('body, then Retry-After, then X-RateLimit-Reset (delta or Unix time), then 30 s; clamped', () => {
    assert.equal(retryAfterSeconds({ retry_after: 12 }, head(429, { 'retry-after': '99' }), now), 12);
    assert.equal(retryAfterSeconds({}, head(429, { 'retry-after': '9' }), now), 9);
    assert.equal(retryAfterSeconds({}, head(429, { 'retry-after': new Date(now + 20_000).toUTCString() }), now), 20);
    assert.equal(retryAfterSeconds({}, head(429, { 'x-ratelimit-reset': '15' }), now), 15);
    assert.equal(retryAfterSeconds({}, head(429, { 'x-ratelimit-reset': String(now / 1000 + 40) }), now), 40);
    assert.equal(retryAfterSeconds({}, head(429), now), 30);
    assert.equal(retryAfterSeconds({ retry_after: '0' }, head(429), now), 1);
    assert.equal(retryAfterSeconds({ retry_after: 86_400 }, head(429), now), 300);
  });
});

describe('links and results', () => {
  test('links come from strings, arrays and index maps; only http(s), never containing the key', () => {
    assert.deepEqual(httpLinks('https://a.example/x.png', KEY), ['https://a.example/x.png']);
    assert.deepEqual(httpLinks({ '0': 'https://a.example/0.png', '1': 'http://b.example/1.png' }, KEY), [
      'https://a.example/0.png',
      'http://b.example/1.png',
    ]);
    assert.deepEqual(
      httpLinks(['javascript:alert(1)', 'file:///etc/passwd', 'data:image/png;base64,AA', 42, null, `https://x.example/?k=${KEY}`], KEY),
      [],
    );
    assert.deepEqual(httpLinks('', KEY), []);
    assert.deepEqual(httpLinks(['https://a.example/x.png', 'https://a.example/x.png'], KEY), ['https://a.example/x.png']);
  });

  test('processing info: eta as float or string, fetch_result, meta redacted', () => {
    const info = processingInfoOf(
      { status: 'processing', id: 657, eta: '146.5279869184', fetch_result: 'https://h.example/api/v3/fetch/657', meta: { key: KEY } },
      KEY,
    );
    assert.deepEqual(info, {
      jobId: '657',
      fetchUrl: 'https://h.example/api/v3/fetch/657',
      etaSeconds: 146.5279869184,
      meta: { key: '***' },
    });
  });

  test('success: output, then future_links when output is empty; seed from meta (number or string)', () => {
    const result = resultFromSuccess(
      { status: 'success', id: 9, output: '', future_links: ['https://h.example/f.png'], meta: { seed: '77' }, generationTime: 3.5 },
      { requestedSeed: 1 },
      KEY,
    );
    assert.deepEqual(result, {
      jobId: '9',
      outputUrls: ['https://h.example/f.png'],
      proxyUrls: [],
      meta: { seed: '77' },
      generationTime: 3.5,
      seed: 77,
    });
  });

  test('success falls back to the known job id, meta and requested seed', () => {
    const result = resultFromSuccess(
      { status: 'success', output: ['https://h.example/a.png'] },
      { jobId: '5', meta: { outdir: 'out' }, requestedSeed: 12345 },
      KEY,
    );
    assert.equal(result.jobId, '5');
    assert.deepEqual(result.meta, { outdir: 'out' });
    assert.equal(result.seed, 12345);
  });

  test('success without a usable link is malformed', () => {
    const error = errorFrom(() => resultFromSuccess({ status: 'success', id: 3, output: ['ftp://x/y.png'], future_links: [] }, { requestedSeed: null }, KEY));
    assert.equal(error.kind, 'malformed');
    assert.equal(error.message, 'The server reported success for job 3 but sent no usable image link.');
  });
});
