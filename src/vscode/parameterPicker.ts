/** The seven-step quick input that collects the generation parameters. */
import * as vscode from 'vscode';
import { closestAllowedSteps, ENDPOINT_PRESETS, type EndpointPresetId, parseTrackId, validateTrackId, validateWebhookUrl } from '../api/presets';
import {
  type GenerationParameters,
  LIMITS,
  parseSize,
  SIZE_PRESETS,
  validateGuidanceScale,
  validateNegativePrompt,
  validatePrompt,
  validateSeed,
  validateSize,
  validateSteps,
} from '../core/parameters';
import { type InputStep, MultiStepInput } from './multiStepInput';

const TITLE = 'Generate Multiview';
const TOTAL_STEPS = 7;

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/** Asks for every parameter, starting from `initial`. `undefined` when the user cancelled. */
export async function pickParameters(
  initial: GenerationParameters,
  imageName: string,
  preset: EndpointPresetId,
): Promise<GenerationParameters | undefined> {
  const allowedSteps = ENDPOINT_PRESETS[preset].allowedSteps;
  const chosen = { ...initial, steps: closestAllowedSteps(initial.steps, preset) };
  const title = `${TITLE}: ${imageName}`;
  const common = (step: number) => ({ title, step, totalSteps: TOTAL_STEPS });

  const askPrompt: InputStep = async (input) => {
    chosen.prompt = await input.showInputBox({
      ...common(1),
      value: chosen.prompt,
      prompt: 'Prompt: describe the object (the views follow the image more than the text)',
      validate: validatePrompt,
    });
    return askNegativePrompt;
  };

  const askNegativePrompt: InputStep = async (input) => {
    chosen.negativePrompt = await input.showInputBox({
      ...common(2),
      value: chosen.negativePrompt,
      prompt: 'Negative prompt: what the views should avoid (optional, press Enter to skip)',
      placeholder: 'e.g. blurry, text, watermark',
      validate: validateNegativePrompt,
    });
    return askSize;
  };

  const askSize: InputStep = async (input) => {
    const presets: Choice<{ width: number; height: number } | 'custom'>[] = SIZE_PRESETS.map((preset) => ({
      label: preset.label,
      detail: preset.detail,
      value: { width: preset.width, height: preset.height },
    }));
    const current = presets.find((item) => item.value !== 'custom' && item.value.width === chosen.width && item.value.height === chosen.height);
    const custom: Choice<'custom'> = {
      label: 'Custom size…',
      description: current ? undefined : `${chosen.width} × ${chosen.height}`,
      detail: `Any width and height from ${LIMITS.side.min} to ${LIMITS.side.max}, multiples of 8`,
      value: 'custom',
    };
    if (current) {
      current.description = 'current';
    }
    const picked = await input.showQuickPick({
      ...common(3),
      placeholder: 'Output size: the whole grid of 3 rows × 2 columns',
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
      prompt: `Output size as WIDTHxHEIGHT (each side ${LIMITS.side.min}–${LIMITS.side.max}, a multiple of 8)`,
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
        placeholder: `Inference steps: ${ENDPOINT_PRESETS[preset].label} accepts only these`,
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
        prompt: `Inference steps (${LIMITS.steps.min}–${LIMITS.steps.max}): more steps, finer views, longer wait`,
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
        prompt: `Guidance scale (${LIMITS.guidanceScale.min}–${LIMITS.guidanceScale.max}): how strictly to follow the prompt; 4 suits this model`,
        validate: validateGuidanceScale,
      }),
    );
    return askSeed;
  };

  const askSeed: InputStep = async (input) => {
    const random: Choice<'random'> = { label: 'Random seed', detail: 'A new variation each time', value: 'random' };
    const fixed: Choice<'fixed'> = {
      label: 'Fixed seed…',
      description: chosen.seed === undefined ? undefined : String(chosen.seed),
      detail: 'Repeatable results: the same seed and parameters give the same views',
      value: 'fixed',
    };
    const picked = await input.showQuickPick({
      ...common(6),
      placeholder: 'Seed',
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
        prompt: `Seed (${LIMITS.seed.min}–${LIMITS.seed.max})`,
        placeholder: 'e.g. 12345',
        validate: validateSeed,
      }),
    );
    return askProxyLinks;
  };

  const askProxyLinks: InputStep = async (input) => {
    const no: Choice<boolean | 'advanced'> = { label: 'Normal links only', detail: 'The usual storage links', value: false };
    const yes: Choice<boolean | 'advanced'> = {
      label: 'Also request proxy links',
      detail: 'A second set of links, used if the storage provider is blocked where you are',
      value: true,
    };
    const advancedSummary = [chosen.webhook && 'webhook set', chosen.trackId !== undefined && `track id ${chosen.trackId}`].filter(Boolean).join(', ');
    const advanced: Choice<boolean | 'advanced'> = {
      label: 'Webhook and track ID…',
      description: advancedSummary || undefined,
      detail: 'Advanced: let the service call your https endpoint when the job ends',
      value: 'advanced',
    };
    const separator = { label: 'Advanced', kind: vscode.QuickPickItemKind.Separator, value: false } as Choice<boolean | 'advanced'>;
    const picked = await input.showQuickPick({
      ...common(7),
      placeholder: 'Proxy links',
      items: [no, yes, separator, advanced],
      activeItem: chosen.proxyLinks ? yes : no,
    });
    if (picked.value !== 'advanced') {
      chosen.proxyLinks = picked.value;
      return undefined;
    }
    const webhook = await input.showInputBox({
      ...common(7),
      value: chosen.webhook ?? '',
      prompt: 'Webhook: an https URL the service calls when the job ends (leave empty for none)',
      placeholder: 'https://example.com/multiview-hook',
      validate: validateWebhookUrl,
    });
    chosen.webhook = webhook.trim() || undefined;
    const trackId = await input.showInputBox({
      ...common(7),
      value: chosen.trackId === undefined ? '' : String(chosen.trackId),
      prompt: `Track ID: returned in the webhook call to identify this job (leave empty for none)`,
      validate: (text) => validateTrackId(text, preset),
    });
    chosen.trackId = parseTrackId(trackId, preset);
    return askProxyLinks;
  };

  return (await MultiStepInput.run(askPrompt)) ? chosen : undefined;
}
