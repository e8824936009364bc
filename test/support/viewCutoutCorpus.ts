/**
 * Generated views with known alpha, for the view cut-out's tests and bench (no binaries in git): small scenes drawn
 * by a supersampled rasteriser (4x4 samples where a pixel straddles an edge, so the truth alpha is anti-aliased), on a
 * backdrop like the model's: not exactly 127, slightly tinted and drifting, with soft contact shadows (not part of
 * the truth), low-frequency blotches, per-pixel Gaussian noise and overshoot at edges (a sharpening halo standing in
 * for JPEG ringing).
 */
import type { RgbaImage } from '../../src/image/raster';

export interface CutoutCase {
  name: string;
  view: RgbaImage;
  /** Coverage of the subject, 0..1 a pixel. */
  truthAlpha: Float32Array;
  /** The subject's own colour (3 a pixel, before noise) where it covers the pixel at all. */
  truthColour: Float32Array;
  /**
   * The subject's colour is within the backdrop's noise tolerance (140,135,130 on ~127): not expected to reach the
   * corpus's bounds, asserted on its own.
   */
  nearGrey?: boolean;
  /** A region that must come out transparent (the mug handle's hole). */
  hole?: Box;
  /** A grey-ish region inside the subject that must stay opaque. */
  greyPatch?: Box;
  /** The dark core of the contact shadow (darkened by more than half its depth), subject pixels in it included. */
  shadowCore?: Box;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A part of a scene, in a 320 x 320 frame: true and its colour in `rgb` when it covers (x, y). */
type Part = (x: number, y: number, rgb: Float64Array) => boolean;

interface Scene {
  name: string;
  size: number;
  backdrop: readonly [number, number, number];
  noiseSigma: number;
  seed: number;
  parts: Part[];
  shadow?: { cx: number; cy: number; rx: number; ry: number; depth: number };
  nearGrey?: boolean;
  hole?: Box;
  greyPatch?: Box;
}

const FRAME = 320;
const SAMPLES = 4;
const RINGING = 0.35;
const LIGHT = normalise([-0.45, -0.55, 0.7]);

let corpus: CutoutCase[] | undefined;

/** The corpus (rendered once per process). */
export function viewCutoutCorpus(): CutoutCase[] {
  corpus ??= SCENES.map(renderScene);
  return corpus;
}

/** A view with nothing on it: the backdrop, its drift, blotches and noise. */
export function backdropOnlyView(size: number, seed: number): RgbaImage {
  return renderScene({ name: 'empty', size, backdrop: [128, 126, 129], noiseSigma: 3, seed, parts: [] }).view;
}

const SCENES: Scene[] = [
  {
    name: 'blue sphere, shadow (320)',
    size: 320,
    backdrop: [127, 127, 127],
    noiseSigma: 3,
    seed: 1,
    parts: [sphere(160, 150, 95, [70, 130, 200], 0.2)],
    shadow: { cx: 165, cy: 248, rx: 90, ry: 18, depth: 0.2 },
  },
  {
    name: 'orange box, tinted backdrop (512)',
    size: 512,
    backdrop: [124, 126, 131],
    noiseSigma: 3.5,
    seed: 2,
    parts: isoBox(160, 170, 80, [210, 120, 50]),
    shadow: { cx: 160, cy: 262, rx: 110, ry: 20, depth: 0.18 },
  },
  {
    name: 'chair with thin legs (320)',
    size: 320,
    backdrop: [130, 130, 128],
    noiseSigma: 2.5,
    seed: 3,
    parts: chair([120, 75, 45]),
    shadow: { cx: 160, cy: 262, rx: 80, ry: 14, depth: 0.15 },
  },
  {
    name: 'red mug with handle (320)',
    size: 320,
    backdrop: [125, 125, 126],
    noiseSigma: 3,
    seed: 4,
    parts: mug([190, 60, 55]),
    shadow: { cx: 160, cy: 236, rx: 95, ry: 16, depth: 0.18 },
    hole: { x: 214, y: 148, width: 18, height: 20 },
  },
  {
    name: 'blue mug with handle, warm backdrop (512)',
    size: 512,
    backdrop: [129, 127, 123],
    noiseSigma: 4,
    seed: 5,
    parts: mug([60, 90, 170]),
    hole: { x: 214, y: 148, width: 18, height: 20 },
  },
  {
    name: 'dark blob (320)',
    size: 320,
    backdrop: [122, 122, 124],
    noiseSigma: 3,
    seed: 6,
    parts: [ellipsoid(160, 160, 90, 110, [38, 34, 42], 0.5)],
    shadow: { cx: 160, cy: 268, rx: 85, ry: 16, depth: 0.2 },
  },
  {
    name: 'bright yellow sphere (512)',
    size: 512,
    backdrop: [133, 133, 133],
    noiseSigma: 2,
    seed: 7,
    parts: [sphere(160, 160, 100, [245, 225, 130], 0.6)],
  },
  {
    name: 'green box with grey labels (320)',
    size: 320,
    backdrop: [127, 127, 127],
    noiseSigma: 3,
    seed: 8,
    parts: labelledBox(),
    greyPatch: { x: 112, y: 142, width: 40, height: 24 },
  },
  {
    name: 'near-grey sphere 140,135,130 (320)',
    size: 320,
    backdrop: [127, 127, 127],
    noiseSigma: 2,
    seed: 9,
    parts: [sphere(160, 160, 90, [140, 135, 130], 0.8)],
    nearGrey: true,
  },
];

function renderScene(scene: Scene): CutoutCase {
  const { size } = scene;
  const area = size * size;
  const scale = FRAME / size;
  const random = mulberry32(scene.seed);
  const truthAlpha = new Float32Array(area);
  const clean = new Float32Array(area * 3);
  const truthColour = new Float32Array(area * 3);
  const rgb = new Float64Array(3);
  const sum = new Float64Array(3);
  const drift = [random() * 6 - 3, random() * 6 - 3, random() * 6 - 3];
  const phases = [random(), random()];
  const blotches = Array.from({ length: 6 }, () => ({
    x: random() * size,
    y: random() * size,
    radius: (0.06 + random() * 0.08) * size,
    amplitude: random() * 6 - 3,
  }));
  const cover = (x: number, y: number): number => {
    for (let k = 0; k < scene.parts.length; k++) if (scene.parts[k](x * scale, y * scale, rgb)) return k;
    return -1;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Four corner samples agree: a uniform pixel, coloured at its centre; else all 4x4 samples.
      const lo = 0.5 / SAMPLES;
      const hi = 1 - lo;
      const corner = cover(x + lo, y + lo);
      const uniform = corner === cover(x + hi, y + lo) && corner === cover(x + lo, y + hi) && corner === cover(x + hi, y + hi);
      let covered = 0;
      sum.fill(0);
      if (uniform) {
        if (corner >= 0 && scene.parts[corner]((x + 0.5) * scale, (y + 0.5) * scale, rgb)) {
          covered = 1;
          sum.set(rgb);
        }
      } else {
        for (let sy = 0; sy < SAMPLES; sy++) {
          for (let sx = 0; sx < SAMPLES; sx++) {
            if (cover(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES) >= 0) {
              covered++;
              sum[0] += rgb[0];
              sum[1] += rgb[1];
              sum[2] += rgb[2];
            }
          }
        }
        covered /= SAMPLES * SAMPLES;
        if (covered > 0) for (let c = 0; c < 3; c++) sum[c] /= covered * SAMPLES * SAMPLES;
      }
      const i = y * size + x;
      truthAlpha[i] = covered;
      truthColour.set(sum, i * 3);
      const u = x / size;
      const v = y / size;
      const wave = 2.5 * Math.sin(2 * Math.PI * (0.6 * u + phases[0])) + 2 * Math.cos(2 * Math.PI * (0.8 * v + phases[1]));
      let blotch = 0;
      for (const b of blotches) blotch += b.amplitude * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (b.radius * b.radius));
      let shade = 1;
      if (scene.shadow) {
        const s = scene.shadow;
        shade -= s.depth * Math.exp(-(((x * scale - s.cx) / s.rx) ** 2) - ((y * scale - s.cy) / s.ry) ** 2);
      }
      for (let c = 0; c < 3; c++) {
        const backdrop = (scene.backdrop[c] + wave + drift[c] * (u - 0.5) * 2) * shade;
        clean[i * 3 + c] = covered * sum[c] + (1 - covered) * backdrop + blotch;
      }
    }
  }
  const data = new Uint8Array(area * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      for (let c = 0; c < 3; c++) {
        let local = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = Math.min(size - 1, Math.max(0, x + dx));
            const ny = Math.min(size - 1, Math.max(0, y + dy));
            local += clean[(ny * size + nx) * 3 + c];
          }
        }
        const ringed = clean[i * 3 + c] + RINGING * (clean[i * 3 + c] - local / 9);
        data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(ringed + gaussian(random) * scene.noiseSigma)));
      }
      data[i * 4 + 3] = 255;
    }
  }
  const scaleBox = (box: Box | undefined): Box | undefined =>
    box && { x: Math.round(box.x / scale), y: Math.round(box.y / scale), width: Math.round(box.width / scale), height: Math.round(box.height / scale) };
  return {
    name: scene.name,
    view: { width: size, height: size, data },
    truthAlpha,
    truthColour,
    ...(scene.nearGrey ? { nearGrey: true } : {}),
    ...(scene.hole ? { hole: scaleBox(scene.hole) } : {}),
    ...(scene.greyPatch ? { greyPatch: scaleBox(scene.greyPatch) } : {}),
    ...(scene.shadow ? { shadowCore: scaleBox(shadowCore(scene.shadow)) } : {}),
  };
}

/** The box where exp(-(dx/rx)^2 - (dy/ry)^2) > 1/2 at least along its axes. */
function shadowCore(shadow: NonNullable<Scene['shadow']>): Box {
  const half = Math.sqrt(Math.LN2);
  return { x: shadow.cx - half * shadow.rx, y: shadow.cy - half * shadow.ry, width: 2 * half * shadow.rx, height: 2 * half * shadow.ry };
}

function lambert(normal: readonly number[], ambient: number): number {
  const diffuse = Math.max(0, normal[0] * LIGHT[0] + normal[1] * LIGHT[1] + normal[2] * LIGHT[2]);
  return ambient + (1 - ambient) * diffuse;
}

function paint(rgb: Float64Array, albedo: readonly number[], shade: number, highlight = 0): true {
  for (let c = 0; c < 3; c++) rgb[c] = Math.min(255, albedo[c] * shade + 255 * highlight);
  return true;
}

/** A Lambert-shaded sphere with a specular highlight (its bright side). */
function sphere(cx: number, cy: number, radius: number, albedo: readonly number[], ambient: number): Part {
  return ellipsoid(cx, cy, radius, radius, albedo, ambient);
}

function ellipsoid(cx: number, cy: number, rx: number, ry: number, albedo: readonly number[], ambient: number): Part {
  const half = normalise([LIGHT[0], LIGHT[1], LIGHT[2] + 1]);
  return (x, y, rgb) => {
    const nx = (x - cx) / rx;
    const ny = (y - cy) / ry;
    const r2 = nx * nx + ny * ny;
    if (r2 >= 1) return false;
    const normal = [nx, ny, Math.sqrt(1 - r2)];
    const specular = Math.max(0, normal[0] * half[0] + normal[1] * half[1] + normal[2] * half[2]) ** 40;
    return paint(rgb, albedo, lambert(normal, ambient), 0.35 * specular);
  };
}

function convex(points: ReadonlyArray<readonly [number, number]>): (x: number, y: number) => boolean {
  return (x, y) => {
    let sign = 0;
    for (let k = 0; k < points.length; k++) {
      const [ax, ay] = points[k];
      const [bx, by] = points[(k + 1) % points.length];
      const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      if (cross !== 0) {
        if (sign === 0) sign = Math.sign(cross);
        else if (Math.sign(cross) !== sign) return false;
      }
    }
    return true;
  };
}

/** An isometric box: a lit top, a half-lit left face and a dark right face. */
function isoBox(cx: number, cy: number, side: number, albedo: readonly number[]): Part[] {
  const dx = side * 0.87;
  const dy = side * 0.5;
  const top = convex([[cx, cy - 2 * dy], [cx + dx, cy - dy], [cx, cy], [cx - dx, cy - dy]]);
  const left = convex([[cx - dx, cy - dy], [cx, cy], [cx, cy + side], [cx - dx, cy + side - dy]]);
  const right = convex([[cx, cy], [cx + dx, cy - dy], [cx + dx, cy + side - dy], [cx, cy + side]]);
  return [
    (x, y, rgb) => top(x, y) && paint(rgb, albedo, 1.05 - 0.1 * ((y - cy) / side + 1)),
    (x, y, rgb) => left(x, y) && paint(rgb, albedo, 0.7 - 0.08 * ((y - cy) / side)),
    (x, y, rgb) => right(x, y) && paint(rgb, albedo, 0.38 + 0.05 * ((x - cx) / side)),
  ];
}

function rect(x0: number, y0: number, x1: number, y1: number, albedo: readonly number[], shade: (x: number, y: number) => number): Part {
  return (x, y, rgb) => x >= x0 && x < x1 && y >= y0 && y < y1 && paint(rgb, albedo, shade(x, y));
}

/** A chair seen from the front and a little above: seat, backrest, rails and legs 2 to 3 px wide. */
function chair(albedo: readonly number[]): Part[] {
  const legShade = (x: number): number => 0.55 + 0.1 * Math.sin(x);
  return [
    rect(100, 60, 220, 140, albedo, (x, y) => 0.95 - 0.2 * ((y - 60) / 80) - 0.1 * ((x - 100) / 120)),
    rect(92, 140, 228, 160, albedo, (x) => 1.1 - 0.2 * ((x - 92) / 136)),
    rect(96, 160, 99, 250, albedo, legShade),
    rect(221, 160, 224, 250, albedo, legShade),
    rect(125, 160, 127.5, 232, albedo, legShade),
    rect(192.5, 160, 195, 232, albedo, legShade),
    rect(99, 205, 221, 207.5, albedo, () => 0.6),
  ];
}

/** A cylindrical mug with a ring handle on its right: the handle's inside shows the backdrop. */
function mug(albedo: readonly number[]): Part[] {
  const left = 100;
  const right = 205;
  const top = 90;
  const bottom = 230;
  const handle = { cx: 208, cy: 158, outer: 48, inner: 30 };
  return [
    (x, y, rgb) => {
      if (x < left || x >= right || y < top || y >= bottom) return false;
      const nx = (2 * (x - left)) / (right - left) - 1;
      return paint(rgb, albedo, lambert([nx, 0, Math.sqrt(Math.max(0, 1 - nx * nx))], 0.3) * (y < top + 10 ? 0.8 : 1));
    },
    (x, y, rgb) => {
      const d = Math.hypot(x - handle.cx, y - handle.cy);
      if (x < right || d >= handle.outer || d < handle.inner) return false;
      return paint(rgb, albedo, 0.55 + 0.35 * ((handle.cy - y) / handle.outer + 1) * 0.5);
    },
  ];
}

/**
 * A green box face with two grey-ish labels: a big shaded one (112..140 across, the backdrop's tone halfway) and a
 * small flat one of the backdrop's very colour.
 */
function labelledBox(): Part[] {
  const green = [60, 150, 80];
  return [
    rect(112, 142, 152, 166, [1, 1, 1], (x) => 112 + ((x - 112) / 40) * 28),
    rect(176, 190, 186, 200, [1, 1, 1], () => 127),
    rect(80, 80, 240, 240, green, (x, y) => 1 - 0.35 * ((x - 80) / 160) - 0.1 * ((y - 80) / 160)),
  ];
}

function normalise(v: number[]): number[] {
  const length = Math.hypot(v[0], v[1], v[2]);
  return v.map((c) => c / length);
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Intersection over union of a cut-out against its known mask: the pixels of `rgba` with alpha >= 128 against those
 * whose truth is >= 0.5 (1 when both are empty).
 */
export function alphaMaskIou(rgba: Uint8Array, truth: Float32Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < truth.length; i++) {
    const cut = rgba[i * 4 + 3] >= 128;
    const real = truth[i] >= 0.5;
    if (cut && real) both++;
    if (cut || real) either++;
  }
  return either === 0 ? 1 : both / either;
}
