/**
 * The generation parameters a user chooses, their limits (from the endpoint's documentation) and the
 * validation shown while they are typed. Pure: the quick picks and the tests share it.
 */
import * as l10n from '@vscode/l10n';

export const LIMITS = {
  side: { min: 256, max: 1024 },
  steps: { min: 1, max: 50 },
  guidanceScale: { min: 1, max: 20 },
  seed: { min: 0, max: 4_294_967_295 },
  promptChars: 1000,
} as const;

export interface GenerationParameters {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  /** `undefined` means a random seed chosen by the server. */
  seed: number | undefined;
  /** Ask for proxy links too (the API's `temp: "yes"`). */
  proxyLinks: boolean;
  /** Advanced: an https URL the service calls when the job ends. */
  webhook?: string;
  /** Advanced: echoed by the service in its webhook call. */
  trackId?: string | number;
  /**
   * Centre the image on an opaque grey square before upload (see image/prepareUpload.ts). Optional only so that
   * parameters from older sources still type-check: `sanitizeParameters` always sets it, and a missing value
   * means the default, on.
   */
  padToSquare?: boolean;
  /**
   * Remove the photo's background through the service first (one more job, more credits) and send the subject on
   * the grey. Optional like `padToSquare`; a missing value means no.
   */
  removeBackground?: boolean;
}

export interface SizePreset {
  width: number;
  height: number;
  label: string;
  detail: string;
}

/** `detail` is translated when read, not when this module loads (before the translations are configured). */
/** The sizes offered in the quick input; built when asked for, so that the details are translated. */
export function sizePresets(): SizePreset[] {
  const preset = (width: number, height: number, detail: string): SizePreset => ({ width, height, label: `${width} × ${height}`, detail });
  return [
    preset(640, 960, l10n.t('The model’s native grid: six 320 px views')),
    preset(320, 480, l10n.t('Quick preview: six 160 px views')),
    preset(512, 768, l10n.t('Six 256 px views')),
    preset(672, 1008, l10n.t('Largest 2:3 grid: six 336 px views')),
    preset(1024, 1024, l10n.t('Square output: views are stretched')),
  ];
}

/** Returns an error message for the quick input, or `undefined` when the text is valid. */
export type Validator = (text: string) => string | undefined;

export const validatePrompt: Validator = (text) => {
  if (text.trim().length === 0) {
    return l10n.t('Describe the object in a few words, for example “a red sneaker”.');
  }
  if (text.length > LIMITS.promptChars) {
    return l10n.t('Keep the prompt under {0} characters (now {1}).', LIMITS.promptChars, text.length);
  }
  return undefined;
};

export const validateNegativePrompt: Validator = (text) =>
  text.length > LIMITS.promptChars ? l10n.t('Keep it under {0} characters (now {1}).', LIMITS.promptChars, text.length) : undefined;

/** `problem(min, max)` is the whole message, so that each one is translated as a sentence. */
function integerInRange(min: number, max: number, problem: (min: number, max: number) => string): Validator {
  return (text) => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      return problem(min, max);
    }
    return undefined;
  };
}

export const validateSteps = integerInRange(LIMITS.steps.min, LIMITS.steps.max, (min, max) =>
  l10n.t('Inference steps must be a whole number from {0} to {1}.', min, max),
);
export const validateSeed = integerInRange(LIMITS.seed.min, LIMITS.seed.max, (min, max) =>
  l10n.t('The seed must be a whole number from {0} to {1}.', min, max),
);

export const validateGuidanceScale: Validator = (text) => {
  const value = Number(text.trim());
  const { min, max } = LIMITS.guidanceScale;
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    return l10n.t('Guidance scale must be a number from {0} to {1} (decimals allowed, e.g. 4 or 7.5).', min, max);
  }
  return undefined;
};

/** Parses "640x960", "640 × 960" or "640,960". */
export function parseSize(text: string): { width: number; height: number } | undefined {
  const match = /^\s*(\d{1,5})\s*[x×*,]\s*(\d{1,5})\s*$/i.exec(text);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

export const validateSize: Validator = (text) => {
  const size = parseSize(text);
  const { min, max } = LIMITS.side;
  if (!size) {
    return l10n.t('Type the size as WIDTHxHEIGHT, for example 640x960.');
  }
  if ([size.width, size.height].some((side) => side < min || side > max)) {
    return l10n.t('Each side must be from {0} to {1} pixels.', min, max);
  }
  if (size.width % 8 !== 0 || size.height % 8 !== 0) {
    return l10n.t('Each side must be a multiple of 8 (the model works in 8-pixel blocks).');
  }
  return undefined;
};

/**
 * Brings values from settings or from the last run back inside the limits, so that a hand-edited
 * setting can never send an out-of-range request.
 */
export function sanitizeParameters(candidate: Partial<GenerationParameters>, fallback: GenerationParameters): GenerationParameters {
  const pick = <T>(value: T | undefined, valid: (v: T) => boolean, otherwise: T): T =>
    value !== undefined && valid(value) ? value : otherwise;
  return {
    prompt: pick(candidate.prompt, (v) => typeof v === 'string' && !validatePrompt(v), fallback.prompt),
    negativePrompt: pick(candidate.negativePrompt, (v) => typeof v === 'string' && !validateNegativePrompt(v), fallback.negativePrompt),
    width: pick(candidate.width, (v) => !validateSize(`${v}x${LIMITS.side.min}`), fallback.width),
    height: pick(candidate.height, (v) => !validateSize(`${LIMITS.side.min}x${v}`), fallback.height),
    steps: pick(candidate.steps, (v) => !validateSteps(String(v)), fallback.steps),
    guidanceScale: pick(candidate.guidanceScale, (v) => !validateGuidanceScale(String(v)), fallback.guidanceScale),
    seed: candidate.seed === undefined || candidate.seed === null ? undefined : pick(candidate.seed, (v) => !validateSeed(String(v)), undefined),
    proxyLinks: typeof candidate.proxyLinks === 'boolean' ? candidate.proxyLinks : fallback.proxyLinks,
    padToSquare: typeof candidate.padToSquare === 'boolean' ? candidate.padToSquare : (fallback.padToSquare ?? true),
    removeBackground: typeof candidate.removeBackground === 'boolean' ? candidate.removeBackground : (fallback.removeBackground ?? false),
    // Checked against the endpoint when the request is built (api/request.ts); only the types are checked here.
    ...(typeof candidate.webhook === 'string' && candidate.webhook !== '' ? { webhook: candidate.webhook } : {}),
    ...(typeof candidate.trackId === 'string' || typeof candidate.trackId === 'number' ? { trackId: candidate.trackId } : {}),
  };
}

export const BUILT_IN_DEFAULTS: GenerationParameters = {
  prompt: 'make multiple images',
  negativePrompt: '',
  width: 640,
  height: 960,
  steps: 50,
  guidanceScale: 4,
  seed: undefined,
  proxyLinks: false,
  padToSquare: true,
  removeBackground: false,
};
