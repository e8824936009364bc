/**
 * The endpoint presets as data (src/api/presets.ts), the request encoding each one implies (src/api/request.ts),
 * and the validators of the advanced options. Pure: no network.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedOrigins } from '../../src/api/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import { DEFAULT_ENDPOINT_PRESET, ENDPOINT_PRESET_IDS, parseEndpointPreset } from '../../src/api/presetIds';
import { ENDPOINT_PRESETS, EndpointConfigurationError, endpointsForPreset } from '../../src/api/presets';
import { encodeMultiviewRequest } from '../../src/api/request';
import { closestAllowedSteps, parseTrackId, validateTrackId, validateWebhookUrl } from '../../src/api/requestRules';
import type { MultiviewRequest } from '../../src/api/types';
import { sampleRequest } from '../support/requests';

const BASES = { apiBaseUrl: 'https://stablediffusionapi.com', modelslabBaseUrl: 'https://modelslab.com/', customBaseUrl: 'https://mv.internal.example:8443/proxy/' };

const REQUEST: MultiviewRequest = sampleRequest({ prompt: 'mug' });

function invalidRequest(work: () => unknown): MultiviewApiError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof MultiviewApiError, String(error));
    assert.equal(error.kind, 'invalid-request');
    return error;
  }
  return assert.fail('expected an invalid-request error');
}

describe('endpointsForPreset', () => {
  test('stablediffusionapi-v5 (the default): v5 routes on stablediffusionapi.com, uploads and 3D on ModelsLab', () => {
    assert.equal(DEFAULT_ENDPOINT_PRESET, 'stablediffusionapi-v5');
    assert.deepEqual(endpointsForPreset('stablediffusionapi-v5', BASES), {
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

  test('modelslab-v6: v6 route, inline image, boolean temp, steps 21/31/41, integer track id, v6 fetch', () => {
    assert.deepEqual(endpointsForPreset('modelslab-v6', BASES), {
      preset: 'modelslab-v6',
      multiview: {
        url: 'https://modelslab.com/api/v6/image_editing/multiview',
        imageTransport: 'inline-base64',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v6/image_editing/fetch/{id}', body: 'key' }],
      },
      backgroundRemoval: {
        url: 'https://modelslab.com/api/v6/image_editing/removebg_mask',
        imageTransport: 'inline-base64',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v6/image_editing/fetch/{id}', body: 'key' }],
      },
      imageTo3d: {
        url: 'https://modelslab.com/api/v6/3d/image_to_3d',
        imageTransport: 'upload',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v6/3d/fetch/{id}', body: 'key' }],
      },
      base64ToUrl: 'https://modelslab.com/api/v6/base64_to_url',
      base64Crop: 'https://modelslab.com/api/v3/base64_crop',
      tempFormat: 'boolean',
      allowedSteps: [21, 31, 41],
      trackIdFormat: 'integer',
    });
  });

  test('modelslab-enterprise: enterprise route, upload, boolean temp, fetch with {key, request_id}', () => {
    assert.deepEqual(endpointsForPreset('modelslab-enterprise', BASES), {
      preset: 'modelslab-enterprise',
      multiview: {
        url: 'https://modelslab.com/api/v1/enterprise/image_editing/multiview',
        imageTransport: 'upload',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v1/enterprise/fetch', body: 'key-and-request-id' }],
      },
      backgroundRemoval: {
        url: 'https://modelslab.com/api/v6/image_editing/removebg_mask',
        imageTransport: 'inline-base64',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v6/image_editing/fetch/{id}', body: 'key' }],
      },
      imageTo3d: {
        url: 'https://modelslab.com/api/v1/enterprise/3d/image_to_3d',
        imageTransport: 'upload',
        fetchFallbacks: [{ url: 'https://modelslab.com/api/v1/enterprise/3d/fetch/{id}', body: 'key' }],
      },
      base64ToUrl: 'https://modelslab.com/api/v6/base64_to_url',
      base64Crop: 'https://modelslab.com/api/v3/base64_crop',
      tempFormat: 'boolean',
      trackIdFormat: 'string-or-number',
    });
  });

  test('custom: like v5, every URL from the custom base (path prefix kept), the other bases ignored', () => {
    const endpoints = endpointsForPreset('custom', { ...BASES, apiBaseUrl: 'not a url', modelslabBaseUrl: undefined });
    const custom = 'https://mv.internal.example:8443/proxy';
    assert.deepEqual(endpoints, {
      preset: 'custom',
      multiview: {
        url: `${custom}/api/v5/multiview`,
        imageTransport: 'upload',
        fetchFallbacks: [
          { url: `${custom}/api/v6/image_editing/fetch/{id}`, body: 'key' },
          { url: `${custom}/api/v3/fetch/{id}`, body: 'key' },
        ],
      },
      backgroundRemoval: {
        url: `${custom}/api/v5/removebg_mask`,
        imageTransport: 'upload',
        fetchFallbacks: [
          { url: `${custom}/api/v6/image_editing/fetch/{id}`, body: 'key' },
          { url: `${custom}/api/v3/fetch/{id}`, body: 'key' },
        ],
      },
      imageTo3d: {
        url: `${custom}/api/v6/3d/image_to_3d`,
        imageTransport: 'upload',
        fetchFallbacks: [{ url: `${custom}/api/v6/3d/fetch/{id}`, body: 'key' }],
      },
      base64ToUrl: `${custom}/api/v6/base64_to_url`,
      base64Crop: `${custom}/api/v3/base64_crop`,
      tempFormat: 'yes-no',
      trackIdFormat: 'string-or-number',
    });
    assert.deepEqual([...trustedOrigins(endpoints)], ['https://mv.internal.example:8443'], 'the key can go to the custom host only');
  });

  test('only the bases a preset uses are required, and a bad one names its setting', () => {
    assert.doesNotThrow(() => endpointsForPreset('modelslab-v6', { modelslabBaseUrl: 'https://modelslab.com' }));
    assert.throws(() => endpointsForPreset('custom', { ...BASES, customBaseUrl: '  ' }), (error: unknown) => {
      assert.ok(error instanceof EndpointConfigurationError);
      assert.equal(error.setting, 'multiview.customBaseUrl');
      assert.match(error.message, /endpoint preset "custom" needs the custom base URL: set multiview.customBaseUrl/);
      return true;
    });
    assert.throws(() => endpointsForPreset('modelslab-enterprise', { modelslabBaseUrl: 'ftp://x' }), {
      name: 'EndpointConfigurationError',
      setting: 'multiview.uploadBaseUrl',
      message: 'The ModelsLab base URL must be an http:// or https:// URL, got "ftp://x".',
    });
    assert.throws(() => endpointsForPreset('custom', { customBaseUrl: 'https://x.example/?key=1' }), /custom base URL must be an http/);
  });

  test('unknown setting values fall back to the default preset; every preset has a label', () => {
    assert.equal(parseEndpointPreset('modelslab-v6'), 'modelslab-v6');
    assert.equal(parseEndpointPreset(' custom '), 'custom');
    for (const odd of ['v6', '', undefined, 42, 'MODELSLAB-V6']) assert.equal(parseEndpointPreset(odd), 'stablediffusionapi-v5');
    for (const id of ENDPOINT_PRESET_IDS) {
      assert.equal(ENDPOINT_PRESETS[id].id, id);
      assert.ok(ENDPOINT_PRESETS[id].label.length > 0);
    }
  });

  test('the returned endpoints are fresh copies (callers cannot change the preset data)', () => {
    const first = endpointsForPreset('modelslab-v6', BASES);
    first.allowedSteps!.push(50);
    first.multiview.fetchFallbacks[0].body = 'key-and-request-id';
    assert.deepEqual(endpointsForPreset('modelslab-v6', BASES).allowedSteps, [21, 31, 41]);
    assert.equal(endpointsForPreset('modelslab-v6', BASES).multiview.fetchFallbacks[0].body, 'key');
  });
});

describe('request encoding per preset', () => {
  const v5 = endpointsForPreset('stablediffusionapi-v5', BASES);
  const v6 = endpointsForPreset('modelslab-v6', BASES);
  const enterprise = endpointsForPreset('modelslab-enterprise', BASES);

  test('temp follows the endpoint, whichever way it was given', () => {
    for (const temp of ['yes', true] as const) {
      assert.equal(encodeMultiviewRequest({ ...REQUEST, temp }, v5).temp, 'yes');
      assert.equal(encodeMultiviewRequest({ ...REQUEST, temp }, v6).temp, true);
      assert.equal(encodeMultiviewRequest({ ...REQUEST, temp }, enterprise).temp, true);
    }
    assert.equal(encodeMultiviewRequest({ ...REQUEST, temp: 'no' }, enterprise).temp, false);
    assert.equal(encodeMultiviewRequest({ ...REQUEST, temp: false }, v5).temp, 'no');
  });

  test('an inline image gets base64: true on v6 and is refused where the image must be a URL', () => {
    const dataUri = 'data:image/png;base64,iVBORw0KGgo=';
    assert.deepEqual(encodeMultiviewRequest({ ...REQUEST, image: dataUri }, v6), { ...REQUEST, image: dataUri, temp: false, base64: true });
    assert.equal(encodeMultiviewRequest(REQUEST, v6).base64, undefined, 'a URL image needs no base64 flag');
    assert.match(invalidRequest(() => encodeMultiviewRequest({ ...REQUEST, image: dataUri }, v5)).message, /takes the image as a URL, not inline; upload it first/);
    assert.match(invalidRequest(() => encodeMultiviewRequest({ ...REQUEST, image: 'file:///etc/passwd' }, v6)).message, /must be an http\(s\) URL or a base64 image data URI/);
  });

  test('v6 refuses steps other than 21, 31, 41 with a clear message; the others accept 1-50', () => {
    const error = invalidRequest(() => encodeMultiviewRequest({ ...REQUEST, num_inference_steps: 30 }, v6));
    assert.equal(error.message, 'ModelsLab v6 accepts only 21, 31 or 41 inference steps, not 30; choose one of those.');
    for (const steps of [21, 31, 41]) assert.equal(encodeMultiviewRequest({ ...REQUEST, num_inference_steps: steps }, v6).num_inference_steps, steps);
    assert.equal(encodeMultiviewRequest({ ...REQUEST, num_inference_steps: 30 }, v5).num_inference_steps, 30);
    assert.equal(encodeMultiviewRequest({ ...REQUEST, num_inference_steps: 50 }, enterprise).num_inference_steps, 50);
  });

  test('webhook and track_id pass through, encoded for the endpoint', () => {
    const advanced = { ...REQUEST, webhook: ' https://hooks.example/mv?token=abc ', track_id: ' 1042 ' };
    assert.deepEqual(
      [encodeMultiviewRequest(advanced, v5), encodeMultiviewRequest(advanced, v6), encodeMultiviewRequest(advanced, enterprise)].map((body) => [body.webhook, body.track_id]),
      [
        ['https://hooks.example/mv?token=abc', '1042'],
        ['https://hooks.example/mv?token=abc', 1042],
        ['https://hooks.example/mv?token=abc', '1042'],
      ],
    );
    assert.equal(encodeMultiviewRequest({ ...REQUEST, track_id: 'order-7' }, v5).track_id, 'order-7');
    assert.deepEqual(encodeMultiviewRequest({ ...REQUEST, webhook: '  ', track_id: '' }, v6), { ...REQUEST, temp: false });
    assert.match(invalidRequest(() => encodeMultiviewRequest({ ...REQUEST, track_id: 'order-7' }, v6)).message, /whole number/);
    assert.match(invalidRequest(() => encodeMultiviewRequest({ ...REQUEST, webhook: 'http://hooks.example/mv' }, v5)).message, /https:\/\//);
  });
});

describe('validators for the quick input', () => {
  test('validateWebhookUrl: empty or a public https URL', () => {
    for (const good of ['', '   ', 'https://hooks.example/multiview', 'https://hooks.example:8443/a/b?token=x#f']) {
      assert.equal(validateWebhookUrl(good), undefined, good);
    }
    const cases: [string, RegExp][] = [
      ['http://hooks.example/x', /must be an https:\/\/ URL/],
      ['hooks.example/x', /full https:\/\/ URL/],
      ['https://hooks.example/a b', /spaces/],
      ['https://localhost:3000/hook', /publicly reachable; localhost/],
      ['https://192.168.1.20/hook', /publicly reachable/],
      ['https://[::1]/hook', /publicly reachable/],
      [`https://hooks.example/${'x'.repeat(3000)}`, /at most 2048 characters/],
    ];
    for (const [bad, expected] of cases) assert.match(validateWebhookUrl(bad) ?? '', expected, bad);
  });

  test('validateTrackId: an integer for v6, a short text or number elsewhere', () => {
    assert.equal(validateTrackId('', 'modelslab-v6'), undefined);
    assert.equal(validateTrackId(' 1042 ', 'modelslab-v6'), undefined);
    assert.match(validateTrackId('order-7', 'modelslab-v6') ?? '', /whole number \(for example 1042\) for the ModelsLab v6 endpoint/);
    assert.match(validateTrackId('1.5', 'modelslab-v6') ?? '', /whole number/);
    assert.match(validateTrackId('99999999999999999999', 'modelslab-v6') ?? '', /whole number/);
    for (const preset of ['stablediffusionapi-v5', 'modelslab-enterprise', 'custom'] as const) {
      assert.equal(validateTrackId('order-7', preset), undefined);
      assert.equal(validateTrackId('1042', preset), undefined);
      assert.match(validateTrackId('x'.repeat(200), preset) ?? '', /at most 128 characters/);
      assert.match(validateTrackId('a\u0007b', preset) ?? '', /control characters/);
    }
    assert.equal(parseTrackId(' 1042 ', 'modelslab-v6'), 1042);
    assert.equal(parseTrackId(' 1042 ', 'stablediffusionapi-v5'), '1042');
    assert.equal(parseTrackId('', 'custom'), undefined);
    assert.equal(parseTrackId('order-7', 'modelslab-v6'), undefined);
  });

  test('closestAllowedSteps for the steps picker (which offers only the allowed values)', () => {
    assert.equal(closestAllowedSteps(50, 'modelslab-v6'), 41);
    assert.equal(closestAllowedSteps(26, 'modelslab-v6'), 31, 'ties go to the larger');
    assert.equal(closestAllowedSteps(1, 'modelslab-v6'), 21);
    assert.equal(closestAllowedSteps(50, 'modelslab-enterprise'), 50);
  });
});
