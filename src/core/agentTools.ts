/**
 * The language-model tools agents call (issue: "Agents can use it"): their input schemas, checking what an agent
 * sent (VS Code does not validate tool input), and the text handed back, which an agent can act on. Pure: the
 * VS Code side (src/vscode/tools/) asks, runs the same pipeline as the commands, and opens the panel.
 *
 * The schemas here are the ones package.json declares (a unit test holds them equal); their ranges and enums are the
 * quick input's (parameters.ts, modelParameters.ts).
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { MODEL_OUTPUT_FORMATS } from '../api/jobRequests';
import { signedDegrees } from './grid';
import { MODEL_LIMITS, MODEL_RESOLUTIONS, type ModelParameters, sanitizeModelParameters } from './modelParameters';
import { type GenerationParameters, LIMITS, sanitizeParameters, validateGuidanceScale, validateNegativePrompt, validatePrompt, validateSeed, validateSize, validateSteps } from './parameters';
import type { SavedResult } from './readSidecar';
import type { SidecarModel } from './sidecarSchema';
import { exportLabel } from './results/exports/resultExport';
import { type DerivedFileKind, derivedKindOf } from './results/resultFiles';

export const TOOL_NAMES = {
  generate: 'multiview_generate',
  makeModel: 'multiview_make3d',
  listResults: 'multiview_listResults',
} as const;

export type ToolName = (typeof TOOL_NAMES)[keyof typeof TOOL_NAMES];

const IMAGE_PROPERTY = {
  type: 'string',
  description: 'The image, as a path relative to the workspace folder (for example "assets/sword.png"): a PNG, JPEG or WebP photo or render of one object.',
} as const;

export const GENERATE_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    image: IMAGE_PROPERTY,
    prompt: { type: 'string', maxLength: LIMITS.promptChars, description: 'What the object is, in a few words. The views follow the image far more than the text. Default: the setting multiview.defaults.prompt ("make multiple images" unless the user changed it).' },
    negativePrompt: { type: 'string', maxLength: LIMITS.promptChars, description: 'What the views should avoid. Default: the setting multiview.defaults.negativePrompt (empty unless the user changed it).' },
    width: { type: 'integer', minimum: LIMITS.side.min, maximum: LIMITS.side.max, multipleOf: 8, description: 'Width of the whole grid of 3 rows x 2 columns; 640 gives 320 px views. Default: the setting multiview.defaults.width (640 unless the user changed it). The same single job whatever the size.' },
    height: { type: 'integer', minimum: LIMITS.side.min, maximum: LIMITS.side.max, multipleOf: 8, description: 'Height of the whole grid. Default: the setting multiview.defaults.height (960 unless the user changed it).' },
    steps: { type: 'integer', minimum: LIMITS.steps.min, maximum: LIMITS.steps.max, description: 'Inference steps. Default: the setting multiview.defaults.steps (50 unless the user changed it).' },
    guidanceScale: { type: 'number', minimum: LIMITS.guidanceScale.min, maximum: LIMITS.guidanceScale.max, description: 'How strictly to follow the prompt; 4 suits this model. Default: the setting multiview.defaults.guidanceScale (4 unless the user changed it).' },
    seed: { type: 'integer', minimum: LIMITS.seed.min, maximum: LIMITS.seed.max, description: 'A fixed seed for repeatable views. Default: the setting multiview.defaults.seed (unset, so a random seed, unless the user changed it).' },
    padToSquare: { type: 'boolean', description: 'Pad the image to a square on grey first (recommended; done on this computer, no extra job). Default: the setting multiview.defaults.padToSquare (true unless the user changed it).' },
    removeBackground: { type: 'boolean', description: 'Remove the photo’s background first. Default false, whatever the user chose in the quick input or settings. true spends credits for one more paid job (background removal) before the views, and also saves the cut-out subject.' },
  },
  required: ['image'],
} as const;

export const MAKE_MODEL_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    result: { type: 'string', description: 'The result to model: the path of its .json sidecar, as multiview_listResults gives it. Omit it to use the newest result of "image".' },
    image: IMAGE_PROPERTY,
    format: { type: 'string', enum: [...MODEL_OUTPUT_FORMATS], description: 'The model file: glb (textured, for game engines and the web), obj, stl (3D printing) or ply. Default glb.' },
    resolution: { type: 'integer', enum: [...MODEL_RESOLUTIONS], description: '256 or 512 (finer, slower; still one paid job). Default 256, whatever the user last chose.' },
    seed: { type: 'integer', minimum: MODEL_LIMITS.seed.min, maximum: MODEL_LIMITS.seed.max, description: 'A fixed seed. Default: a random one.' },
  },
} as const;

export const LIST_RESULTS_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    image: { ...IMAGE_PROPERTY, description: 'Only the results of this image (a path relative to the workspace folder); omit for all results.' },
  },
} as const;

/** What an agent asked for, checked: the image's path and the parameters it set (toolGenerationParameters fills in the rest). */
export interface GenerateToolInput {
  image: string;
  parameters: Partial<GenerationParameters>;
}

export interface MakeModelToolInput {
  result?: string;
  image?: string;
  parameters: Partial<ModelParameters>;
}

export interface ListResultsToolInput {
  image?: string;
}

/** The input, or one sentence saying what is wrong with it (for the agent to correct). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkGenerateInput(input: unknown): Checked<GenerateToolInput> {
  if (!isRecord(input) || typeof input.image !== 'string' || input.image.trim() === '') {
    return { ok: false, problem: l10n.t('Give "image": the path of a workspace image, relative to the workspace folder.') };
  }
  const parameters: Partial<GenerationParameters> = {};
  const problems: string[] = [];
  const text = (name: 'prompt' | 'negativePrompt', validate: (text: string) => string | undefined) => {
    const value = input[name];
    if (value === undefined) return;
    const problem = typeof value === 'string' ? validate(value) : l10n.t('"{0}" must be text.', name);
    if (problem) problems.push(`${name}: ${problem}`);
    else parameters[name] = value as string;
  };
  const number = (name: 'steps' | 'guidanceScale' | 'seed', validate: (text: string) => string | undefined) => {
    const value = input[name];
    if (value === undefined) return;
    const problem = typeof value === 'number' ? validate(String(value)) : l10n.t('"{0}" must be a number.', name);
    if (problem) problems.push(`${name}: ${problem}`);
    else parameters[name] = value as number;
  };
  text('prompt', validatePrompt);
  text('negativePrompt', validateNegativePrompt);
  number('steps', validateSteps);
  number('guidanceScale', validateGuidanceScale);
  number('seed', validateSeed);
  if (input.width !== undefined || input.height !== undefined) {
    const width = input.width ?? 640;
    const height = input.height ?? 960;
    const problem = typeof width === 'number' && typeof height === 'number' ? validateSize(`${width}x${height}`) : l10n.t('"width" and "height" must be numbers.');
    if (problem) problems.push(`width/height: ${problem}`);
    else Object.assign(parameters, { width, height });
  }
  for (const name of ['padToSquare', 'removeBackground'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value === 'boolean') parameters[name] = value;
    else problems.push(l10n.t('"{0}" must be true or false.', name));
  }
  return problems.length > 0 ? { ok: false, problem: problems.join(' ') } : { ok: true, value: { image: input.image.trim(), parameters } };
}

export function checkMakeModelInput(input: unknown): Checked<MakeModelToolInput> {
  const record = isRecord(input) ? input : {};
  const result = typeof record.result === 'string' && record.result.trim() !== '' ? record.result.trim() : undefined;
  const image = typeof record.image === 'string' && record.image.trim() !== '' ? record.image.trim() : undefined;
  if (!result && !image) {
    return { ok: false, problem: l10n.t('Give "result" (a result’s .json sidecar, from multiview_listResults) or "image" (its newest result is used).') };
  }
  const parameters: Partial<ModelParameters> = {};
  const problems: string[] = [];
  if (record.format !== undefined) {
    if (MODEL_OUTPUT_FORMATS.includes(record.format as never)) parameters.format = record.format as ModelParameters['format'];
    else problems.push(l10n.t('"format" must be one of {0}.', MODEL_OUTPUT_FORMATS.join(', ')));
  }
  if (record.resolution !== undefined) {
    if (MODEL_RESOLUTIONS.includes(record.resolution as never)) parameters.resolution = record.resolution as ModelParameters['resolution'];
    else problems.push(l10n.t('"resolution" must be 256 or 512.'));
  }
  if (record.seed !== undefined) {
    const seed = record.seed;
    if (typeof seed === 'number' && Number.isInteger(seed) && seed >= MODEL_LIMITS.seed.min && seed <= MODEL_LIMITS.seed.max) parameters.seed = seed;
    else problems.push(l10n.t('"seed" must be a whole number from {0} to {1}.', MODEL_LIMITS.seed.min, MODEL_LIMITS.seed.max));
  }
  return problems.length > 0 ? { ok: false, problem: problems.join(' ') } : { ok: true, value: { result, image, parameters } };
}

export function checkListResultsInput(input: unknown): Checked<ListResultsToolInput> {
  const image = isRecord(input) && typeof input.image === 'string' && input.image.trim() !== '' ? input.image.trim() : undefined;
  return { ok: true, value: { image } };
}

/**
 * What a generation for an agent uses: the values it passed, over the user's settings (multiview.defaults.*, which
 * the schema names as the defaults). Never the person's remembered quick-input answers: a prompt remembered for
 * another image, or a paid step, would run without the agent (or the confirmation) having asked for it. The one
 * paid step, removing the background first, runs only when the agent passes true, whatever the setting says.
 * Webhooks and track ids stay the user's to set: an agent's run does not call out to a URL it was told about.
 */
export function toolGenerationParameters(given: Partial<GenerationParameters>, defaults: GenerationParameters): GenerationParameters {
  const { webhook: _webhook, trackId: _trackId, ...free } = defaults;
  const { webhook: _givenWebhook, trackId: _givenTrackId, ...asked } = given;
  return sanitizeParameters({ ...asked, removeBackground: asked.removeBackground === true }, { ...free, removeBackground: false });
}

/**
 * What a 3D model for an agent uses: the values it passed over the service's documented defaults (MODEL_DEFAULTS),
 * never the person's remembered answers. §12 of the API contract names no price per resolution or sampling, so
 * none of these is a paid step; a remembered 512 (slower) or advanced sampling is still the person's choice for
 * their own runs, not something an agent's call inherits unseen. The six views as the input are a choice for
 * transparent views only: an agent's run uses one image.
 */
export function toolModelParameters(given: Partial<ModelParameters>): ModelParameters {
  return sanitizeModelParameters({ ...given, multiImage: false });
}

/** The paid jobs a generation runs, in order: what its confirmation lists and counts. */
export function paidJobsOf(parameters: Pick<GenerationParameters, 'removeBackground'>): string[] {
  return [...(parameters.removeBackground ? [l10n.t('background removal')] : []), l10n.t('the six views')];
}

/**
 * What every paid confirmation says about the price: the service states none in advance (no price or credit field
 * in its answers, api-contract.md), so no number is given; where to see it is.
 */
export function creditsSentence(): string {
  return l10n.t(
    'Each paid job spends credits from your ModelsLab (Multiview API) account; the service does not state a price in advance. Your plan and remaining credits are shown in your ModelsLab account.',
  );
}

/** What a generation's confirmation says it will do, paragraph by paragraph (plain text: paths stay paths). */
export function generateConfirmation(plan: {
  image: string;
  parameters: GenerationParameters;
  /** The output folder relative to the workspace folder ('.' for the folder itself). */
  folder: string;
  saveViews: boolean;
  viewsTransparent: boolean;
}): string[] {
  const { parameters } = plan;
  const jobs = paidJobsOf(parameters);
  const files = [
    l10n.t('the grid'),
    ...(plan.saveViews ? [l10n.t('the six views')] : []),
    ...(parameters.removeBackground ? [l10n.t('the cut-out subject')] : []),
    ...(plan.saveViews && plan.viewsTransparent ? [l10n.t('transparent copies of the views (made on this computer, no extra job)')] : []),
    l10n.t('a .json sidecar'),
  ];
  const where = plan.folder === '.' ? l10n.t('the workspace folder') : `${plan.folder}/`;
  return [
    l10n.t('Generate six views of {0}: a {1} × {2} grid, {3} steps.', plan.image, parameters.width, parameters.height, parameters.steps),
    jobs.length === 1
      ? l10n.t('This runs one paid job on your account ({0}) and takes about a minute. The background is not removed first.', jobs[0])
      : l10n.t('This runs two paid jobs on your account, one after the other ({0}, then {1}), and takes a minute or two.', jobs[0], jobs[1]),
    creditsSentence(),
    l10n.t('It writes {0} into {1}.', l10n.t({ message: '{0} and {1}', args: [files.slice(0, -1).join(', '), files[files.length - 1]], comment: 'The last two items of a list of files.' }), where),
  ];
}

/** What a 3D model's confirmation says it will do, paragraph by paragraph. */
export function makeModelConfirmation(plan: { image: string; parameters: ModelParameters; file: string }): string[] {
  return [
    l10n.t('Make a 3D model of {0}: {1}, quality {2}.', plan.image, plan.parameters.format.toUpperCase(), plan.parameters.resolution),
    l10n.t('This runs one paid job on your account (the 3D model) and takes a few minutes.'),
    creditsSentence(),
    l10n.t('It writes {0} beside the result (a new name if that one is taken).', plan.file),
  ];
}

/** Paths in tool text: relative to the workspace folder, with forward slashes, as an agent writes them back. */
export function workspacePath(file: string, workspaceFolder: string): string {
  const relative = path.relative(workspaceFolder, file);
  return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
}

/**
 * What an agent is told after a generation: every saved file with the views' poses, the seed and the time. The grid,
 * views, cut-out subject and exports come from the sidecar; `onDisk` (the result's own files found beside it,
 * resultFiles.ownedFiles) adds any the sidecar does not name, such as transparent views it could not record, so
 * that the answer names every file written.
 */
export function describeGenerated(result: SavedResult, workspaceFolder: string, onDisk: readonly string[] = []): string {
  const at = (file: string) => workspacePath(file, workspaceFolder);
  const { sidecar } = result;
  const folder = path.dirname(result.gridPath);
  const sidecarFolder = path.dirname(result.sidecarPath);
  const named = new Set(
    [
      result.gridPath,
      result.sidecarPath,
      ...sidecar.views.map((view) => path.join(folder, view.file)),
      ...(sidecar.subject ? [path.join(folder, sidecar.subject.file)] : []),
      ...sidecar.exports.flatMap((entry) => entry.files.map((file) => path.join(sidecarFolder, file))),
    ].map((file) => path.normalize(file)),
  );
  const unnamed = onDisk.filter((file) => !named.has(path.normalize(file)));
  const lines = [
    l10n.t('Saved the six views of {0} (job {1}).', at(result.sourceImagePath), sidecar.jobId),
    l10n.t('Grid (3 rows x 2 columns): {0}', at(result.gridPath)),
    ...sidecar.views.map((view) =>
      l10n.t('View at azimuth {0}°, elevation {1}°: {2}', view.azimuthDegrees, signedDegrees(view.elevationDegrees), at(path.join(folder, view.file))),
    ),
    ...(sidecar.views.length === 0 && sidecar.viewsSkipped ? [l10n.t('The views were not saved separately: {0}', sidecar.viewsSkipped.message)] : []),
    ...(sidecar.subject ? [l10n.t('Cut-out subject (background removed) it was made from: {0}', at(path.join(folder, sidecar.subject.file)))] : []),
    ...exportLines(result, at, ''),
    ...unnamedLines(result, unnamed, at),
    l10n.t('Sidecar (every parameter, for repeating it): {0}', at(result.sidecarPath)),
    sidecar.seed === null ? l10n.t('Seed: not reported by the service.') : l10n.t('Seed: {0}.', sidecar.seed),
    sidecar.serverGenerationSeconds === null
      ? l10n.t('Total time: {0} s.', (sidecar.timings.totalMs / 1000).toFixed(1))
      : l10n.t('Generation time: {0} s on the server, {1} s in all.', sidecar.serverGenerationSeconds.toFixed(1), (sidecar.timings.totalMs / 1000).toFixed(1)),
  ];
  return lines.join('\n');
}

/** What each kind of file made from a result is called in an answer, when the sidecar does not list it. */
function derivedLabel(kind: DerivedFileKind): string {
  switch (kind) {
    case 'subject':
      return l10n.t('Cut-out subject (background removed) it was made from');
    case 'model':
      return l10n.t('3D model');
    case 'transparentViews':
      return exportLabel('transparent-views');
    case 'turntable':
      return exportLabel('turntable');
    case 'spriteSheet':
      return exportLabel('sprite-sheet');
    case 'cameraPoses':
      return exportLabel('camera-poses');
  }
}

/** The result's files on disk that the sidecar does not name: one line per kind, in the table's order. */
function unnamedLines(result: SavedResult, files: readonly string[], at: (file: string) => string): string[] {
  const byLabel = new Map<string, string[]>();
  for (const file of files) {
    const kind = derivedKindOf(result.sidecarPath, path.basename(file));
    const label = kind ? derivedLabel(kind) : l10n.t('Also saved');
    byLabel.set(label, [...(byLabel.get(label) ?? []), at(file)]);
  }
  return [...byLabel].map(([label, paths]) => `${label}: ${paths.join(', ')}`);
}

/** One line per file made from the result without a paid job (transparent views, turntables…), newest last. */
function exportLines(result: SavedResult, at: (file: string) => string, indent: string): string[] {
  const folder = path.dirname(result.sidecarPath);
  return result.sidecar.exports.map((entry) => `${indent}${exportLabel(entry.kind)}: ${entry.files.map((file) => at(path.join(folder, file))).join(', ')}`);
}

/** The listing an agent refers to earlier runs by: newest first, each with its sidecar, grid and parameters. */
export function describeResults(results: readonly SavedResult[], workspaceFolder: string): string {
  if (results.length === 0) {
    return l10n.t('No Multiview results found.');
  }
  const at = (file: string) => workspacePath(file, workspaceFolder);
  return [...results]
    .sort((a, b) => b.finishedAtMs - a.finishedAtMs)
    .map((result) => {
      const { sidecar } = result;
      const p = sidecar.parameters;
      const when = result.finishedAtMs > 0 ? new Date(result.finishedAtMs).toISOString() : l10n.t('unknown time');
      return [
        l10n.t('- Result of {0}, finished {1} (job {2}, seed {3})', at(result.sourceImagePath), when, sidecar.jobId, sidecar.seed ?? l10n.t('unknown')),
        l10n.t('  sidecar: {0}', at(result.sidecarPath)),
        l10n.t('  grid: {0}; {1} views saved', at(result.gridPath), sidecar.views.length),
        l10n.t('  prompt "{0}", {1} x {2}, {3} steps, guidance {4}', p.prompt, p.width, p.height, p.num_inference_steps, p.guidance_scale),
        ...sidecar.models.map((model) => l10n.t('  3D model: {0} ({1}, {2} triangles)', at(path.join(path.dirname(result.sidecarPath), model.file)), model.format.toUpperCase(), model.triangles)),
        ...exportLines(result, at, '  '),
      ].join('\n');
    })
    .join('\n');
}

/** What an agent is told after a 3D model: its file, what it holds, what it was made from, the seed and the time. */
export function describeModel(model: SidecarModel, result: SavedResult, workspaceFolder: string): string {
  const at = (file: string) => workspacePath(file, workspaceFolder);
  const from = { subject: l10n.t('the cut-out subject'), 'input-image': l10n.t('the source image'), views: l10n.t('the six views') }[model.input];
  return [
    l10n.t('Saved the 3D model of {0} (job {1}): {2}', at(result.sourceImagePath), model.jobId, at(path.join(path.dirname(result.sidecarPath), model.file))),
    l10n.t('{0} file, {1} triangles, {2} vertices, {3} bytes; made from {4}.', model.format.toUpperCase(), model.triangles, model.vertices, model.bytes, from),
    l10n.t('Recorded in the sidecar {0}.', at(result.sidecarPath)),
    model.seed === null ? l10n.t('Seed: not reported by the service.') : l10n.t('Seed: {0}.', model.seed),
    model.serverGenerationSeconds === null ? '' : l10n.t('Generation time: {0} s on the server.', model.serverGenerationSeconds.toFixed(1)),
  ]
    .filter((line) => line !== '')
    .join('\n');
}
