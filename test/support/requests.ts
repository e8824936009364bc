import type { MultiviewRequest } from '../../src/api/types';

/** A valid request for every preset (31 steps is allowed everywhere); tests override what they look at. */
export function sampleRequest(overrides: Partial<MultiviewRequest> = {}): MultiviewRequest {
  return {
    prompt: 'a ceramic mug',
    negative_prompt: '',
    image: 'https://img.example/in.png',
    width: 640,
    height: 960,
    temp: 'no',
    num_inference_steps: 31,
    guidance_scale: 4,
    seed: null,
    webhook: null,
    track_id: null,
    ...overrides,
  };
}
