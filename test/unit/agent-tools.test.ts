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
  generateConfirmation,
  makeModelConfirmation,
  toolGenerationParameters,
  toolModelParameters,
  LIST_RESULTS_INPUT_SCHEMA,
  MAKE_MODEL_INPUT_SCHEMA,
  TOOL_NAMES,
} from '../../src/core/agentTools';
import { BUILT_IN_DEFAULTS, type GenerationParameters } from '../../src/core/parameters';
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

describe('what an agent’s call spends', () => {
  const settings = (overrides: Partial<GenerationParameters>): GenerationParameters => ({ ...BUILT_IN_DEFAULTS, ...overrides });

  test('the schemas state each default, and the paid step says it spends credits and is off unless asked for', () => {
    for (const [name, property] of Object.entries(GENERATE_INPUT_SCHEMA.properties)) {
      if (name !== 'image') assert.match(property.description, /Default/, `${name} states its default`);
    }
    assert.match(GENERATE_INPUT_SCHEMA.properties.removeBackground.description, /Default false/);
    assert.match(GENERATE_INPUT_SCHEMA.properties.removeBackground.description, /spends credits for one more paid job \(background removal\) before the views/);
    for (const name of ['format', 'resolution', 'seed'] as const) {
      assert.match(MAKE_MODEL_INPUT_SCHEMA.properties[name].description, /Default/, `${name} states its default`);
    }
    assert.match(MAKE_MODEL_INPUT_SCHEMA.properties.resolution.description, /Default 256/);
  });

  test('a plain { image } call never removes the background, even with the setting on; the agent’s true does', () => {
    const defaults = settings({ removeBackground: true, steps: 30 });
    const plain = toolGenerationParameters({}, defaults);
    assert.equal(plain.removeBackground, false, 'the setting (or a remembered answer) does not start a second paid job');
    assert.equal(plain.steps, 30, 'the free defaults are the user’s settings');
    assert.equal(toolGenerationParameters({ removeBackground: true }, settings({})).removeBackground, true);
    assert.equal(toolGenerationParameters({ removeBackground: false }, defaults).removeBackground, false);
  });

  test('the agent’s values win, and no webhook or track id reaches an agent’s run', () => {
    const parameters = toolGenerationParameters({ prompt: 'a sword', width: 512, height: 768, webhook: 'https://evil.example/hook', trackId: 7 }, settings({ webhook: 'https://mine.example', trackId: 'x' }));
    assert.deepEqual([parameters.prompt, parameters.width, parameters.height], ['a sword', 512, 768]);
    assert.equal(parameters.webhook, undefined);
    assert.equal(parameters.trackId, undefined);
  });

  test('a 3D model uses the service’s defaults, not the person’s remembered answers, unless the agent passes them', () => {
    const plain = toolModelParameters({});
    assert.deepEqual([plain.format, plain.resolution, plain.multiImage, plain.seed], ['glb', 256, false, undefined]);
    const asked = toolModelParameters({ format: 'stl', resolution: 512, seed: 3 });
    assert.deepEqual([asked.format, asked.resolution, asked.seed], ['stl', 512, 3]);
  });

  test('the confirmation lists the paid jobs, says credits are spent and where to see the price, and names the files', () => {
    const plan = { image: 'assets/sword.png', folder: 'assets/multiview', saveViews: true, viewsTransparent: false };
    const one = generateConfirmation({ ...plan, parameters: settings({}) }).join('\n');
    assert.match(one, /^Generate six views of assets\/sword\.png: a 640 × 960 grid, 50 steps\./);
    assert.match(one, /This runs one paid job on your account \(the six views\) and takes about a minute\. The background is not removed first\./);
    assert.match(one, /spends credits from your ModelsLab \(Multiview API\) account; the service does not state a price in advance/);
    assert.match(one, /plan and remaining credits are shown in your ModelsLab account/);
    assert.doesNotMatch(one, /[$€£]|\d+ credits?/, 'no made-up price');
    assert.match(one, /It writes the grid, the six views and a \.json sidecar into assets\/multiview\/\./);

    const two = generateConfirmation({ ...plan, viewsTransparent: true, parameters: settings({ removeBackground: true }) }).join('\n');
    assert.match(two, /This runs two paid jobs on your account, one after the other \(background removal, then the six views\)/);
    assert.match(two, /the cut-out subject/);
    assert.match(two, /transparent copies of the views \(made on this computer, no extra job\)/);
    assert.match(generateConfirmation({ ...plan, folder: '.', parameters: settings({}) }).join('\n'), /into the workspace folder\./);
  });

  test('the 3D model’s confirmation: one paid job, the credits, the file', () => {
    const told = makeModelConfirmation({ image: 'mug.png', parameters: toolModelParameters({ format: 'obj' }), file: 'generated/mug-multiview-1-3d.obj' }).join('\n');
    assert.match(told, /Make a 3D model of mug\.png: OBJ, quality 256\./);
    assert.match(told, /This runs one paid job on your account \(the 3D model\) and takes a few minutes\./);
    assert.match(told, /spends credits from your ModelsLab/);
    assert.match(told, /It writes generated\/mug-multiview-1-3d\.obj beside the result/);
  });
});

describe('every file a generation wrote is named', () => {
  const folder = path.join(WS, 'assets', 'multiview');
  const transparentFiles = ['sword-multiview-657-transparent.png', 'sword-multiview-657-transparent-view-az030-el+20.png'];

  test('the cut-out subject made by the background removal', () => {
    const told = describeGenerated(savedResult({ subject: { file: 'sword-multiview-657-subject.png', jobId: 'bg-1', width: 800, height: 800 } }), WS);
    assert.match(told, /Cut-out subject \(background removed\) it was made from: assets\/multiview\/sword-multiview-657-subject\.png/);
  });

  test('transparent views the sidecar lists, once', () => {
    const exports = [{ kind: 'transparent-views' as const, files: transparentFiles, createdAt: '2026-12-01T09:30:00.000Z', details: {} }];
    const result = savedResult({ exports });
    const told = describeGenerated(result, WS, [...result.viewPaths, result.gridPath, result.sidecarPath, ...transparentFiles.map((file) => path.join(folder, file))]);
    assert.match(told, /Transparent views: assets\/multiview\/sword-multiview-657-transparent\.png, assets\/multiview\/sword-multiview-657-transparent-view-az030-el\+20\.png/);
    assert.equal(told.split('sword-multiview-657-transparent.png').length - 1, 1, 'named once');
  });

  test('files on disk the sidecar could not record (transparent views made after it was written)', () => {
    const result = savedResult();
    const told = describeGenerated(result, WS, [result.gridPath, ...transparentFiles.map((file) => path.join(folder, file)), result.sidecarPath]);
    assert.match(told, /Transparent views: assets\/multiview\/sword-multiview-657-transparent\.png, assets\/multiview\/sword-multiview-657-transparent-view-az030-el\+20\.png/);
    assert.match(told, /Sidecar \(every parameter, for repeating it\): assets\/multiview\/sword-multiview-657\.json/);
    assert.equal(told.split('sword-multiview-657.png').length - 1, 1, 'the grid is named once');
    assert.ok(!told.includes(WS + path.sep), 'no absolute paths');
  });
});
