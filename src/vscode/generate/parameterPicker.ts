/**
 * The quick input that collects the generation parameters: seven steps, then, when they matter for the picked
 * image, whether to remove its background first (a photo with a background) and whether to pad it to a square (an
 * image that is not square, or may have transparency).
 */
import * as vscode from 'vscode';
import { endpointLabel } from '../../api/request';
import { closestAllowedSteps, parseTrackId, validateTrackId, validateWebhookUrl } from '../../api/requestRules';
import type { ApiEndpoints } from '../../api/types';
import {
  type GenerationParameters,
  LIMITS,
  parseSize,
  sizePresets,
  validateGuidanceScale,
  validateNegativePrompt,
  validatePrompt,
  validateSeed,
  validateSize,
  validateSteps,
} from '../../core/parameters';
import { backgroundRemovalMatters, type ImageInfo, paddingMatters } from '../../image/engine';
import { type InputStep, MultiStepInput } from './multiStepInput';

const PARAMETER_STEPS = 7;

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * Asks for every parameter, starting from `initial`. `undefined` when the user cancelled.
 *
 * `image`: the picked image's facts, from its header (inspectImageFile). An opaque image adds a step that offers to
 * remove its background first; one that is not square or may have transparency, a step about padding it. A step
 * not asked keeps its value from `initial`.
 */
export async function pickParameters(
  initial: GenerationParameters,
  imageName: string,
  endpoints: ApiEndpoints,
  image?: ImageInfo,
): Promise<GenerationParameters | undefined> {
  const { preset, allowedSteps } = endpoints;
  const chosen = {
    ...initial,
    steps: closestAllowedSteps(initial.steps, preset),
    padToSquare: initial.padToSquare ?? true,
    removeBackground: initial.removeBackground ?? false,
  };
  const title = vscode.l10n.t('Generate Multiview: {0}', imageName);
  const askAboutBackground = image !== undefined && backgroundRemovalMatters(image);
  const askAboutPadding = image !== undefined && paddingMatters(image);
  const backgroundStep = PARAMETER_STEPS + 1;
  const paddingStep = PARAMETER_STEPS + (askAboutBackground ? 2 : 1);
  const totalSteps = PARAMETER_STEPS + (askAboutBackground ? 1 : 0) + (askAboutPadding ? 1 : 0);
  const afterParameters = (): InputStep | undefined => (askAboutBackground ? askBackground : askAboutPadding ? askPadding : undefined);
  const common = (step: number) => ({ title, step, totalSteps });

  const askPrompt: InputStep = async (input) => {
    chosen.prompt = await input.showInputBox({
      ...common(1),
      value: chosen.prompt,
      prompt: vscode.l10n.t('Prompt: describe the object (the views follow the image more than the text)'),
      validate: validatePrompt,
    });
    return askNegativePrompt;
  };

  const askNegativePrompt: InputStep = async (input) => {
    chosen.negativePrompt = await input.showInputBox({
      ...common(2),
      value: chosen.negativePrompt,
      prompt: vscode.l10n.t('Negative prompt: what the views should avoid (optional, press Enter to skip)'),
      placeholder: vscode.l10n.t('e.g. blurry, text, watermark'),
      validate: validateNegativePrompt,
    });
    return askSize;
  };

  const askSize: InputStep = async (input) => {
    const presets: Choice<{ width: number; height: number } | 'custom'>[] = sizePresets().map((preset) => ({
      label: preset.label,
      detail: preset.detail,
      value: { width: preset.width, height: preset.height },
    }));
    const current = presets.find((item) => item.value !== 'custom' && item.value.width === chosen.width && item.value.height === chosen.height);
    const custom: Choice<'custom'> = {
      label: vscode.l10n.t('Custom size…'),
      description: current ? undefined : `${chosen.width} × ${chosen.height}`,
      detail: vscode.l10n.t('Any width and height from {0} to {1}, multiples of 8', LIMITS.side.min, LIMITS.side.max),
      value: 'custom',
    };
    if (current) {
      current.description = vscode.l10n.t('current');
    }
    const picked = await input.showQuickPick({
      ...common(3),
      placeholder: vscode.l10n.t('Output size: the whole grid of 3 rows × 2 columns'),
      items: [...presets, custom],
      activeItem: current ?? custom,
    });
    if (picked.value !== 'custom') {
      Object.assign(chosen, picked.value);
      return askSteps;
    }
    const text = await input.showInputBox({
      ...common(3),
      value: `${chosen.width}x${chosen.height}`,
      prompt: vscode.l10n.t('Output size as WIDTHxHEIGHT (each side {0}–{1}, a multiple of 8)', LIMITS.side.min, LIMITS.side.max),
      validate: validateSize,
    });
    Object.assign(chosen, parseSize(text));
    return askSteps;
  };

  const askSteps: InputStep = async (input) => {
    if (allowedSteps) {
      // This endpoint documents only a few values: offer exactly those.
      const items = allowedSteps.map((steps): Choice<number> => ({ label: String(steps), value: steps }));
      const picked = await input.showQuickPick({
        ...common(4),
        placeholder: vscode.l10n.t('Inference steps: {0} accepts only these', endpointLabel(endpoints)),
        items,
        activeItem: items.find((item) => item.value === chosen.steps),
      });
      chosen.steps = picked.value;
      return askGuidance;
    }
    chosen.steps = Number(
      await input.showInputBox({
        ...common(4),
        value: String(chosen.steps),
        prompt: vscode.l10n.t('Inference steps ({0}–{1}): more steps, finer views, longer wait', LIMITS.steps.min, LIMITS.steps.max),
        validate: validateSteps,
      }),
    );
    return askGuidance;
  };

  const askGuidance: InputStep = async (input) => {
    chosen.guidanceScale = Number(
      await input.showInputBox({
        ...common(5),
        value: String(chosen.guidanceScale),
        prompt: vscode.l10n.t(
          'Guidance scale ({0}–{1}): how strictly to follow the prompt; 4 suits this model',
          LIMITS.guidanceScale.min,
          LIMITS.guidanceScale.max,
        ),
        validate: validateGuidanceScale,
      }),
    );
    return askSeed;
  };

  const askSeed: InputStep = async (input) => {
    const random: Choice<'random'> = { label: vscode.l10n.t('Random seed'), detail: vscode.l10n.t('A new variation each time'), value: 'random' };
    const fixed: Choice<'fixed'> = {
      label: vscode.l10n.t('Fixed seed…'),
      description: chosen.seed === undefined ? undefined : String(chosen.seed),
      detail: vscode.l10n.t('Repeatable results: the same seed and parameters give the same views'),
      value: 'fixed',
    };
    const picked = await input.showQuickPick({
      ...common(6),
      placeholder: vscode.l10n.t('Seed'),
      items: [random, fixed],
      activeItem: chosen.seed === undefined ? random : fixed,
    });
    if (picked.value === 'random') {
      chosen.seed = undefined;
      return askProxyLinks;
    }
    chosen.seed = Number(
      await input.showInputBox({
        ...common(6),
        value: chosen.seed === undefined ? '' : String(chosen.seed),
        prompt: vscode.l10n.t('Seed ({0}–{1})', LIMITS.seed.min, LIMITS.seed.max),
        placeholder: vscode.l10n.t('e.g. 12345'),
        validate: validateSeed,
      }),
    );
    return askProxyLinks;
  };

  const askProxyLinks: InputStep = async (input) => {
    const no: Choice<boolean | 'advanced'> = { label: vscode.l10n.t('Normal links only'), detail: vscode.l10n.t('The usual storage links'), value: false };
    const yes: Choice<boolean | 'advanced'> = {
      label: vscode.l10n.t('Also request proxy links'),
      detail: vscode.l10n.t('A second set of links, used if the storage provider is blocked where you are'),
      value: true,
    };
    const advancedSummary = [chosen.webhook && vscode.l10n.t('webhook set'), chosen.trackId !== undefined && vscode.l10n.t('track id {0}', chosen.trackId)]
      .filter(Boolean)
      .join(', ');
    const advanced: Choice<boolean | 'advanced'> = {
      label: vscode.l10n.t('Webhook and track ID…'),
      description: advancedSummary || undefined,
      detail: vscode.l10n.t('Advanced: let the service call your https endpoint when the job ends'),
      value: 'advanced',
    };
    const separator = { label: vscode.l10n.t('Advanced'), kind: vscode.QuickPickItemKind.Separator, value: false } as Choice<boolean | 'advanced'>;
    const picked = await input.showQuickPick({
      ...common(7),
      placeholder: vscode.l10n.t('Proxy links'),
      items: [no, yes, separator, advanced],
      activeItem: chosen.proxyLinks ? yes : no,
    });
    if (picked.value !== 'advanced') {
      chosen.proxyLinks = picked.value;
      return afterParameters();
    }
    const webhook = await input.showInputBox({
      ...common(7),
      value: chosen.webhook ?? '',
      prompt: vscode.l10n.t('Webhook: an https URL the service calls when the job ends (leave empty for none)'),
      placeholder: 'https://example.com/multiview-hook',
      validate: validateWebhookUrl,
    });
    chosen.webhook = webhook.trim() || undefined;
    const trackId = await input.showInputBox({
      ...common(7),
      value: chosen.trackId === undefined ? '' : String(chosen.trackId),
      prompt: vscode.l10n.t('Track ID: returned in the webhook call to identify this job (leave empty for none)'),
      validate: (text) => validateTrackId(text, preset),
    });
    chosen.trackId = parseTrackId(trackId, preset);
    return askProxyLinks;
  };

  const askBackground: InputStep = async (input) => {
    const keep: Choice<boolean> = {
      label: vscode.l10n.t('Keep the background'),
      detail: vscode.l10n.t('Send the picture as it is; the model works best on an object alone'),
      value: false,
    };
    const remove: Choice<boolean> = {
      label: vscode.l10n.t('Remove the background first (one more job: spends credits)'),
      detail: vscode.l10n.t('The object alone can be framed on the model’s grey, as the model was trained: cleaner, larger views of it. The cut-out is saved beside the views.'),
      value: true,
    };
    const picked = await input.showQuickPick({
      ...common(backgroundStep),
      placeholder: vscode.l10n.t('Background: a photo with a background gives cleaner views when the object is cut out first'),
      items: [keep, remove],
      activeItem: chosen.removeBackground ? remove : keep,
    });
    chosen.removeBackground = picked.value;
    return askAboutPadding ? askPadding : undefined;
  };

  const askPadding: InputStep = async (input) => {
    if (!image) {
      return undefined;
    }
    const square = image.width === image.height;
    const size = `${image.width} × ${image.height}`;
    const placeholder = !square
      ? image.hasAlpha
        ? vscode.l10n.t('Prepare the image: {0}, not square, may have transparency', size)
        : vscode.l10n.t('Prepare the image: {0}, not square', size)
      : vscode.l10n.t('Prepare the image: {0}, may have transparency', size);
    const pad: Choice<boolean> = {
      label: square
        ? vscode.l10n.t('Put it on a grey background (recommended)')
        : vscode.l10n.t('Pad to a square on a grey background (recommended)'),
      detail: square
        ? vscode.l10n.t('Transparent areas become the neutral grey the model expects')
        : vscode.l10n.t('The model wants a square image with the object centred; nothing is cropped or scaled up'),
      value: true,
    };
    const asIs: Choice<boolean> = {
      label: vscode.l10n.t('Send as it is'),
      detail: vscode.l10n.t('Upload the image unchanged'),
      value: false,
    };
    const picked = await input.showQuickPick({
      ...common(paddingStep),
      placeholder,
      items: [pad, asIs],
      activeItem: chosen.padToSquare ? pad : asIs,
    });
    chosen.padToSquare = picked.value;
    return undefined;
  };

  return (await MultiStepInput.run(askPrompt)) ? chosen : undefined;
}
