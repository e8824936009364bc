/**
 * The quick input that asks how to make a 3D model: the format, the quality, the seed, then a last step that says
 * what it costs before anything is sent; "Advanced…" there opens the sampling settings (and the six views as the
 * input, when their background is transparent) and comes back to it.
 */
import * as vscode from 'vscode';
import { MODEL_OUTPUT_FORMATS, type ModelOutputFormat } from '../../api/jobRequests';
import {
  MODEL_LIMITS,
  type ModelParameters,
  validateDetailGuidance,
  validateDetailSteps,
  validateMeshSimplify,
  validateModelSeed,
  validateStructureGuidance,
  validateStructureSteps,
} from '../../core/modelParameters';
import { type InputStep, MultiStepInput } from '../generate/multiStepInput';

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

export interface ModelPickContext {
  /** Named in the title: the source image, or "3 results". */
  subject: string;
  /** How many models will be made (one per result). */
  count: number;
  /** The views' background is transparent in every result: `multi_image` may be offered. */
  viewsTransparent: boolean;
}

const FORMAT_DETAILS: Record<ModelOutputFormat, () => string> = {
  glb: () => vscode.l10n.t('One file with the mesh and its textures: game engines, three.js, Blender, the web'),
  obj: () => vscode.l10n.t('Plain-text mesh: every 3D tool opens it'),
  stl: () => vscode.l10n.t('Geometry only, no colour: 3D printing'),
  ply: () => vscode.l10n.t('Mesh or point cloud with vertex colours: scanning and point-cloud tools'),
};

/** Asks for the model's parameters, starting from `initial`; `undefined` when the user cancelled. */
export async function pickModelParameters(initial: ModelParameters, context: ModelPickContext): Promise<ModelParameters | undefined> {
  const chosen: ModelParameters = { ...initial, multiImage: initial.multiImage && context.viewsTransparent };
  const title = vscode.l10n.t('Make 3D Model: {0}', context.subject);
  const totalSteps = 4;
  const common = (step: number) => ({ title, step, totalSteps });

  const askFormat: InputStep = async (input) => {
    const items = MODEL_OUTPUT_FORMATS.map((format): Choice<ModelOutputFormat> => ({ label: format.toUpperCase(), detail: FORMAT_DETAILS[format](), value: format }));
    chosen.format = (
      await input.showQuickPick({
        ...common(1),
        placeholder: vscode.l10n.t('Model format'),
        items,
        activeItem: items.find((item) => item.value === chosen.format),
      })
    ).value;
    return askQuality;
  };

  const askQuality: InputStep = async (input) => {
    const items: Choice<256 | 512>[] = [
      { label: vscode.l10n.t('Standard (256)'), detail: vscode.l10n.t('The service’s default: a few minutes'), value: 256 },
      { label: vscode.l10n.t('Fine (512)'), detail: vscode.l10n.t('More detail; takes longer'), value: 512 },
    ];
    chosen.resolution = (
      await input.showQuickPick({
        ...common(2),
        placeholder: vscode.l10n.t('Quality: the resolution the model is built at'),
        items,
        activeItem: items.find((item) => item.value === chosen.resolution),
      })
    ).value;
    return askSeed;
  };

  const askSeed: InputStep = async (input) => {
    const text = await input.showInputBox({
      ...common(3),
      value: chosen.seed === undefined ? '' : String(chosen.seed),
      prompt: vscode.l10n.t('Seed: the same seed and settings give the same model (leave empty for a random one)'),
      placeholder: vscode.l10n.t('random'),
      validate: (value) => (value.trim() === '' ? undefined : validateModelSeed(value)),
    });
    chosen.seed = text.trim() === '' ? undefined : Number(text);
    return confirm;
  };

  const confirm: InputStep = async (input) => {
    const make: Choice<'make'> = {
      label: context.count === 1 ? vscode.l10n.t('Make the 3D Model') : vscode.l10n.t('Make {0} 3D Models', context.count),
      detail:
        context.count === 1
          ? vscode.l10n.t('Takes a few minutes and spends credits on your account; you can cancel while it is queued.')
          : vscode.l10n.t('One job per result: each takes a few minutes and spends credits on your account.'),
      value: 'make',
    };
    const advanced: Choice<'advanced'> = {
      label: vscode.l10n.t('Advanced…'),
      detail: describeAdvanced(chosen),
      value: 'advanced',
    };
    const picked = await input.showQuickPick({
      ...common(4),
      placeholder: vscode.l10n.t('{0}, quality {1}, seed {2}', chosen.format.toUpperCase(), chosen.resolution, chosen.seed ?? vscode.l10n.t('random')),
      items: [make, advanced],
      activeItem: make,
    });
    return picked.value === 'make' ? undefined : askAdvanced;
  };

  const askAdvanced: InputStep = async (input) => {
    const done = await pickAdvanced(input, chosen, context, common(4));
    return done ? confirm : askAdvanced;
  };

  return (await MultiStepInput.run(askFormat)) ? chosen : undefined;
}

function describeAdvanced(parameters: ModelParameters): string {
  return vscode.l10n.t(
    'Input: {0}; structure {1} × {2} steps; detail {3} × {4} steps; simplify {5}',
    parameters.multiImage ? vscode.l10n.t('the six views') : vscode.l10n.t('the single image'),
    parameters.structureGuidance,
    parameters.structureSteps,
    parameters.detailGuidance,
    parameters.detailSteps,
    parameters.meshSimplify,
  );
}

type AdvancedField = 'multiImage' | 'structureGuidance' | 'structureSteps' | 'detailGuidance' | 'detailSteps' | 'meshSimplify' | 'done';

/** One round of the advanced settings: pick a setting, change it; `true` when the user is done. */
async function pickAdvanced(input: MultiStepInput, chosen: ModelParameters, context: ModelPickContext, common: { title: string; step: number; totalSteps: number }): Promise<boolean> {
  const numeric = (field: Exclude<AdvancedField, 'multiImage' | 'done'>, label: string, detail: string): Choice<AdvancedField> => ({
    label,
    description: String(chosen[field]),
    detail,
    value: field,
  });
  const items: Choice<AdvancedField>[] = [
    { label: vscode.l10n.t('Done'), detail: vscode.l10n.t('Back to the summary'), value: 'done' },
    {
      label: vscode.l10n.t('Input'),
      description: chosen.multiImage ? vscode.l10n.t('the six views') : vscode.l10n.t('the single image'),
      detail: context.viewsTransparent
        ? vscode.l10n.t('The six views on their transparent background, or the single (cut-out) image')
        : vscode.l10n.t('The single (cut-out) image: the views are on an opaque background. Run “Make Views Transparent” (free) to send the six views.'),
      value: 'multiImage',
    },
    numeric('structureGuidance', vscode.l10n.t('Structure guidance'), vscode.l10n.t('How closely the shape follows the picture ({0}–{1})', MODEL_LIMITS.structureGuidance.min, MODEL_LIMITS.structureGuidance.max)),
    numeric('structureSteps', vscode.l10n.t('Structure steps'), vscode.l10n.t('Sampling steps for the shape ({0}–{1})', MODEL_LIMITS.structureSteps.min, MODEL_LIMITS.structureSteps.max)),
    numeric('detailGuidance', vscode.l10n.t('Detail guidance'), vscode.l10n.t('How closely the surface follows the picture ({0}–{1})', MODEL_LIMITS.detailGuidance.min, MODEL_LIMITS.detailGuidance.max)),
    numeric('detailSteps', vscode.l10n.t('Detail steps'), vscode.l10n.t('Sampling steps for the surface ({0}–{1})', MODEL_LIMITS.detailSteps.min, MODEL_LIMITS.detailSteps.max)),
    numeric('meshSimplify', vscode.l10n.t('Mesh simplification'), vscode.l10n.t('{0} keeps the most triangles, {1} the fewest', MODEL_LIMITS.meshSimplify.min, MODEL_LIMITS.meshSimplify.max)),
  ];
  const picked = await input.showQuickPick({ ...common, placeholder: vscode.l10n.t('Advanced settings'), items });
  switch (picked.value) {
    case 'done':
      return true;
    case 'multiImage':
      if (context.viewsTransparent) chosen.multiImage = !chosen.multiImage;
      return false;
    default: {
      const field = picked.value;
      const validators = {
        structureGuidance: validateStructureGuidance,
        structureSteps: validateStructureSteps,
        detailGuidance: validateDetailGuidance,
        detailSteps: validateDetailSteps,
        meshSimplify: validateMeshSimplify,
      };
      const text = await input.showInputBox({ ...common, value: String(chosen[field]), prompt: picked.detail ?? picked.label, validate: validators[field] });
      chosen[field] = Number(text);
      return false;
    }
  }
}
