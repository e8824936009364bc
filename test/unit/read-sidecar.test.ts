/**
 * Reading a sidecar back: a sidecar is a file in the workspace that anyone may have edited (or committed from
 * elsewhere), so hostile ones must be refused or have every file name reduced to a name beside the sidecar.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { fromSidecar } from '../../src/core/parameterMapping';
import { bareFileName, MAX_SIDECAR_BYTES, parseSidecar, readSavedResult, savedResultFromText, SidecarReadError } from '../../src/core/readSidecar';

const WORKSPACE = '/home/ada/project';
const SIDECAR = '/home/ada/project/assets/multiview/mug-multiview-657.json';
const OUT = path.dirname(SIDECAR);

/** A sidecar as the extension writes it (buildSidecar), trimmed to what matters here. */
function goodSidecar(): Record<string, unknown> {
  return {
    schema: 'multiview-sidecar/1',
    createdBy: 'Multiview for VS Code 0.1.0',
    sourceImage: 'assets/mug.png',
    grid: 'mug-multiview-657.png',
    jobId: '657',
    seed: 4242,
    endpointPreset: 'modelslab-v6',
    parameters: { prompt: 'a mug', negative_prompt: 'blurry', width: 640, height: 960, num_inference_steps: 20, guidance_scale: 5, seed: 4242, temp: false, webhook: null, track_id: null },
    upload: { transport: 'upload', width: 96, height: 128, bytes: 1234 },
    output: { downloadedFrom: 'https://example.test/a.png', outputUrls: ['https://example.test/a.png'], proxyUrls: [] },
    serverGenerationSeconds: 3.5,
    timings: { startedAt: '2025-01-02T03:04:00.000Z', finishedAt: '2025-01-02T03:04:05.000Z', uploadMs: 1, generationMs: 2, downloadMs: 3, totalMs: 5000 },
    meta: { seed: 4242 },
    cameraLayout: 'zero123plus-v1.2',
    gridSize: { width: 640, height: 960 },
    views: [30, 90, 150, 210, 270, 330].map((azimuth, index) => ({
      index,
      row: Math.floor(index / 2),
      column: index % 2,
      azimuthDegrees: azimuth,
      elevationDegrees: index % 2 ? -10 : 20,
      file: `mug-multiview-657-view-az${String(azimuth).padStart(3, '0')}-el${index % 2 ? '-10' : '+20'}.png`,
      rect: { x: 0, y: 0, width: 320, height: 320 },
    })),
    viewsSkipped: null,
  };
}

const read = (json: unknown) => savedResultFromText(JSON.stringify(json), SIDECAR, WORKSPACE);
const refused = (json: unknown) => assert.throws(() => read(json), SidecarReadError);

describe('a sidecar as written', () => {
  test('reads back with absolute paths beside the sidecar and the finish time', () => {
    const result = read(goodSidecar());
    assert.equal(result.gridPath, path.join(OUT, 'mug-multiview-657.png'));
    assert.equal(result.viewPaths.length, 6);
    assert.equal(result.viewPaths[0], path.join(OUT, 'mug-multiview-657-view-az030-el+20.png'));
    assert.equal(result.sourceImagePath, '/home/ada/project/assets/mug.png');
    assert.equal(result.finishedAtMs, Date.UTC(2025, 0, 2, 3, 4, 5));
    assert.equal(result.sidecar.endpointPreset, 'modelslab-v6');
    assert.deepEqual(result.sidecar.gridSize, { width: 640, height: 960 });
  });

  test('its parameters are the ones to generate again with', () => {
    assert.deepEqual(fromSidecar(read(goodSidecar()).sidecar), {
      prompt: 'a mug',
      negativePrompt: 'blurry',
      width: 640,
      height: 960,
      steps: 20,
      guidanceScale: 5,
      seed: 4242,
      proxyLinks: false,
      padToSquare: true, // a sidecar from before the choice was offered: the default
      removeBackground: false, // no cut-out was made for it
    });
  });

  test('the recorded padding choice is re-used; a malformed record is ignored', () => {
    const json = goodSidecar();
    json.inputPreparation = { requested: false, padded: false, note: 'Sent as it is: the user chose so.' };
    assert.equal(fromSidecar(read(json).sidecar).padToSquare, false);
    json.inputPreparation = { requested: 'no' };
    const sidecar = read(json).sidecar;
    assert.equal(sidecar.inputPreparation, null);
    assert.equal(fromSidecar(sidecar).padToSquare, true);
  });
});

describe('hostile sidecars', () => {
  test('file names with ../ or absolute paths are reduced to names beside the sidecar', () => {
    const json = goodSidecar();
    json.grid = '../../../../etc/passwd';
    (json.views as Record<string, unknown>[])[0].file = '/home/ada/.ssh/id_rsa';
    (json.views as Record<string, unknown>[])[1].file = '..\\..\\Windows\\win.ini';
    const result = read(json);
    assert.equal(result.gridPath, path.join(OUT, 'passwd'));
    assert.equal(result.viewPaths[0], path.join(OUT, 'id_rsa'));
    assert.equal(result.viewPaths[1], path.join(OUT, 'win.ini'));
    for (const file of [result.gridPath, ...result.viewPaths]) assert.equal(path.dirname(file), OUT, file);
  });

  test('a grid name that names no file (., .., /, empty, control characters) refuses the sidecar', () => {
    for (const grid of ['..', '.', '/', 'a/..', 'x/', '', 'mug\u0000.png', 42, null]) {
      const json = goodSidecar();
      json.grid = grid;
      refused(json);
    }
  });

  test('a view whose file names no file is dropped, the others kept', () => {
    const json = goodSidecar();
    (json.views as Record<string, unknown>[])[2].file = '..';
    (json.views as Record<string, unknown>[])[3].file = 7;
    const result = read(json);
    assert.equal(result.viewPaths.length, 4);
    assert.ok(result.viewPaths.every((file) => path.dirname(file) === OUT && path.basename(file) !== '..'));
  });

  test('more than six views: only the first six are read', () => {
    const json = goodSidecar();
    const views = json.views as Record<string, unknown>[];
    json.views = [...views, ...views, ...views];
    assert.equal(read(json).viewPaths.length, 6);
  });

  test('a source image outside the workspace is kept to its file name inside it', () => {
    for (const [sourceImage, expected] of [
      ['../../../etc/shadow', '/home/ada/project/shadow'],
      ['/etc/shadow', '/home/ada/project/shadow'],
      ['photos/../../outside.png', '/home/ada/project/outside.png'],
      ['..foo.png', '/home/ada/project/..foo.png'],
      ['photos/shoe.jpg', '/home/ada/project/photos/shoe.jpg'],
    ]) {
      const json = goodSidecar();
      json.sourceImage = sourceImage;
      assert.equal(read(json).sourceImagePath, expected, sourceImage);
    }
    for (const sourceImage of ['.', '..', '/', '']) {
      const json = goodSidecar();
      json.sourceImage = sourceImage;
      refused(json);
    }
  });

  test('wrong types are refused where a field is required and defaulted elsewhere', () => {
    for (const [field, value] of [
      ['schema', 'multiview-sidecar/2'],
      ['parameters', 'a mug'],
      ['parameters', null],
      ['sourceImage', ['mug.png']],
      ['jobId', 657],
      ['jobId', 'x'.repeat(201)],
    ] as const) {
      const json = goodSidecar();
      json[field] = value;
      refused(json);
    }
    const json = goodSidecar();
    Object.assign(json, {
      seed: '4242',
      endpointPreset: 'v5',
      timings: 'soon',
      views: 'all of them',
      gridSize: { width: '640' },
      viewsSkipped: { reason: 'because', message: 1 },
      cameraLayout: { evil: true },
      upload: { transport: 'carrier-pigeon', width: 'wide' },
      meta: ['not', 'a', 'record'],
    });
    json.parameters = { prompt: 42, width: 'wide', num_inference_steps: Infinity, seed: 1.5, temp: 'maybe', track_id: {} };
    const { sidecar, finishedAtMs, viewPaths } = read(json);
    assert.equal(sidecar.seed, null);
    assert.equal(sidecar.endpointPreset, 'stablediffusionapi-v5');
    assert.equal(finishedAtMs, 0);
    assert.deepEqual(viewPaths, []);
    assert.equal(sidecar.gridSize, null);
    assert.equal(sidecar.viewsSkipped, null);
    assert.equal(sidecar.cameraLayout, 'zero123plus-v1.2');
    assert.deepEqual(sidecar.upload, { width: 0, height: 0, bytes: 0 });
    assert.deepEqual(sidecar.meta, {});
    assert.deepEqual(sidecar.parameters, { prompt: '', negative_prompt: '', width: 640, height: 960, num_inference_steps: 50, guidance_scale: 4, seed: null, temp: 'no', webhook: null, track_id: null });
  });

  test('fields the extension does not write are dropped, not carried along', () => {
    const json = { ...goodSidecar(), __proto__: { polluted: true }, extra: 'x', gridPath: '/etc/passwd' };
    const sidecar = parseSidecar(JSON.parse(JSON.stringify(json)));
    assert.ok(sidecar);
    assert.ok(!('extra' in sidecar) && !('gridPath' in sidecar));
  });

  test('parameters out of range are brought back inside the limits before generating again', () => {
    const json = goodSidecar();
    json.parameters = { prompt: 'p'.repeat(5000), negative_prompt: '', width: 100000, height: -8, num_inference_steps: 999, guidance_scale: 0, seed: -1, temp: 'yes', track_id: 'abc' };
    const parameters = fromSidecar(read(json).sidecar);
    assert.equal(parameters.prompt, BUILT_IN_DEFAULTS.prompt);
    assert.equal(parameters.width, BUILT_IN_DEFAULTS.width);
    assert.equal(parameters.height, BUILT_IN_DEFAULTS.height);
    assert.equal(parameters.steps, BUILT_IN_DEFAULTS.steps);
    assert.equal(parameters.guidanceScale, BUILT_IN_DEFAULTS.guidanceScale);
    assert.equal(parameters.seed, undefined, 'an invalid seed becomes a random one');
    assert.equal(parameters.proxyLinks, true);
    assert.equal(parameters.trackId, 'abc');
  });

  test('other JSON is refused: another tool’s file, arrays, scalars, invalid JSON', () => {
    for (const text of ['{"name":"mug-multiview-config","version":1}', '[]', '"multiview-sidecar/1"', 'null', '42', '{"schema":"multiview-sidecar/1"', '']) {
      assert.throws(() => savedResultFromText(text, SIDECAR, WORKSPACE), SidecarReadError, text);
    }
  });

  test('bareFileName keeps the last segment of either separator and refuses what names no file', () => {
    assert.equal(bareFileName('a/b/c.png'), 'c.png');
    assert.equal(bareFileName('a\\b\\c.png'), 'c.png');
    assert.equal(bareFileName('c.png'), 'c.png');
    for (const name of ['', '.', '..', 'a/', 'a\\..', 'x\ny']) assert.equal(bareFileName(name), undefined, JSON.stringify(name));
  });
});

describe('reading from disk', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-sidecar-'));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('a sidecar on disk reads back', async () => {
    const file = path.join(root, 'mug-multiview-657.json');
    await fs.writeFile(file, JSON.stringify(goodSidecar(), null, 2));
    const result = await readSavedResult(file, root);
    assert.equal(result.gridPath, path.join(root, 'mug-multiview-657.png'));
    assert.equal(result.sidecarPath, file);
  });

  test('a huge file is refused without being read whole', async () => {
    const file = path.join(root, 'huge-multiview-1.json');
    const json = goodSidecar();
    json.meta = { padding: 'x'.repeat(MAX_SIDECAR_BYTES) };
    await fs.writeFile(file, JSON.stringify(json));
    await assert.rejects(readSavedResult(file, root), SidecarReadError);
  });

  test('a folder named like a sidecar is refused', async () => {
    const folder = path.join(root, 'dir-multiview-2.json');
    await fs.mkdir(folder);
    await assert.rejects(readSavedResult(folder, root), SidecarReadError);
  });

  test('a missing file rejects (the caller skips it)', async () => {
    await assert.rejects(readSavedResult(path.join(root, 'gone-multiview-3.json'), root));
  });
});
