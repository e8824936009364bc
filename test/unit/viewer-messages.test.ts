/**
 * The host/viewer message guards and the viewer's texts (src/shared/viewerMessages.ts): no browser needed. Kept
 * beside the browser tests because they are the viewer's; they run in plain Node.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_VIEWER_TEXTS,
  fillTemplate,
  isFromViewerMessage,
  isToViewerMessage,
  MAX_MODEL_NAME_LENGTH,
  parseViewerTexts,
  VIEWER_ERROR_REASONS,
} from '../../src/shared/viewerMessages';

describe('host → viewer: isToViewerMessage', () => {
  const bytes = new Uint8Array([1, 2, 3]);

  test('a load with bytes (Uint8Array or ArrayBuffer) or with a URI', () => {
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a.glb', bytes }), true);
    assert.equal(isToViewerMessage({ type: 'load', format: 'stl', name: 'a.stl', bytes: bytes.buffer }), true);
    assert.equal(isToViewerMessage({ type: 'load', format: 'gltf', name: 'a.gltf', uri: 'https://file+.vscode-resource.vscode-cdn.net/a.gltf', baseUri: 'https://file+.vscode-resource.vscode-cdn.net/' }), true);
  });

  test('refused: both or neither of bytes and uri, unknown format, bad name, a base URI that is not a folder', () => {
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a.glb', bytes, uri: 'x' }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a.glb' }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'fbx', name: 'a.fbx', bytes }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: '', bytes }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a'.repeat(MAX_MODEL_NAME_LENGTH + 1), bytes }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a.glb', bytes, baseUri: 'https://x/folder' }), false);
    assert.equal(isToViewerMessage({ type: 'load', format: 'glb', name: 'a.glb', bytes: [1, 2, 3] }), false);
    assert.equal(isToViewerMessage({ type: 'exportFinished' }), false);
    assert.equal(isToViewerMessage(null), false);
  });
});

describe('viewer → host: isFromViewerMessage', () => {
  test('ready, loaded and error', () => {
    assert.equal(isFromViewerMessage({ type: 'ready' }), true);
    assert.equal(isFromViewerMessage({ type: 'loaded', format: 'glb', triangles: 4160, vertices: 2211, size: { x: 1, y: 1.2, z: 1 } }), true);
    for (const reason of VIEWER_ERROR_REASONS) {
      assert.equal(isFromViewerMessage({ type: 'error', reason, detail: 'why' }), true, reason);
    }
  });

  test('refused: counts that are not counts, sizes that are not sizes, unknown reasons, long details', () => {
    const loaded = { type: 'loaded', format: 'glb', triangles: 1, vertices: 3, size: { x: 1, y: 1, z: 1 } };
    assert.equal(isFromViewerMessage({ ...loaded, triangles: -1 }), false);
    assert.equal(isFromViewerMessage({ ...loaded, vertices: 1.5 }), false);
    assert.equal(isFromViewerMessage({ ...loaded, size: { x: 1, y: Number.NaN, z: 1 } }), false);
    assert.equal(isFromViewerMessage({ ...loaded, size: { x: 1, y: 1 } }), false);
    assert.equal(isFromViewerMessage({ ...loaded, format: 'fbx' }), false);
    assert.equal(isFromViewerMessage({ type: 'error', reason: 'on-fire' }), false);
    assert.equal(isFromViewerMessage({ type: 'error', reason: 'not-a-model', detail: 'x'.repeat(501) }), false);
    assert.equal(isFromViewerMessage({ type: 'open', file: 'grid' }), false);
  });
});

describe('texts', () => {
  test('data-texts entries replace the English ones; missing, empty or non-string entries fall back', () => {
    const texts = parseViewerTexts(JSON.stringify({ resetView: 'Ansicht zurücksetzen', autoRotate: '', zUp: 3, unknown: 'x' }));
    assert.equal(texts.resetView, 'Ansicht zurücksetzen');
    assert.equal(texts.autoRotate, DEFAULT_VIEWER_TEXTS.autoRotate);
    assert.equal(texts.zUp, DEFAULT_VIEWER_TEXTS.zUp);
    assert.equal('unknown' in texts, false);
  });

  test('no or broken data-texts: all English', () => {
    assert.deepEqual(parseViewerTexts(undefined), DEFAULT_VIEWER_TEXTS);
    assert.deepEqual(parseViewerTexts('{not json'), DEFAULT_VIEWER_TEXTS);
    assert.deepEqual(parseViewerTexts('[1,2]'), DEFAULT_VIEWER_TEXTS);
  });

  test('templates are filled like l10n.t fills them; a missing value leaves its placeholder', () => {
    assert.equal(fillTemplate('{0} × {1} · {0}', 'a', 'b'), 'a × b · a');
    assert.equal(fillTemplate('{0} and {2}', 'a'), 'a and {2}');
  });
});
