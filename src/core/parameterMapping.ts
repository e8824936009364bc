/**
 * One vocabulary for the generation parameters: the quick input, the settings and the pipeline speak
 * `GenerationParameters` (camelCase); the wire (snake_case) and the sidecar (snake_case, as sent) are produced from
 * it, and a sidecar is read back into it, only here.
 */
import type { EncodedRequestFields } from '../api/request';
import type { MultiviewRequest } from '../api/types';
import { BUILT_IN_DEFAULTS, type GenerationParameters, sanitizeParameters } from './parameters';
import { paddingRequested, type Sidecar } from './sidecarSchema';
import { urlForDisplay } from '../api/endpoints';

/** The request's fields (all but the image) for these parameters, before the endpoint's encoding. */
export function toRequestFields(parameters: GenerationParameters): Omit<MultiviewRequest, 'image'> {
  return {
    prompt: parameters.prompt,
    negative_prompt: parameters.negativePrompt,
    width: parameters.width,
    height: parameters.height,
    temp: parameters.proxyLinks ? 'yes' : 'no',
    num_inference_steps: parameters.steps,
    guidance_scale: parameters.guidanceScale,
    seed: parameters.seed ?? null,
    webhook: parameters.webhook?.trim() || null,
    track_id: typeof parameters.trackId === 'string' ? parameters.trackId.trim() || null : (parameters.trackId ?? null),
  };
}

/**
 * The sidecar's `parameters`: what was sent, as the endpoint encoded it, except the webhook, kept as its origin and
 * path only (a webhook's only protection is often a secret in its URL, and sidecars end up in repositories).
 */
export function toSidecarParameters(sent: EncodedRequestFields): Sidecar['parameters'] {
  return {
    prompt: sent.prompt,
    negative_prompt: sent.negative_prompt,
    width: sent.width,
    height: sent.height,
    num_inference_steps: sent.num_inference_steps,
    guidance_scale: sent.guidance_scale,
    seed: sent.seed,
    temp: sent.temp,
    webhook: sent.webhook === null ? null : urlForDisplay(sent.webhook),
    track_id: sent.track_id,
  };
}

/**
 * The parameters a sidecar records, as the quick input and the pipeline take them (re-runs), brought back inside
 * the limits (a hand-edited sidecar must not send an out-of-range request): an invalid value becomes the built-in
 * default, an invalid seed a random one.
 */
export function fromSidecar(sidecar: Sidecar): GenerationParameters {
  const { parameters } = sidecar;
  return sanitizeParameters(
    {
      prompt: parameters.prompt,
      negativePrompt: parameters.negative_prompt,
      width: parameters.width,
      height: parameters.height,
      steps: parameters.num_inference_steps,
      guidanceScale: parameters.guidance_scale,
      seed: parameters.seed ?? undefined,
      proxyLinks: parameters.temp === 'yes' || parameters.temp === true,
      // The sidecar keeps only the webhook's origin and path, not a secret in its query: not re-sent.
      trackId: parameters.track_id ?? undefined,
      // An older sidecar, from before the choice was offered: the default, pad.
      padToSquare: sidecar.inputPreparation ? paddingRequested(sidecar.inputPreparation) : true,
      // The result was made from a cut-out of the photo: make the next one the same way.
      removeBackground: sidecar.subject !== null,
    },
    BUILT_IN_DEFAULTS,
  );
}
