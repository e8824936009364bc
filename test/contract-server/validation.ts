/**
 * The contract server's request validation, one function per kind of job, answering like the real service:
 * a Laravel-style map from field to messages (docs/api-contract.md §2.3), or undefined when the body is fine.
 * Fields the service does not know are ignored, as Laravel ignores them.
 */
import { isModelFormat, MODEL_FORMATS } from './model-files';

/** Field -> messages, as `message` of a validation error. */
export type FieldErrors = Record<string, string[]>;

/** The request conventions of one route family (one per endpoint preset family; see server.ts). */
export type Dialect = 'v5' | 'v6' | 'enterprise';

const V6_ALLOWED_STEPS = [21, 31, 41];

export function validateMultiviewRequest(body: Record<string, unknown>, dialect: Dialect): FieldErrors | undefined {
  const errors: FieldErrors = {};
  if (typeof body.prompt !== 'string') errors.prompt = ['The prompt field is required.'];
  const inline = isDataUri(body.image);
  if (dialect === 'v6' && inline) {
    if (body.base64 !== true) errors.base64 = ['The base64 field must be true when the image is a base64 data URI.'];
  } else if (!isHttpUrl(body.image)) {
    errors.image = ['The image field must be a valid URL.'];
  }
  if (dialect === 'v5') {
    if (body.temp !== undefined && body.temp !== 'yes' && body.temp !== 'no') errors.temp = ['The selected temp is invalid. Use "yes" or "no".'];
  } else if (body.temp !== undefined && typeof body.temp !== 'boolean') {
    errors.temp = ['The temp field must be true or false.'];
  }
  if (dialect === 'v6') {
    const steps = body.num_inference_steps;
    if (isPresent(steps) && !V6_ALLOWED_STEPS.includes(steps as number)) {
      errors.num_inference_steps = ['The selected num inference steps is invalid. Allowed values: 21, 31, 41.'];
    }
    if (isPresent(body.track_id) && !Number.isInteger(body.track_id)) errors.track_id = ['The track id must be an integer.'];
  }
  checkWebhook(errors, body);
  // The platform's generic range wording (S4), which the multiview tests already match.
  const ranges: Array<[string, number, number]> = [
    ['width', 256, 1024],
    ['height', 256, 1024],
    ['num_inference_steps', 1, 50],
    ['guidance_scale', 1, 20],
  ];
  for (const [field, min, max] of ranges) {
    const value = body[field];
    if (!isPresent(value)) continue;
    if (typeof value !== 'number' || value < min || value > max) errors[field] = [`${field} must be between ${min} and ${max}`];
  }
  return orUndefined(errors);
}

/** removebg_mask: v5 takes an image URL; v6 also a data URI, an integer track_id, and knows `inverse_mask` (ignored on v5). */
export function validateRemovebgRequest(body: Record<string, unknown>, dialect: Dialect): FieldErrors | undefined {
  const errors: FieldErrors = {};
  if (!isPresent(body.image) || body.image === '') errors.image = ['The image field is required.'];
  else if (!(isHttpUrl(body.image) || (dialect === 'v6' && isDataUri(body.image)))) {
    errors.image = [dialect === 'v6' ? 'The image field must be a valid URL or a base64 image.' : 'The image field must be a valid URL.'];
  }
  const booleans = ['alpha_matting', 'post_process_mask', 'only_mask', ...(dialect === 'v6' ? ['inverse_mask'] : [])];
  for (const field of booleans) checkBoolean(errors, body, field);
  checkNumber(errors, body, 'seed', { integer: true, min: 0 });
  checkNumber(errors, body, 'alpha_matting_foreground_threshold', { integer: true, min: 0, max: 240 });
  checkNumber(errors, body, 'alpha_matting_background_threshold', { integer: true, min: 0, max: 20 });
  checkNumber(errors, body, 'alpha_matting_erode_size', { integer: true, min: 0, max: 5 });
  // v6 documents track_id as an "integral value", as for v6 multiview.
  if (dialect === 'v6' && isPresent(body.track_id) && !Number.isInteger(body.track_id)) errors.track_id = ['The track id must be an integer.'];
  checkWebhook(errors, body);
  return orUndefined(errors);
}

/** image_to_3d (v6 and enterprise alike): the image as a URL in `image` or `init_image`, TRELLIS-style knobs. */
export function validateImageTo3dRequest(body: Record<string, unknown>): FieldErrors | undefined {
  const errors: FieldErrors = {};
  const image = isPresent(body.image) ? 'image' : isPresent(body.init_image) ? 'init_image' : undefined;
  if (!image) errors.image = ['The image field is required when init image is not present.'];
  else if (!isHttpUrl(body[image])) errors[image] = [`The ${label(image)} field must be a valid URL.`];
  if (isPresent(body.output_format) && !isModelFormat(body.output_format)) {
    errors.output_format = [`The selected output format is invalid. Allowed values: ${MODEL_FORMATS.join(', ')}.`];
  }
  for (const field of ['render', 'multi_image', 'remove_bg']) checkBoolean(errors, body, field);
  checkNumber(errors, body, 'resolution', { integer: true, min: 1, max: 512 });
  checkNumber(errors, body, 'ss_guidance_strength', { min: 0 });
  checkNumber(errors, body, 'ss_sampling_steps', { integer: true, min: 1, max: 50 });
  checkNumber(errors, body, 'slat_guidance_strength', { min: 0, max: 10 });
  checkNumber(errors, body, 'slat_sampling_steps', { integer: true, min: 1, max: 50 });
  checkNumber(errors, body, 'mesh_simplify', { min: 0.9, max: 0.98 });
  checkNumber(errors, body, 'chunk_size', { integer: true, min: 1, max: 12000 });
  checkNumber(errors, body, 'seed', { integer: true, min: 0 });
  checkNumber(errors, body, 'foreground_ratio', { min: 0, max: 1 });
  if (isPresent(body.temp) && body.temp !== 'yes' && body.temp !== 'no') errors.temp = ['The selected temp is invalid. Use "yes" or "no".'];
  checkWebhook(errors, body);
  return orUndefined(errors);
}

function checkBoolean(errors: FieldErrors, body: Record<string, unknown>, field: string): void {
  if (isPresent(body[field]) && typeof body[field] !== 'boolean') errors[field] = [`The ${label(field)} field must be true or false.`];
}

/** Laravel's numeric, integer, min, max and between messages. null counts as absent (the docs send `seed: null`). */
function checkNumber(errors: FieldErrors, body: Record<string, unknown>, field: string, rule: { integer?: boolean; min?: number; max?: number }): void {
  const value = body[field];
  if (!isPresent(value)) return;
  const name = label(field);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors[field] = [`The ${name} field must be ${rule.integer ? 'an integer' : 'a number'}.`];
    return;
  }
  if (rule.integer && !Number.isInteger(value)) {
    errors[field] = [`The ${name} field must be an integer.`];
    return;
  }
  const { min, max } = rule;
  const tooSmall = min !== undefined && value < min;
  const tooLarge = max !== undefined && value > max;
  if (!tooSmall && !tooLarge) return;
  if (min !== undefined && max !== undefined) errors[field] = [`The ${name} field must be between ${min} and ${max}.`];
  else if (tooSmall) errors[field] = [`The ${name} field must be at least ${min}.`];
  else errors[field] = [`The ${name} field must not be greater than ${max}.`];
}

function checkWebhook(errors: FieldErrors, body: Record<string, unknown>): void {
  const webhook = body.webhook;
  if (isPresent(webhook) && (typeof webhook !== 'string' || !/^https?:\/\/[^\s]+$/i.test(webhook))) {
    errors.webhook = ['The webhook must be a valid URL.'];
  }
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\//i.test(value);
}

export function isDataUri(value: unknown): value is string {
  return typeof value === 'string' && /^data:image\/[a-z0-9.+-]+;base64,/i.test(value);
}

function label(field: string): string {
  return field.replace(/_/g, ' ');
}

function orUndefined(errors: FieldErrors): FieldErrors | undefined {
  return Object.keys(errors).length > 0 ? errors : undefined;
}
