/**
 * The choices that make a 3D model from a result (image to 3D, docs/api-contract.md §12): their defaults (the
 * service's), their limits, the validation shown while they are typed, and their form on the wire. Pure: the quick
 * input, the agent tools and the pipeline share it.
 */
import * as l10n from '@vscode/l10n';
import { type ImageTo3dFields, MODEL_OUTPUT_FORMATS, type ModelOutputFormat } from '../api/jobRequests';
import type { Validator } from './parameters';

export interface ModelParameters {
  format: ModelOutputFormat;
  /** The mesh's resolution: 256 (the service's default) or 512 (finer, slower). */
  resolution: 256 | 512;
  /** `undefined`: the service chooses (sent as 0). */
  seed: number | undefined;
  /** Send the six views (on a transparent background) instead of the single input. */
  multiImage: boolean;
  /** The sampling of the model's structure and of its details (TRELLIS's two stages). */
  structureGuidance: number;
  structureSteps: number;
  detailGuidance: number;
  detailSteps: number;
  /** How much the mesh is simplified, 0.90 (least) to 0.98 (most). */
  meshSimplify: number;
}

export const MODEL_RESOLUTIONS = [256, 512] as const;

export const MODEL_LIMITS = {
  seed: { min: 0, max: 4_294_967_295 },
  structureGuidance: { min: 0, max: 20 },
  structureSteps: { min: 1, max: 50 },
  detailGuidance: { min: 0, max: 10 },
  detailSteps: { min: 1, max: 50 },
  meshSimplify: { min: 0.9, max: 0.98 },
} as const;

/** The service's documented defaults. */
export const MODEL_DEFAULTS: ModelParameters = {
  format: 'glb',
  resolution: 256,
  seed: undefined,
  multiImage: false,
  structureGuidance: 7.5,
  structureSteps: 12,
  detailGuidance: 3,
  detailSteps: 12,
  meshSimplify: 0.9,
};

function numberInRange(min: number, max: number, integer: boolean, problem: () => string): Validator {
  return (text) => {
    const value = Number(text.trim());
    return text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max ? problem() : undefined;
  };
}

export const validateModelSeed = numberInRange(MODEL_LIMITS.seed.min, MODEL_LIMITS.seed.max, true, () =>
  l10n.t('The seed must be a whole number from {0} to {1}.', MODEL_LIMITS.seed.min, MODEL_LIMITS.seed.max),
);
export const validateStructureGuidance = numberInRange(MODEL_LIMITS.structureGuidance.min, MODEL_LIMITS.structureGuidance.max, false, () =>
  l10n.t('The structure guidance must be a number from {0} to {1}.', MODEL_LIMITS.structureGuidance.min, MODEL_LIMITS.structureGuidance.max),
);
export const validateStructureSteps = numberInRange(MODEL_LIMITS.structureSteps.min, MODEL_LIMITS.structureSteps.max, true, () =>
  l10n.t('The structure steps must be a whole number from {0} to {1}.', MODEL_LIMITS.structureSteps.min, MODEL_LIMITS.structureSteps.max),
);
export const validateDetailGuidance = numberInRange(MODEL_LIMITS.detailGuidance.min, MODEL_LIMITS.detailGuidance.max, false, () =>
  l10n.t('The detail guidance must be a number from {0} to {1}.', MODEL_LIMITS.detailGuidance.min, MODEL_LIMITS.detailGuidance.max),
);
export const validateDetailSteps = numberInRange(MODEL_LIMITS.detailSteps.min, MODEL_LIMITS.detailSteps.max, true, () =>
  l10n.t('The detail steps must be a whole number from {0} to {1}.', MODEL_LIMITS.detailSteps.min, MODEL_LIMITS.detailSteps.max),
);
export const validateMeshSimplify = numberInRange(MODEL_LIMITS.meshSimplify.min, MODEL_LIMITS.meshSimplify.max, false, () =>
  l10n.t('The mesh simplification must be a number from {0} to {1}.', MODEL_LIMITS.meshSimplify.min, MODEL_LIMITS.meshSimplify.max),
);

/** Brings remembered or hand-written values back inside the limits (anything invalid becomes the default). */
export function sanitizeModelParameters(candidate: Partial<Record<keyof ModelParameters, unknown>>): ModelParameters {
  const valid = (value: unknown, validate: Validator): value is number => typeof value === 'number' && validate(String(value)) === undefined;
  const pick = (value: unknown, validate: Validator, fallback: number) => (valid(value, validate) ? value : fallback);
  return {
    format: MODEL_OUTPUT_FORMATS.includes(candidate.format as ModelOutputFormat) ? (candidate.format as ModelOutputFormat) : MODEL_DEFAULTS.format,
    resolution: MODEL_RESOLUTIONS.includes(candidate.resolution as 256 | 512) ? (candidate.resolution as 256 | 512) : MODEL_DEFAULTS.resolution,
    seed: valid(candidate.seed, validateModelSeed) ? candidate.seed : undefined,
    multiImage: candidate.multiImage === true,
    structureGuidance: pick(candidate.structureGuidance, validateStructureGuidance, MODEL_DEFAULTS.structureGuidance),
    structureSteps: pick(candidate.structureSteps, validateStructureSteps, MODEL_DEFAULTS.structureSteps),
    detailGuidance: pick(candidate.detailGuidance, validateDetailGuidance, MODEL_DEFAULTS.detailGuidance),
    detailSteps: pick(candidate.detailSteps, validateDetailSteps, MODEL_DEFAULTS.detailSteps),
    meshSimplify: pick(candidate.meshSimplify, validateMeshSimplify, MODEL_DEFAULTS.meshSimplify),
  };
}

/** The parameters in the service's words. */
export function toImageTo3dFields(parameters: ModelParameters): ImageTo3dFields {
  return {
    output_format: parameters.format,
    resolution: parameters.resolution,
    multi_image: parameters.multiImage,
    ss_guidance_strength: parameters.structureGuidance,
    ss_sampling_steps: parameters.structureSteps,
    slat_guidance_strength: parameters.detailGuidance,
    slat_sampling_steps: parameters.detailSteps,
    mesh_simplify: parameters.meshSimplify,
    seed: parameters.seed ?? 0,
  };
}
