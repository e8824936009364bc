/** The result panel's message and state guards (src/shared/messages.ts): what the webview may send, and keep. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  clampFramesPerSecond,
  DEFAULT_FRAMES_PER_SECOND,
  isFromPanelMessage,
  isToPanelMessage,
  MAX_FRAMES_PER_SECOND,
  MIN_FRAMES_PER_SECOND,
  parsePanelState,
} from '../../src/shared/messages';

describe('panel messages and state', () => {
  test('isFromPanelMessage accepts the panel’s messages and nothing else', () => {
    assert.ok(isFromPanelMessage({ type: 'reveal' }));
    assert.ok(isFromPanelMessage({ type: 'open', file: 'grid' }));
    assert.ok(isFromPanelMessage({ type: 'open', file: 'sidecar' }));
    assert.ok(isFromPanelMessage({ type: 'open', file: 'model' }));
    assert.ok(isFromPanelMessage({ type: 'makeModel' }));
    assert.ok(isFromPanelMessage({ type: 'export', kind: 'turntable', framesPerSecond: 4 }));
    assert.ok(isFromPanelMessage({ type: 'export', kind: 'transparent-views', framesPerSecond: 4 }));
    assert.ok(isFromPanelMessage({ type: 'export', kind: 'turntable', framesPerSecond: 1000 }), 'out of range is accepted, then clamped');
    for (const bad of [
      null,
      'reveal',
      [],
      { type: 'open', file: '../../etc/passwd' },
      { type: 'export', kind: 'turntable' },
      { type: 'export', kind: 'turntable', framesPerSecond: '5' },
      { type: 'export', kind: 'turntable', framesPerSecond: Number.NaN },
      { type: 'export', kind: 'turntable', framesPerSecond: Number.POSITIVE_INFINITY },
      { type: 'export', kind: 'model', framesPerSecond: 4 },
      { type: 'export', framesPerSecond: 4 },
      { type: 'delete' },
    ]) {
      assert.equal(isFromPanelMessage(bad), false, JSON.stringify(bad));
    }
    assert.ok(isToPanelMessage({ type: 'exportFinished', kind: 'turntable' }));
    assert.equal(isToPanelMessage({ type: 'exportFinished' }), false);
    assert.equal(isToPanelMessage({ type: 'other' }), false);
  });

  test('clampFramesPerSecond keeps the speed in range, whole, and defaults what is not a number', () => {
    assert.equal(clampFramesPerSecond(0), MIN_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(-3), MIN_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(1000), MAX_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond(4.6), 5);
    assert.equal(clampFramesPerSecond(Number.NaN), DEFAULT_FRAMES_PER_SECOND);
    assert.equal(clampFramesPerSecond('7'), DEFAULT_FRAMES_PER_SECOND);
  });

  test('parsePanelState: an absolute .json path and a clamped speed, or nothing', () => {
    assert.deepEqual(parsePanelState({ sidecarPath: '/ws/out/mug-multiview-1.json', framesPerSecond: 99 }), {
      sidecarPath: '/ws/out/mug-multiview-1.json',
      framesPerSecond: MAX_FRAMES_PER_SECOND,
    });
    assert.deepEqual(parsePanelState({ sidecarPath: 'C:\\ws\\mug-multiview-1.json' }), {
      sidecarPath: 'C:\\ws\\mug-multiview-1.json',
      framesPerSecond: DEFAULT_FRAMES_PER_SECOND,
    });
    for (const bad of [undefined, null, {}, { sidecarPath: 'relative/mug.json' }, { sidecarPath: '/ws/mug.png' }, { sidecarPath: 42 }]) {
      assert.equal(parsePanelState(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('bundles', () => {
  const meta = path.join(__dirname, '..', '..', '..', 'dist', 'meta.json');
  test('the codecs (GIF, PNG, JPEG, WebP) are in the image worker only, never in what the extension host loads', { skip: !fs.existsSync(meta) && 'dist/ not built (npm run bundle)' }, () => {
    const outputs = (JSON.parse(fs.readFileSync(meta, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;
    const inputsOf = (name: string) => Object.keys(outputs[name]?.inputs ?? {});
    const codecs = /node_modules\/(gifenc|pngjs|jpeg-js|@jsquash|@cwasm)\/|src\/image\/(codecs|ops|decode|raster)/;
    assert.ok(inputsOf('dist/imageWorker.js').some((input) => /gifenc/.test(input)), 'gifenc is in dist/imageWorker.js');
    for (const hostBundle of ['dist/extension.js', 'dist/main.js']) {
      assert.deepEqual(inputsOf(hostBundle).filter((input) => codecs.test(input)), [], `no codec in ${hostBundle}`);
    }
  });
});
