/**
 * Cuts one generated view out of the model's flat grey backdrop, locally: the backdrop and its noise are measured on
 * the view's border (never assumed to be NEUTRAL_GREY), the outside is what is backdrop-like and connected to the
 * border (soft contact shadows included), inner backdrop regions become holes only when large and clean, and the
 * edge pixels get their alpha and colour by un-mixing the local backdrop. Typed arrays only; runs in the worker.
 */
import { encodePngAsync } from '../codecs/pngFast';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage } from '../decode';
import { hasTransparency, type RgbaImage, type RgbColor } from '../raster';

export interface ViewCutoutOptions {
  /** How far from the backdrop a colour is surely subject, in noise sigmas (plus 2 levels). Default 5. */
  tolerance?: number;
  /** The smallest inner backdrop region taken as a hole (a mug's handle), as a fraction of the view. Default 0.0015. */
  minHoleFraction?: number;
  /** Soft darker-grey shadows on the backdrop become background (default true). */
  removeShadows?: boolean;
}

/** What was measured and decided, as plain data for a sidecar. */
export interface ViewCutoutStats {
  /** The input already had transparency: it is returned as it was, and nothing else was measured. */
  alreadyTransparent: boolean;
  /** Median of the border (null when nothing was measured: already transparent, or under 16 px a side). */
  backdrop: RgbColor | null;
  /** Largest distance (RGB levels) of the border's smoothed backdrop from its median: tint drift, vignetting. */
  backdropVariation: number;
  /** Per-channel noise sigma of the backdrop (robust, from neighbour differences on the border). */
  noiseSigma: number;
  /** Sum of alpha over the area, 0..1. */
  subjectFraction: number;
  /** Partially transparent pixels over the area. */
  edgeFraction: number;
  holes: number;
  holeFraction: number;
  /** Shadow-like pixels joined to the background. */
  shadowFraction: number;
  /** Small isolated specks of "subject" dropped as noise. */
  specksRemoved: number;
}

const DEFAULT_TOLERANCE = 5;
const DEFAULT_MIN_HOLE_FRACTION = 0.0015;
const MIN_SPECK_FRACTION = 0.0003;
/** Mixed pixels are re-estimated within this distance of the hard mask's boundary. */
const EDGE_BAND = 2;
const EDGE_WINDOW = 3;
/** A contact shadow darkens the backdrop by at most this much (a darker grey is more likely a grey subject). */
const SHADOW_DARKEST = 0.6;
/** Below this side there is too little border to measure a backdrop on: the view is returned opaque, as it is. */
const MIN_SIDE = 16;

const SUBJECT = 0;
const OUTSIDE = 1;
const HOLE = 2;
const SHADOW = 3;
const KEPT_INNER = 4;

/** likeness: 0 for a subject-like colour. */
const LIKE_BACKDROP = 1;
const LIKE_SHADOW = 2;

/**
 * A new RGBA image of the view's size whose alpha separates the subject from the backdrop, with de-matted edge colours
 * (fully transparent pixels are black, or the nearby subject's colour at the edge). The input is not changed; an
 * input that already has transparency comes back as it is.
 */
export function cutOutView(view: RgbaImage, options: ViewCutoutOptions = {}): { image: RgbaImage; stats: ViewCutoutStats } {
  const { width, height, data } = view;
  const area = width * height;
  if (hasTransparency(view)) {
    let alphaSum = 0;
    for (let i = 3; i < data.length; i += 4) alphaSum += data[i];
    return {
      image: { width, height, data: data.slice() },
      stats: { ...emptyStats(), alreadyTransparent: true, subjectFraction: area ? alphaSum / 255 / area : 0 },
    };
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    return { image: { width, height, data: data.slice() }, stats: { ...emptyStats(), subjectFraction: 1 } };
  }
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const minHoleArea = Math.max(16, Math.round(area * (options.minHoleFraction ?? DEFAULT_MIN_HOLE_FRACTION)));
  const removeShadows = options.removeShadows ?? true;

  const work = scratchFor(area);
  const { field, distance, likeness, region, queue, subject } = work;
  const band = Math.max(2, Math.round(Math.min(width, height) / 100));
  const median = borderMedian(view, band);
  const sigma = Math.max(1, borderNoiseSigma(view, band));
  const variation = backdropField(view, band, median, tolerance * sigma + 8, field);
  const surelySubject = tolerance * sigma + 2;

  likenessToBackdrop(view, field, distance, likeness, surelySubject, removeShadows ? 2.5 * sigma + 2 : 0);

  region.fill(SUBJECT);
  const luma = removeShadows ? smoothedLuma(view, work) : undefined;
  const shadowPixels = floodOutside(view, likeness, region, queue, luma, sigma);
  const holes = classifyInner(view, field, likeness, region, queue, minHoleArea, sigma);
  const specksRemoved = dropSpecks(width, height, region, work, Math.max(4, Math.round(area * MIN_SPECK_FRACTION)));

  markSubject(region, subject);
  const edge = edgeBand(width, height, work);
  const out = new Uint8Array(area * 4);
  const mixed = unmixEdges(view, field, subject, edge, distance, out, sigma, surelySubject);

  let alphaSum = 0;
  for (let i = 3; i < out.length; i += 4) alphaSum += out[i];
  return {
    image: { width, height, data: out },
    stats: {
      alreadyTransparent: false,
      backdrop: median,
      backdropVariation: round2(variation),
      noiseSigma: round2(sigma),
      subjectFraction: alphaSum / 255 / area,
      edgeFraction: mixed / area,
      holes: holes.count,
      holeFraction: holes.pixels / area,
      shadowFraction: shadowPixels / area,
      specksRemoved,
    },
  };
}

/** Decodes a view PNG, cuts it out and encodes the result as an RGBA PNG (for a one-line worker handler). */
export async function cutOutViewPng(
  bytes: Uint8Array,
  codecs: WasmCodecs,
  options?: ViewCutoutOptions,
): Promise<{ png: Uint8Array; stats: ViewCutoutStats }> {
  const { image, stats } = cutOutView(decodeImage(bytes, codecs).image, options);
  return { png: await encodePngAsync(image, false), stats };
}

/** Working buffers, kept between calls for the same size: the worker cuts six views of one grid in a row. */
interface Scratch {
  area: number;
  /** The backdrop's RGB at each pixel. */
  field: Float32Array;
  distance: Float32Array;
  luma: Float32Array;
  lumaRows: Float32Array;
  likeness: Uint8Array;
  region: Uint8Array;
  seen: Uint8Array;
  subject: Uint8Array;
  boundary: Uint8Array;
  bandRows: Uint8Array;
  band: Uint8Array;
  queue: Int32Array;
}

let scratch: Scratch | undefined;

function scratchFor(area: number): Scratch {
  if (scratch?.area !== area) {
    scratch = {
      area,
      field: new Float32Array(area * 3),
      distance: new Float32Array(area),
      luma: new Float32Array(area),
      lumaRows: new Float32Array(area),
      likeness: new Uint8Array(area),
      region: new Uint8Array(area),
      seen: new Uint8Array(area),
      subject: new Uint8Array(area),
      boundary: new Uint8Array(area),
      bandRows: new Uint8Array(area),
      band: new Uint8Array(area),
      queue: new Int32Array(area),
    };
  }
  return scratch;
}

function emptyStats(): ViewCutoutStats {
  return {
    alreadyTransparent: false,
    backdrop: null,
    backdropVariation: 0,
    noiseSigma: 0,
    subjectFraction: 0,
    edgeFraction: 0,
    holes: 0,
    holeFraction: 0,
    shadowFraction: 0,
    specksRemoved: 0,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Each pixel's distance from the backdrop, and whether it is backdrop-like (within `surelySubject`) or shadow-like
 * (a darker backdrop: within `shadowChroma` of a scaled-down backdrop colour; 0 to look for no shadows).
 */
function likenessToBackdrop(
  view: RgbaImage,
  field: Float32Array,
  distance: Float32Array,
  likeness: Uint8Array,
  surelySubject: number,
  shadowChroma: number,
): void {
  const { data } = view;
  likeness.fill(0);
  for (let i = 0, p = 0, f = 0; i < distance.length; i++, p += 4, f += 3) {
    const br = field[f];
    const bg = field[f + 1];
    const bb = field[f + 2];
    const dr = data[p] - br;
    const dg = data[p + 1] - bg;
    const db = data[p + 2] - bb;
    const d = Math.sqrt(dr * dr + dg * dg + db * db);
    distance[i] = d;
    if (d < surelySubject) {
      likeness[i] = LIKE_BACKDROP;
    } else if (shadowChroma > 0) {
      const s = (data[p] * br + data[p + 1] * bg + data[p + 2] * bb) / (br * br + bg * bg + bb * bb);
      if (s >= SHADOW_DARKEST && s < 1) {
        const rr = data[p] - s * br;
        const rg = data[p + 1] - s * bg;
        const rb = data[p + 2] - s * bb;
        if (rr * rr + rg * rg + rb * rb < shadowChroma * shadowChroma) likeness[i] = LIKE_SHADOW;
      }
    }
  }
}

function markSubject(region: Uint8Array, subject: Uint8Array): void {
  for (let i = 0; i < region.length; i++) subject[i] = region[i] === SUBJECT || region[i] === KEPT_INNER ? 1 : 0;
}

/** Calls visit(offset of the pixel) for every pixel within `band` of the edge, each once. */
function forEachBorderPixel(width: number, height: number, band: number, visit: (pixel: number) => void): void {
  for (let y = 0; y < height; y++) {
    const inRowBand = y < band || y >= height - band;
    for (let x = 0; x < width; x++) {
      if (inRowBand || x < band || x >= width - band) visit(y * width + x);
      else x = width - band - 1;
    }
  }
}

function borderMedian(view: RgbaImage, band: number): RgbColor {
  const histograms = [new Int32Array(256), new Int32Array(256), new Int32Array(256)];
  let count = 0;
  forEachBorderPixel(view.width, view.height, band, (pixel) => {
    const p = pixel * 4;
    histograms[0][view.data[p]]++;
    histograms[1][view.data[p + 1]]++;
    histograms[2][view.data[p + 2]]++;
    count++;
  });
  const [r, g, b] = histograms.map((histogram) => histogramMedian(histogram, count));
  return { r: Math.round(r), g: Math.round(g), b: Math.round(b) };
}

/** The median of integer samples, interpolated within its bin (bin k spans k - 0.5 .. k + 0.5). */
function histogramMedian(histogram: Int32Array, count: number): number {
  const half = count / 2;
  let below = 0;
  for (let k = 0; k < histogram.length; k++) {
    if (below + histogram[k] >= half && histogram[k] > 0) {
      return Math.max(0, k - 0.5 + (half - below) / histogram[k]);
    }
    below += histogram[k];
  }
  return 0;
}

/**
 * Noise sigma from the median absolute difference of neighbours along the border (robust to a subject touching it,
 * and blind to slow drifts of the backdrop): for Gaussian noise, median |a - b| = 0.6745 * sqrt(2) * sigma.
 */
function borderNoiseSigma(view: RgbaImage, band: number): number {
  const { width, height, data } = view;
  const histogram = new Int32Array(256);
  let count = 0;
  const add = (a: number, b: number): void => {
    for (let c = 0; c < 3; c++) histogram[Math.abs(data[a * 4 + c] - data[b * 4 + c])]++;
    count += 3;
  };
  for (let y = 0; y < height; y++) {
    const inRowBand = y < band || y >= height - band;
    for (let x = 0; x + 1 < width; x++) {
      if (inRowBand) add(y * width + x, y * width + x + 1);
    }
    if (!inRowBand && y + 1 < height) {
      for (let x = 0; x < band; x++) {
        add(y * width + x, (y + 1) * width + x);
        add(y * width + width - 1 - x, (y + 1) * width + width - 1 - x);
      }
    }
  }
  return (histogramMedian(histogram, count) * 1.4826) / Math.SQRT2;
}

/**
 * The backdrop at every pixel (RGB floats, 3 per pixel): each side's colour along its length (segment means of the
 * border's backdrop-like pixels, interpolated; segments a subject covers are bridged), blended inwards as a Coons
 * patch. Follows tint drift and vignetting; blotches inside are left to the noise tolerance.
 */
function backdropField(
  view: RgbaImage,
  band: number,
  median: RgbColor,
  inlier: number,
  field: Float32Array,
): number {
  const { width, height, data } = view;
  const m = [median.r, median.g, median.b];
  const side = (length: number, pixelAt: (along: number, across: number) => number): Float32Array => {
    const segment = Math.max(8, Math.round(length / 10));
    const segments = Math.ceil(length / segment);
    const sums = new Float64Array(segments * 3);
    const counts = new Int32Array(segments);
    for (let along = 0; along < length; along++) {
      const s = Math.floor(along / segment);
      for (let across = 0; across < band; across++) {
        const p = pixelAt(along, across) * 4;
        const dr = data[p] - m[0];
        const dg = data[p + 1] - m[1];
        const db = data[p + 2] - m[2];
        if (dr * dr + dg * dg + db * db < inlier * inlier) {
          sums[s * 3] += data[p];
          sums[s * 3 + 1] += data[p + 1];
          sums[s * 3 + 2] += data[p + 2];
          counts[s]++;
        }
      }
    }
    const centres: number[] = [];
    const values: number[][] = [];
    for (let s = 0; s < segments; s++) {
      const size = (Math.min(length, (s + 1) * segment) - s * segment) * band;
      if (counts[s] >= size / 4) {
        centres.push((s * segment + Math.min(length, (s + 1) * segment) - 1) / 2);
        values.push([0, 1, 2].map((c) => sums[s * 3 + c] / counts[s]));
      }
    }
    const curve = new Float32Array(length * 3);
    for (let along = 0; along < length; along++) {
      for (let c = 0; c < 3; c++) curve[along * 3 + c] = interpolate(centres, values, along, c, m[c]);
    }
    return curve;
  };
  const top = side(width, (x, d) => d * width + x);
  const bottom = side(width, (x, d) => (height - 1 - d) * width + x);
  const left = side(height, (y, d) => y * width + d);
  const right = side(height, (y, d) => y * width + width - 1 - d);

  // Coons patch: the sides' curves, less the bilinear blend of the corners, folded into per-column terms.
  const us = new Float32Array(width);
  for (let x = 0; x < width; x++) us[x] = width > 1 ? x / (width - 1) : 0;
  const topTerm = new Float32Array(width * 3);
  const bottomTerm = new Float32Array(width * 3);
  for (let c = 0; c < 3; c++) {
    const topLeft = (top[c] + left[c]) / 2;
    const topRight = (top[(width - 1) * 3 + c] + right[c]) / 2;
    const bottomLeft = (bottom[c] + left[(height - 1) * 3 + c]) / 2;
    const bottomRight = (bottom[(width - 1) * 3 + c] + right[(height - 1) * 3 + c]) / 2;
    for (let x = 0; x < width; x++) {
      const u = us[x];
      topTerm[x * 3 + c] = top[x * 3 + c] - (topLeft + u * (topRight - topLeft));
      bottomTerm[x * 3 + c] = bottom[x * 3 + c] - (bottomLeft + u * (bottomRight - bottomLeft));
    }
  }
  for (let y = 0; y < height; y++) {
    const v = height > 1 ? y / (height - 1) : 0;
    const l0 = left[y * 3];
    const l1 = left[y * 3 + 1];
    const l2 = left[y * 3 + 2];
    const r0 = right[y * 3] - l0;
    const r1 = right[y * 3 + 1] - l1;
    const r2 = right[y * 3 + 2] - l2;
    for (let x = 0, f = y * width * 3; x < width; x++, f += 3) {
      const u = us[x];
      const t = x * 3;
      field[f] = topTerm[t] + v * (bottomTerm[t] - topTerm[t]) + l0 + u * r0;
      field[f + 1] = topTerm[t + 1] + v * (bottomTerm[t + 1] - topTerm[t + 1]) + l1 + u * r1;
      field[f + 2] = topTerm[t + 2] + v * (bottomTerm[t + 2] - topTerm[t + 2]) + l2 + u * r2;
    }
  }
  let variation = 0;
  for (const curve of [top, bottom, left, right]) {
    for (let i = 0; i < curve.length; i += 3) {
      const dr = curve[i] - m[0];
      const dg = curve[i + 1] - m[1];
      const db = curve[i + 2] - m[2];
      variation = Math.max(variation, Math.sqrt(dr * dr + dg * dg + db * db));
    }
  }
  return variation;
}

/** Piecewise-linear through (centres, values[.][c]), flat beyond the ends; `fallback` when there is no point. */
function interpolate(centres: number[], values: number[][], at: number, c: number, fallback: number): number {
  if (centres.length === 0) return fallback;
  if (at <= centres[0]) return values[0][c];
  for (let k = 1; k < centres.length; k++) {
    if (at <= centres[k]) {
      const t = (at - centres[k - 1]) / (centres[k] - centres[k - 1]);
      return values[k - 1][c] * (1 - t) + values[k][c] * t;
    }
  }
  return values[values.length - 1][c];
}

/** Mean of R, G and B over each 3x3 neighbourhood (clamped at the edges): luminance with the noise averaged down. */
function smoothedLuma(view: RgbaImage, work: Scratch): Float32Array {
  const { width, height, data } = view;
  const { luma, lumaRows: rows } = work;
  for (let i = 0, p = 0; i < luma.length; i++, p += 4) luma[i] = (data[p] + data[p + 1] + data[p + 2]) / 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      rows[i] = (luma[x > 0 ? i - 1 : i] + luma[i] + luma[x + 1 < width ? i + 1 : i]) / 3;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      luma[i] = (rows[y > 0 ? i - width : i] + rows[i] + rows[y + 1 < height ? i + width : i]) / 3;
    }
  }
  return luma;
}

/**
 * Marks OUTSIDE what is backdrop-like and 4-connected to the border, and SHADOW the shadow-like pixels reached from
 * it without a step: a contact shadow fades in slowly, while a grey subject's shaded side starts at an edge.
 * Returns the number of shadow pixels.
 */
function floodOutside(
  view: RgbaImage,
  likeness: Uint8Array,
  region: Uint8Array,
  queue: Int32Array,
  luma: Float32Array | undefined,
  sigma: number,
): number {
  const { width, height } = view;
  const maxStep = Math.max(2, (3 * sigma) / Math.sqrt(27));
  let head = 0;
  let tail = 0;
  let shadows = 0;
  forEachBorderPixel(width, height, 1, (pixel) => {
    if (likeness[pixel] === LIKE_BACKDROP) {
      region[pixel] = OUTSIDE;
      queue[tail++] = pixel;
    }
  });
  const visit = (from: number, to: number): void => {
    if (region[to] !== SUBJECT) return;
    const like = likeness[to];
    if (like === LIKE_BACKDROP) {
      region[to] = OUTSIDE;
      queue[tail++] = to;
    } else if (like === LIKE_SHADOW && luma && Math.abs(luma[to] - luma[from]) <= maxStep) {
      region[to] = SHADOW;
      queue[tail++] = to;
      shadows++;
    }
  };
  while (head < tail) {
    const i = queue[head++];
    const x = i % width;
    if (x > 0) visit(i, i - 1);
    if (x + 1 < width) visit(i, i + 1);
    if (i >= width) visit(i, i - width);
    if (i + width < width * height) visit(i, i + width);
  }
  return shadows;
}

/**
 * Backdrop-like regions the outside does not reach: a HOLE when large and matching the backdrop closely (mean within
 * sigma + 2 levels, spread no more than the noise's), else part of the subject (a grey label, a shaded grey area).
 */
function classifyInner(
  view: RgbaImage,
  field: Float32Array,
  likeness: Uint8Array,
  region: Uint8Array,
  queue: Int32Array,
  minHoleArea: number,
  sigma: number,
): { count: number; pixels: number } {
  const { width, height, data } = view;
  const area = width * height;
  const meanLimit = sigma + 2;
  const varianceLimit = 2.25 * sigma * sigma + 1;
  let count = 0;
  let pixels = 0;
  for (let start = 0; start < area; start++) {
    if (likeness[start] !== LIKE_BACKDROP || region[start] !== SUBJECT) continue;
    let head = 0;
    let tail = 0;
    const sum = [0, 0, 0];
    const squares = [0, 0, 0];
    region[start] = KEPT_INNER;
    queue[tail++] = start;
    while (head < tail) {
      const i = queue[head++];
      for (let c = 0; c < 3; c++) {
        const d = data[i * 4 + c] - field[i * 3 + c];
        sum[c] += d;
        squares[c] += d * d;
      }
      const x = i % width;
      if (x > 0) tail = joinInner(i - 1, likeness, region, queue, tail);
      if (x + 1 < width) tail = joinInner(i + 1, likeness, region, queue, tail);
      if (i >= width) tail = joinInner(i - width, likeness, region, queue, tail);
      if (i + width < area) tail = joinInner(i + width, likeness, region, queue, tail);
    }
    if (tail < minHoleArea) continue;
    let meanSquared = 0;
    let variance = 0;
    for (let c = 0; c < 3; c++) {
      const mean = sum[c] / tail;
      meanSquared += mean * mean;
      variance += (squares[c] / tail - mean * mean) / 3;
    }
    if (meanSquared <= meanLimit * meanLimit && variance <= varianceLimit) {
      for (let k = 0; k < tail; k++) region[queue[k]] = HOLE;
      count++;
      pixels += tail;
    }
  }
  return { count, pixels };
}

function joinInner(n: number, likeness: Uint8Array, region: Uint8Array, queue: Int32Array, tail: number): number {
  if (likeness[n] !== LIKE_BACKDROP || region[n] !== SUBJECT) return tail;
  region[n] = KEPT_INNER;
  queue[tail] = n;
  return tail + 1;
}

/** Subject components smaller than `minArea` (noise, ringing off an edge) become outside. Returns how many. */
function dropSpecks(width: number, height: number, region: Uint8Array, work: Scratch, minArea: number): number {
  const area = width * height;
  const { seen, queue } = work;
  seen.fill(0);
  const isSubject = (i: number): boolean => region[i] === SUBJECT || region[i] === KEPT_INNER;
  let dropped = 0;
  for (let start = 0; start < area; start++) {
    if (seen[start] || !isSubject(start)) continue;
    let head = 0;
    let tail = 0;
    seen[start] = 1;
    queue[tail++] = start;
    while (head < tail) {
      const i = queue[head++];
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const n = ny * width + nx;
          if (!seen[n] && isSubject(n)) {
            seen[n] = 1;
            queue[tail++] = n;
          }
        }
      }
    }
    if (tail < minArea) {
      for (let k = 0; k < tail; k++) region[queue[k]] = OUTSIDE;
      dropped++;
    }
  }
  return dropped;
}

/** 1 within EDGE_BAND pixels (Chebyshev) of a change of the hard mask. */
function edgeBand(width: number, height: number, work: Scratch): Uint8Array {
  const { subject, boundary, bandRows: rows, band } = work;
  boundary.fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x + 1 < width && subject[i] !== subject[i + 1]) boundary[i] = boundary[i + 1] = 1;
      if (y + 1 < height && subject[i] !== subject[i + width]) boundary[i] = boundary[i + width] = 1;
    }
  }
  // Dilation by EDGE_BAND along rows, then columns, each a running count over the window.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let count = 0;
    for (let x = 0; x < EDGE_BAND && x < width; x++) count += boundary[row + x];
    for (let x = 0; x < width; x++) {
      if (x + EDGE_BAND < width) count += boundary[row + x + EDGE_BAND];
      if (x - EDGE_BAND - 1 >= 0) count -= boundary[row + x - EDGE_BAND - 1];
      rows[row + x] = count > 0 ? 1 : 0;
    }
  }
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < EDGE_BAND && y < height; y++) count += rows[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + EDGE_BAND < height) count += rows[(y + EDGE_BAND) * width + x];
      if (y - EDGE_BAND - 1 >= 0) count -= rows[(y - EDGE_BAND - 1) * width + x];
      band[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return band;
}

/**
 * Writes the output pixels. Away from the mask's boundary: opaque subject as it is, or fully transparent. In the
 * boundary band, each pixel is taken as a mix of its local foreground F (the mean of the nearby sure subject, or on a
 * thin part its most subject-like neighbour) and its local background B (the nearby sure background, so a shadow or
 * a hole counts as the backdrop it is): alpha from its projection on B->F, with a dead zone of the noise at both ends;
 * colour un-mixed, F = (C - (1 - a) B) / a. Returns the count of partially transparent pixels.
 */
function unmixEdges(
  view: RgbaImage,
  field: Float32Array,
  subject: Uint8Array,
  edge: Uint8Array,
  distance: Float32Array,
  out: Uint8Array,
  sigma: number,
  surelySubject: number,
): number {
  const { width, height, data } = view;
  const deadZone = 1.5 * sigma;
  const rampStart = 2.5 * sigma;
  let mixed = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const p = i * 4;
      if (!edge[i]) {
        if (subject[i]) {
          out[p] = data[p];
          out[p + 1] = data[p + 1];
          out[p + 2] = data[p + 2];
          out[p + 3] = 255;
        }
        continue;
      }
      let fr = 0;
      let fg = 0;
      let fb = 0;
      let fn = 0;
      let br = 0;
      let bg = 0;
      let bb = 0;
      let bn = 0;
      let strongestDistance = -1;
      const y0 = Math.max(0, y - EDGE_WINDOW);
      const y1 = Math.min(height - 1, y + EDGE_WINDOW);
      const x0 = Math.max(0, x - EDGE_WINDOW);
      const x1 = Math.min(width - 1, x + EDGE_WINDOW);
      for (let ny = y0; ny <= y1; ny++) {
        for (let nx = x0; nx <= x1; nx++) {
          const n = ny * width + nx;
          const q = n * 4;
          if (subject[n]) {
            if (!edge[n]) {
              fr += data[q];
              fg += data[q + 1];
              fb += data[q + 2];
              fn++;
            } else if (distance[n] > strongestDistance) {
              strongestDistance = distance[n];
            }
          } else if (!edge[n]) {
            br += data[q];
            bg += data[q + 1];
            bb += data[q + 2];
            bn++;
          }
        }
      }
      if (fn > 0) {
        fr /= fn;
        fg /= fn;
        fb /= fn;
      } else if (strongestDistance >= 0) {
        // A thin part, all edge: its most subject-like pixels (several, so one noisy pixel does not decide).
        const floor = 0.85 * strongestDistance;
        for (let ny = y0; ny <= y1; ny++) {
          for (let nx = x0; nx <= x1; nx++) {
            const n = ny * width + nx;
            if (subject[n] && distance[n] >= floor) {
              fr += data[n * 4];
              fg += data[n * 4 + 1];
              fb += data[n * 4 + 2];
              fn++;
            }
          }
        }
        fr /= fn;
        fg /= fn;
        fb /= fn;
      } else {
        continue; // no subject within reach: stays transparent
      }
      if (bn > 0) {
        br /= bn;
        bg /= bn;
        bb /= bn;
      } else {
        br = field[i * 3];
        bg = field[i * 3 + 1];
        bb = field[i * 3 + 2];
      }
      const vr = fr - br;
      const vg = fg - bg;
      const vb = fb - bb;
      const length = Math.sqrt(vr * vr + vg * vg + vb * vb);
      let alpha: number;
      if (length > 4 * deadZone) {
        const along = ((data[p] - br) * vr + (data[p + 1] - bg) * vg + (data[p + 2] - bb) * vb) / length;
        alpha = (along - deadZone) / (length - 2 * deadZone);
      } else {
        // Subject and background too alike to un-mix (a faint rim, the near-grey): a ramp on the distance from the
        // local background.
        const dr = data[p] - br;
        const dg = data[p + 1] - bg;
        const db = data[p + 2] - bb;
        alpha = (Math.sqrt(dr * dr + dg * dg + db * db) - rampStart) / (surelySubject - rampStart);
      }
      alpha = alpha <= 0 ? 0 : alpha >= 1 ? 1 : alpha;
      const a8 = Math.round(alpha * 255);
      out[p + 3] = a8;
      if (a8 > 0 && a8 < 255) mixed++;
      if (alpha >= 0.2) {
        const keep = 1 - alpha;
        out[p] = clampByte((data[p] - keep * br) / alpha);
        out[p + 1] = clampByte((data[p + 1] - keep * bg) / alpha);
        out[p + 2] = clampByte((data[p + 2] - keep * bb) / alpha);
      } else {
        // Un-mixing a faint pixel mostly amplifies noise: the neighbours' colour is the better guess.
        out[p] = clampByte(fr);
        out[p + 1] = clampByte(fg);
        out[p + 2] = clampByte(fb);
      }
    }
  }
  return mixed;
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
