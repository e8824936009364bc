/**
 * The language-model tools' contract with an agent (src/core/agentTools.ts): the schemas VS Code shows it are the
 * ones checked here, what it sends is checked like the quick input checks a person, and what it gets back names
 * every saved file, each view's pose, the seed and the time.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  checkGenerateInput,
  checkListResultsInput,
  checkMakeModelInput,
  describeGenerated,
  describeModel,
  describeResults,
  GENERATE_INPUT_SCHEMA,
  LIST_RESULTS_INPUT_SCHEMA,
  MAKE_MODEL_INPUT_SCHEMA,
  TOOL_NAMES,
} from '../../src/core/agentTools';
import type { SavedResult } from '../../src/core/readSidecar';
import type { Sidecar } from '../../src/core/sidecarSchema';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { languageModelTools: { name: string; toolReferenceName?: string; canBeReferencedInPrompt?: boolean; displayName: string; modelDescription: string; inputSchema: unknown }[] };
};
const WS = path.join(path.sep, 'ws');

describe('the tools as package.json declares them', () => {
  const tools = new Map(manifest.contributes.languageModelTools.map((tool) => [tool.name, tool]));

  test('their input schemas are the ones the tools check against', () => {
    assert.deepEqual(tools.get(TOOL_NAMES.generate)?.inputSchema, JSON.parse(JSON.stringify(GENERATE_INPUT_SCHEMA)));
    assert.deepEqual(tools.get(TOOL_NAMES.makeModel)?.inputSchema, JSON.parse(JSON.stringify(MAKE_MODEL_INPUT_SCHEMA)));
    assert.deepEqual(tools.get(TOOL_NAMES.listResults)?.inputSchema, JSON.parse(JSON.stringify(LIST_RESULTS_INPUT_SCHEMA)));
  });

  test('each can be named in a prompt (#multiview), says what it costs, and has what VS Code requires', () => {
    assert.equal(tools.get(TOOL_NAMES.generate)?.toolReferenceName, 'multiview');
    for (const tool of tools.values()) {
      assert.match(tool.name, /^[\w-]+$/, 'VS Code drops a tool whose name has other characters');
      assert.ok(!/^(copilot|vscode)_/.test(tool.name), 'reserved prefixes');
      assert.ok(tool.displayName && tool.modelDescription, `${tool.name}: displayName and modelDescription are required`);
      assert.equal(tool.canBeReferencedInPrompt, true);
      assert.ok(tool.toolReferenceName, `${tool.name}: a reference name goes with canBeReferencedInPrompt`);
    }
    assert.match(tools.get(TOOL_NAMES.generate)!.modelDescription, /spends credits/);
    assert.match(tools.get(TOOL_NAMES.makeModel)!.modelDescription, /spends credits/);
    assert.match(tools.get(TOOL_NAMES.listResults)!.modelDescription, /free/);
  });

  test('the schema ranges are the quick input’s', () => {
    const properties = GENERATE_INPUT_SCHEMA.properties;
    assert.deepEqual([properties.width.minimum, properties.width.maximum, properties.width.multipleOf], [256, 1024, 8]);
    assert.deepEqual([properties.steps.minimum, properties.steps.maximum], [1, 50]);
    assert.deepEqual([properties.guidanceScale.minimum, properties.guidanceScale.maximum], [1, 20]);
    assert.deepEqual(GENERATE_INPUT_SCHEMA.required, ['image']);
  });
});

describe('what an agent sends', () => {
  test('the image alone is enough; the rest comes from the user’s own defaults', () => {
    assert.deepEqual(checkGenerateInput({ image: ' assets/sword.png ' }), { ok: true, value: { image: 'assets/sword.png', parameters: {} } });
  });

  test('the values it sets are kept when the quick input would accept them', () => {
    const checked = checkGenerateInput({ image: 'a.png', prompt: 'a sword', width: 512, height: 768, steps: 30, guidanceScale: 7.5, seed: 42, padToSquare: false, removeBackground: true });
    assert.deepEqual(checked, {
      ok: true,
      value: { image: 'a.png', parameters: { prompt: 'a sword', width: 512, height: 768, steps: 30, guidanceScale: 7.5, seed: 42, padToSquare: false, removeBackground: true } },
    });
  });

  test('values the quick input would refuse are refused with the same words, so the agent can correct them', () => {
    const checked = checkGenerateInput({ image: 'a.png', steps: 80, width: 1001, guidanceScale: 'high', seed: -1 });
    assert.equal(checked.ok, false);
    const problem = checked.ok ? '' : checked.problem;
    assert.match(problem, /Inference steps must be a whole number from 1 to 50/);
    assert.match(problem, /multiple of 8/);
    assert.match(problem, /guidanceScale/);
    assert.match(problem, /seed must be a whole number/);
  });

  test('no image, or not a text: one sentence saying what to give', () => {
    for (const input of [undefined, {}, { image: '' }, { image: 42 }, 'assets/a.png']) {
      const checked = checkGenerateInput(input);
      assert.equal(checked.ok, false, JSON.stringify(input));
      assert.match(checked.ok ? '' : checked.problem, /"image"/);
    }
  });

  test('a 3D model needs a result or an image; its format and resolution are the service’s', () => {
    assert.equal(checkMakeModelInput({}).ok, false);
    assert.deepEqual(checkMakeModelInput({ image: 'a.png', format: 'stl', resolution: 512, seed: 7 }), {
      ok: true,
      value: { result: undefined, image: 'a.png', parameters: { format: 'stl', resolution: 512, seed: 7 } },
    });
    const wrong = checkMakeModelInput({ result: 'x.json', format: 'fbx', resolution: 1024 });
    assert.match(wrong.ok ? '' : wrong.problem, /glb, obj, stl, ply.*256 or 512/);
  });

  test('listing takes an optional image', () => {
    assert.deepEqual(checkListResultsInput(undefined), { ok: true, value: { image: undefined } });
    assert.deepEqual(checkListResultsInput({ image: 'a.png' }), { ok: true, value: { image: 'a.png' } });
  });
});

function savedResult(overrides: Partial<Sidecar> = {}, finishedAtMs = Date.UTC(2026, 11, 1, 9, 30)): SavedResult {
  const folder = path.join(WS, 'assets', 'multiview');
  const views = [30, 90, 150, 210, 270, 330].map((azimuthDegrees, index) => ({
    index,
    row: Math.floor(index / 2),
    column: index % 2,
    azimuthDegrees,
    elevationDegrees: index % 2 ? -10 : 20,
    file: `sword-multiview-657-view-az${String(azimuthDegrees).padStart(3, '0')}-el${index % 2 ? '-10' : '+20'}.png`,
    rect: { x: 0, y: 0, width: 320, height: 320 },
  }));
  const sidecar = {
    schema: 'multiview-sidecar/1',
    createdBy: 'test',
    sourceImage: 'assets/sword.png',
    grid: 'sword-multiview-657.png',
    jobId: '657',
    seed: 12345,
    endpointPreset: 'stablediffusionapi-v5',
    parameters: { prompt: 'a sword', negative_prompt: '', width: 640, height: 960, num_inference_steps: 50, guidance_scale: 4, seed: null, temp: 'no', webhook: null, track_id: null },
    upload: { width: 1024, height: 1024, bytes: 100_000 },
    inputPreparation: null,
    output: { downloadedFrom: '', outputUrls: [], proxyUrls: [] },
    serverGenerationSeconds: 13.1,
    timings: { startedAt: '', finishedAt: '', uploadMs: 0, generationMs: 0, downloadMs: 0, totalMs: 21_400 },
    meta: {},
    cameraLayout: 'zero123plus-v1.2',
    gridSize: { width: 640, height: 960 },
    views,
    viewsSkipped: null,
    subject: null,
    models: [],
    exports: [],
    ...overrides,
  } satisfies Sidecar;
  return {
    sidecarPath: path.join(folder, 'sword-multiview-657.json'),
    sidecar,
    gridPath: path.join(folder, 'sword-multiview-657.png'),
    viewPaths: views.map((view) => path.join(folder, view.file)),
    sourceImagePath: path.join(WS, 'assets', 'sword.png'),
    finishedAtMs,
  };
}

describe('what an agent is told', () => {
  test('after a generation: every saved file relative to the workspace, each view with its pose, the seed and the time', () => {
    const told = describeGenerated(savedResult(), WS);
    assert.match(told, /^Saved the six views of assets\/sword\.png \(job 657\)\./);
    assert.match(told, /Grid \(3 rows x 2 columns\): assets\/multiview\/sword-multiview-657\.png/);
    assert.equal((told.match(/View at azimuth \d+°, elevation [+-]\d+°: assets\/multiview\/sword-multiview-657-view-az\d{3}-el[+-]\d+\.png/g) ?? []).length, 6);
    assert.match(told, /View at azimuth 90°, elevation -10°: assets\/multiview\/sword-multiview-657-view-az090-el-10\.png/);
    assert.match(told, /Sidecar \(every parameter, for repeating it\): assets\/multiview\/sword-multiview-657\.json/);
    assert.match(told, /Seed: 12345\./);
    assert.match(told, /Generation time: 13\.1 s on the server, 21\.4 s in all\./);
    assert.ok(!told.includes(WS + path.sep), 'no absolute paths');
  });

  test('when the views were not saved separately, it says why', () => {
    const told = describeGenerated(savedResult({ views: [], viewsSkipped: { reason: 'disabled', message: 'Saving the views separately is turned off.' } }), WS);
    assert.match(told, /The views were not saved separately: Saving the views separately is turned off\./);
  });

  test('the listing: newest first, each with its sidecar to refer to', () => {
    const older = savedResult({ jobId: '600', seed: 1 }, Date.UTC(2026, 10, 1));
    const newer = savedResult({ jobId: '657' });
    const told = describeResults([older, newer], WS);
    assert.ok(told.indexOf('job 657') < told.indexOf('job 600'), 'newest first');
    assert.match(told, /sidecar: assets\/multiview\/sword-multiview-657\.json/);
    assert.match(told, /prompt "a sword", 640 x 960, 50 steps, guidance 4/);
    assert.equal(describeResults([], WS), 'No Multiview results found.');
  });

  test('after a 3D model: its file relative to the workspace, what it holds, what it came from, the seed; the listing names it too', () => {
    const model = {
      file: 'sword-multiview-657-3d.glb',
      format: 'glb',
      jobId: '3d-77',
      parameters: { output_format: 'glb' },
      input: 'subject',
      triangles: 1024,
      vertices: 530,
      bytes: 48_000,
      seed: 99,
      serverGenerationSeconds: 140.5,
      finishedAt: '2026-12-01T10:00:00.000Z',
    } satisfies Sidecar['models'][number];
    const result = savedResult({ models: [model] });
    const told = describeModel(model, result, WS);
    assert.match(told, /^Saved the 3D model of assets\/sword\.png \(job 3d-77\): assets\/multiview\/sword-multiview-657-3d\.glb/);
    assert.match(told, /GLB file, 1024 triangles, 530 vertices, 48000 bytes; made from the cut-out subject\./);
    assert.match(told, /Seed: 99\./);
    assert.match(told, /Generation time: 140\.5 s on the server\./);
    assert.ok(!told.includes(WS + path.sep), 'no absolute paths');
    assert.match(describeResults([result], WS), /3D model: assets\/multiview\/sword-multiview-657-3d\.glb \(GLB, 1024 triangles\)/);
  });
});
