import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BUILT_IN_DEFAULTS,
  parseSize,
  sanitizeParameters,
  sizePresets,
  validateGuidanceScale,
  validatePrompt,
  validateSeed,
  validateSize,
  validateSteps,
} from '../../src/core/parameters';

describe('parameter validation shown while typing', () => {
  test('steps accept 1 to 50 and name the range otherwise', () => {
    assert.equal(validateSteps('1'), undefined);
    assert.equal(validateSteps('50'), undefined);
    for (const bad of ['0', '51', '2.5', '', 'ten', '-3']) {
      assert.equal(validateSteps(bad), 'Inference steps must be a whole number from 1 to 50.', bad);
    }
  });

  test('guidance accepts decimals from 1 to 20', () => {
    assert.equal(validateGuidanceScale('7.5'), undefined);
    assert.equal(validateGuidanceScale('20'), undefined);
    assert.match(validateGuidanceScale('0.5') ?? '', /from 1 to 20/);
    assert.match(validateGuidanceScale('21') ?? '', /from 1 to 20/);
    assert.match(validateGuidanceScale('abc') ?? '', /from 1 to 20/);
  });

  test('sizes: each side 256-1024 and a multiple of 8, in several spellings', () => {
    assert.deepEqual(parseSize('640x960'), { width: 640, height: 960 });
    assert.deepEqual(parseSize(' 1024 × 1024 '), { width: 1024, height: 1024 });
    assert.deepEqual(parseSize('512,768'), { width: 512, height: 768 });
    assert.equal(parseSize('640'), undefined);
    assert.equal(validateSize('1024x1024'), undefined);
    assert.match(validateSize('2048x960') ?? '', /from 256 to 1024/);
    assert.match(validateSize('100x960') ?? '', /from 256 to 1024/);
    assert.match(validateSize('644x960') ?? '', /multiple of 8/);
    assert.match(validateSize('big') ?? '', /WIDTHxHEIGHT/);
  });

  test('every size preset passes its own validation', () => {
    for (const preset of sizePresets()) {
      assert.equal(validateSize(`${preset.width}x${preset.height}`), undefined, preset.label);
    }
    assert.deepEqual([sizePresets()[0].width, sizePresets()[0].height], [640, 960], 'the native grid comes first');
  });

  test('prompt must not be blank; seed is a 32-bit unsigned integer', () => {
    assert.match(validatePrompt('   ') ?? '', /Describe the object/);
    assert.equal(validatePrompt('a red sneaker'), undefined);
    assert.match(validatePrompt('x'.repeat(1001)) ?? '', /under 1000/);
    assert.equal(validateSeed('12345'), undefined);
    assert.match(validateSeed('-1') ?? '', /from 0 to 4294967295/);
    assert.match(validateSeed('4294967296') ?? '', /from 0 to 4294967295/);
  });
});

describe('defaults from settings and the last run', () => {
  test('valid remembered values are kept', () => {
    const remembered = { prompt: 'a chair', width: 512, height: 768, steps: 30, guidanceScale: 7.5, seed: 42, proxyLinks: true };
    assert.deepEqual(sanitizeParameters(remembered, BUILT_IN_DEFAULTS), { ...remembered, negativePrompt: '', padToSquare: true, removeBackground: false });
  });

  test('padding to a square is on by default, and a remembered "send as it is" is kept', () => {
    assert.equal(BUILT_IN_DEFAULTS.padToSquare, true);
    assert.equal(sanitizeParameters({}, BUILT_IN_DEFAULTS).padToSquare, true, 'answers remembered before the question existed: on');
    assert.equal(sanitizeParameters({ padToSquare: false }, BUILT_IN_DEFAULTS).padToSquare, false);
    assert.equal(sanitizeParameters({ padToSquare: 'no' as unknown as boolean }, BUILT_IN_DEFAULTS).padToSquare, true, 'a mistyped value falls back');
    assert.equal(sanitizeParameters({}, { ...BUILT_IN_DEFAULTS, padToSquare: false }).padToSquare, false, 'the settings default counts');
  });

  test('advanced options are carried over only when set', () => {
    const withAdvanced = sanitizeParameters({ webhook: 'https://example.com/hook', trackId: 7 }, BUILT_IN_DEFAULTS);
    assert.equal(withAdvanced.webhook, 'https://example.com/hook');
    assert.equal(withAdvanced.trackId, 7);
    const without = sanitizeParameters({ webhook: '', trackId: null as unknown as string }, BUILT_IN_DEFAULTS);
    assert.ok(!('webhook' in without) && !('trackId' in without));
  });

  test('out-of-range or mistyped values fall back to the defaults', () => {
    const hostile = { prompt: '', width: 4096, height: 961, steps: 500, guidanceScale: Number.NaN, seed: -5, proxyLinks: 'yes' as unknown as boolean };
    assert.deepEqual(sanitizeParameters(hostile, BUILT_IN_DEFAULTS), BUILT_IN_DEFAULTS);
  });
});
