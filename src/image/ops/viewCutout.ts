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

/**
 * Per-pixel state in one byte: what the colour is like (backdrop-like or not, set by one pass over the pixels; whether
 * a pixel that is not is shadow-like is judged only where the outside's flood meets it), then what the floods made of
 * it. The subject is every state up to KEPT_INNER, so one comparison tells subject from not.
 */
const UNJUDGED = 0;
const BACKDROP_LIKE = 1;
const SHADOW_LIKE = 2;
const NOT_SHADOW = 3;
const KEPT_INNER = 4;
const OUTSIDE = 5;
const SHADOW = 6;
const HOLE = 7;
/** classifyPixels' mark for a pixel too close to the threshold to tell from the row's backdrop box (see there). */
const UNDECIDED = 8;

/*
 * COLD CODE. The worker that cuts a grid's six views has usually never run this code, so the first view runs in V8's
 * interpreter and baseline tiers until each hot loop is compiled on the fly (on another thread, while the loop goes on
 * slowly). What keeps that first call fast:
 * - little work per pixel: one fused pass classifies every pixel; the floods walk spans (scanline), not single pixels;
 *   the subject is handled as runs along rows (connected components by union-find over runs, the output copied and
 *   the edge band marked a run at a time with native fill/set/indexOf); the de-matting visits only the edge band,
 *   with sliding window sums;
 * - the pixel loops are small functions called once per row or stretch (classifyRow, subjectRunsOfRow,
 *   unmixStretch): every operation in them has run once before the optimising compiler looks at them, so their
 *   compiled code is not thrown out (deoptimised) halfway through a view for want of type feedback, as a big
 *   function whose later loops had not run yet would be;
 * - plain loops over typed arrays, no closures. The results are the same as a per-pixel formulation's.
 */

/**
 * A new RGBA image of the view's size whose alpha separates the subject from the backdrop, with de-matted edge colours
 * (fully transparent pixels are black, or the nearby subject's colour at the edge). The input is not changed; an
 * input that already has transparency comes back as it is.
 */
export function cutOutView(view: RgbaImage, options: ViewCutoutOptions = {}): { image: RgbaImage; stats: ViewCutoutStats } {
  const { width, height, data } = view;
  const area = width * height;
  if (width < MIN_SIDE || height < MIN_SIDE) {
    if (hasTransparency(view)) return asItWas(view);
    return { image: { width, height, data: data.slice() }, stats: { ...emptyStats(), subjectFraction: 1 } };
  }
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const minHoleArea = Math.max(16, Math.round(area * (options.minHoleFraction ?? DEFAULT_MIN_HOLE_FRACTION)));
  const removeShadows = options.removeShadows ?? true;

  const work = scratchFor(width, height);
  const band = Math.max(2, Math.round(Math.min(width, height) / 100));
  const median = borderMedian(view, band);
  const sigma = Math.max(1, borderNoiseSigma(view, band));
  const variation = backdropSides(view, band, median, tolerance * sigma + 8, work);
  const surelySubject = tolerance * sigma + 2;

  // The transparency check rides on the one pass that reads every pixel anyway.
  if (!classifyPixels(view, work, surelySubject)) return asItWas(view);
  const shadowPixels = floodOutside(view, work, removeShadows ? 2.5 * sigma + 2 : 0, sigma);
  const holes = classifyInner(view, work, minHoleArea, sigma);
  findSubjectRuns(width, height, work);
  const specksRemoved = dropSpecks(work, Math.max(4, Math.round(area * MIN_SPECK_FRACTION)));

  const out = new Uint8Array(area * 4);
  const subjectPixels = paintSubject(view, work, out);
  markEdgeBand(width, height, work);
  const edges = unmixEdges(view, work, out, sigma, surelySubject);

  // Opaque subject pixels away from the edge count 255 each; the edge band's alphas were summed as they were set.
  const alphaSum = 255 * (subjectPixels - edges.subjectPixels) + edges.alphaSum;
  return {
    image: { width, height, data: out },
    stats: {
      alreadyTransparent: false,
      backdrop: median,
      backdropVariation: round2(variation),
      noiseSigma: round2(sigma),
      subjectFraction: alphaSum / 255 / area,
      edgeFraction: edges.mixed / area,
      holes: holes.count,
      holeFraction: holes.pixels / area,
      shadowFraction: shadowPixels / area,
      specksRemoved,
    },
  };
}

function asItWas(view: RgbaImage): { image: RgbaImage; stats: ViewCutoutStats } {
  const { width, height, data } = view;
  const area = width * height;
  let alphaSum = 0;
  for (let i = 3; i < data.length; i += 4) alphaSum += data[i];
  return {
    image: { width, height, data: data.slice() },
    stats: { ...emptyStats(), alreadyTransparent: true, subjectFraction: area ? alphaSum / 255 / area : 0 },
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
  width: number;
  height: number;
  /** The distance (RGB levels) from the backdrop of the edge band's subject pixels. */
  distance: Float32Array;
  /** UNJUDGED .. HOLE, per pixel. */
  state: Uint8Array;
  /** Smoothed luminance, computed only on the rows where a shadow is followed (lumaRows[y] 1). */
  luma: Float32Array;
  lumaRows: Uint8Array;
  lumaLine: Float32Array;
  subject: Uint8Array;
  edge: Uint8Array;
  /** The ends of the span fillSpan just marked. */
  span: Int32Array;
  /** Breadth-first queue of an inner region. */
  queue: Int32Array;
  /** Seeds of the outside's scanline flood: each pixel is pushed at most twice (from above and from below). */
  stack: Int32Array;
  /** Subject runs: run k spans x from runEnds[2k] to runEnds[2k + 1] (exclusive) on its row. */
  runEnds: Int32Array;
  /** Row y's runs are rowFirstRun[y] .. rowFirstRun[y + 1] - 1. */
  rowFirstRun: Int32Array;
  runParent: Int32Array;
  runArea: Int32Array;
  /** The edge window's per-column sums (unmixEdges), 8 per column. */
  columns: Int32Array;
  columnMost: Float32Array;
  /** A colour handed back by thinPartColour, and unmixEdges' running counts (mixed, subject pixels, alpha sum). */
  colour: Float64Array;
  tally: Float64Array;
  /**
   * The Coons patch of the backdrop: per column (u, the top and bottom terms) and per row (the left and right sides);
   * termRange: the least and largest top and bottom terms per channel (bounds of the backdrop along a row).
   */
  us: Float32Array;
  topTerm: Float32Array;
  bottomTerm: Float32Array;
  left: Float32Array;
  right: Float32Array;
  termRange: Float64Array;
  /** backdropOf's answer. */
  backdrop: Float64Array;
}

let scratch: Scratch | undefined;

function scratchFor(width: number, height: number): Scratch {
  if (scratch?.width !== width || scratch.height !== height) {
    const area = width * height;
    const maxRuns = Math.ceil(width / 2) * height;
    scratch = {
      width,
      height,
      distance: new Float32Array(area),
      state: new Uint8Array(area),
      luma: new Float32Array(area),
      lumaRows: new Uint8Array(height),
      lumaLine: new Float32Array(width * 6),
      subject: new Uint8Array(area),
      edge: new Uint8Array(area),
      span: new Int32Array(2),
      queue: new Int32Array(area),
      stack: new Int32Array(2 * area + 2 * (width + height)),
      runEnds: new Int32Array(2 * maxRuns),
      rowFirstRun: new Int32Array(height + 1),
      runParent: new Int32Array(maxRuns),
      runArea: new Int32Array(maxRuns),
      columns: new Int32Array(width * 8),
      columnMost: new Float32Array(width),
      colour: new Float64Array(3),
      tally: new Float64Array(3),
      us: new Float32Array(width),
      topTerm: new Float32Array(width * 3),
      bottomTerm: new Float32Array(width * 3),
      left: new Float32Array(height * 3),
      right: new Float32Array(height * 3),
      termRange: new Float64Array(12),
      backdrop: new Float64Array(3),
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

function borderMedian(view: RgbaImage, band: number): RgbColor {
  const { width, height, data } = view;
  const red = new Int32Array(256);
  const green = new Int32Array(256);
  const blue = new Int32Array(256);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const inRowBand = y < band || y >= height - band;
    for (let x = 0; x < width; x++) {
      if (!inRowBand && x === band) x = width - band; // skip the inside of the row
      const p = (y * width + x) * 4;
      red[data[p]]++;
      green[data[p + 1]]++;
      blue[data[p + 2]]++;
      count++;
    }
  }
  return {
    r: Math.round(histogramMedian(red, count)),
    g: Math.round(histogramMedian(green, count)),
    b: Math.round(histogramMedian(blue, count)),
  };
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
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    if (y < band || y >= height - band) {
      // Horizontal neighbours along the top and bottom bands.
      for (let p = row, end = row + (width - 1) * 4; p < end; p += 4) {
        histogram[Math.abs(data[p] - data[p + 4])]++;
        histogram[Math.abs(data[p + 1] - data[p + 5])]++;
        histogram[Math.abs(data[p + 2] - data[p + 6])]++;
        count += 3;
      }
    } else if (y + 1 < height) {
      // Vertical neighbours down the left and right bands.
      const below = width * 4;
      for (let x = 0; x < band; x++) {
        const a = row + x * 4;
        const b = row + (width - 1 - x) * 4;
        histogram[Math.abs(data[a] - data[a + below])]++;
        histogram[Math.abs(data[a + 1] - data[a + below + 1])]++;
        histogram[Math.abs(data[a + 2] - data[a + below + 2])]++;
        histogram[Math.abs(data[b] - data[b + below])]++;
        histogram[Math.abs(data[b + 1] - data[b + below + 1])]++;
        histogram[Math.abs(data[b + 2] - data[b + below + 2])]++;
        count += 6;
      }
    }
  }
  return (histogramMedian(histogram, count) * 1.4826) / Math.SQRT2;
}

/**
 * The backdrop along each side (segment means of the border's backdrop-like pixels, interpolated; segments a subject
 * covers are bridged), folded into the Coons patch's per-column and per-row terms that classifyPixels blends inwards.
 * Follows tint drift and vignetting; blotches inside are left to the noise tolerance. Returns the largest distance of
 * the sides' backdrop from the median.
 */
function backdropSides(view: RgbaImage, band: number, median: RgbColor, inlier: number, work: Scratch): number {
  const { width, height } = view;
  const { us, topTerm, bottomTerm, left, right } = work;
  const last = (height - 1) * width;
  const top = sideCurve(view, 0, 1, width, width, band, median, inlier, new Float32Array(width * 3));
  const bottom = sideCurve(view, last, 1, -width, width, band, median, inlier, new Float32Array(width * 3));
  sideCurve(view, 0, width, 1, height, band, median, inlier, left);
  sideCurve(view, width - 1, width, -1, height, band, median, inlier, right);

  // Coons patch: the sides' curves, less the bilinear blend of the corners, folded into per-column terms.
  for (let x = 0; x < width; x++) us[x] = width > 1 ? x / (width - 1) : 0;
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
  let variation = 0;
  for (const curve of [top, bottom, left, right]) {
    for (let i = 0; i < curve.length; i += 3) {
      const dr = curve[i] - median.r;
      const dg = curve[i + 1] - median.g;
      const db = curve[i + 2] - median.b;
      variation = Math.max(variation, Math.sqrt(dr * dr + dg * dg + db * db));
    }
  }
  return variation;
}

/**
 * One side's backdrop colour along its length, into `curve` (RGB per position): the side's pixel at (along, across)
 * is start + along * alongStep + across * acrossStep, across 0 being the image's edge.
 */
function sideCurve(
  view: RgbaImage,
  start: number,
  alongStep: number,
  acrossStep: number,
  length: number,
  band: number,
  median: RgbColor,
  inlier: number,
  curve: Float32Array,
): Float32Array {
  const { data } = view;
  const segment = Math.max(8, Math.round(length / 10));
  const segments = Math.ceil(length / segment);
  const sums = new Float64Array(segments * 3);
  const counts = new Int32Array(segments);
  for (let along = 0; along < length; along++) {
    const s = Math.floor(along / segment);
    for (let across = 0; across < band; across++) {
      const p = (start + along * alongStep + across * acrossStep) * 4;
      const dr = data[p] - median.r;
      const dg = data[p + 1] - median.g;
      const db = data[p + 2] - median.b;
      if (dr * dr + dg * dg + db * db < inlier * inlier) {
        sums[s * 3] += data[p];
        sums[s * 3 + 1] += data[p + 1];
        sums[s * 3 + 2] += data[p + 2];
        counts[s]++;
      }
    }
  }
  const centres = new Float64Array(segments);
  const values = new Float64Array(segments * 3);
  let points = 0;
  for (let s = 0; s < segments; s++) {
    const size = (Math.min(length, (s + 1) * segment) - s * segment) * band;
    if (counts[s] >= size / 4) {
      centres[points] = (s * segment + Math.min(length, (s + 1) * segment) - 1) / 2;
      for (let c = 0; c < 3; c++) values[points * 3 + c] = sums[s * 3 + c] / counts[s];
      points++;
    }
  }
  const fallback = [median.r, median.g, median.b];
  for (let along = 0; along < length; along++) {
    for (let c = 0; c < 3; c++) curve[along * 3 + c] = interpolate(centres, values, points, along, c, fallback[c]);
  }
  return curve;
}

/** Piecewise-linear through (centres, values[. * 3 + c]) of `points` points, flat beyond the ends; `fallback` when none. */
function interpolate(centres: Float64Array, values: Float64Array, points: number, at: number, c: number, fallback: number): number {
  if (points === 0) return fallback;
  if (at <= centres[0]) return values[c];
  for (let k = 1; k < points; k++) {
    if (at <= centres[k]) {
      const t = (at - centres[k - 1]) / (centres[k] - centres[k - 1]);
      return values[(k - 1) * 3 + c] * (1 - t) + values[k * 3 + c] * t;
    }
  }
  return values[(points - 1) * 3 + c];
}

/**
 * The backdrop (the Coons patch's blend) at pixel i, into work.backdrop (RGB, each rounded to a Float32 as a stored
 * field would be): computed where it is needed (shadows, inner regions, the edge band), never for the whole view.
 */
function backdropOf(work: Scratch, i: number): Float64Array {
  const { width, height, us, topTerm, bottomTerm, left, right, backdrop } = work;
  const x = i % width;
  const y = (i - x) / width;
  const v = height > 1 ? y / (height - 1) : 0;
  const u = us[x];
  for (let c = 0; c < 3; c++) {
    const t = x * 3 + c;
    const l = left[y * 3 + c];
    backdrop[c] = Math.fround(topTerm[t] + v * (bottomTerm[t] - topTerm[t]) + l + u * (right[y * 3 + c] - l));
  }
  return backdrop;
}

/** Pixel i's distance (RGB levels) from the backdrop. */
function exactDistance(view: RgbaImage, work: Scratch, i: number): number {
  const { data } = view;
  const backdrop = backdropOf(work, i);
  const dr = data[i * 4] - backdrop[0];
  const dg = data[i * 4 + 1] - backdrop[1];
  const db = data[i * 4 + 2] - backdrop[2];
  return Math.sqrt(dr * dr + dg * dg + db * db);
}

/**
 * The one pass over every pixel: its state, BACKDROP_LIKE within `surelySubject` of the backdrop, else UNJUDGED.
 * Returns false when an alpha is not 255.
 *
 * The backdrop is smooth, so along a row it stays within a box that the Coons patch's terms bound: against the box's
 * centre, in integers (sixteenths of a level), a pixel's distance is known to within the box's half-diagonal, which
 * decides nearly every pixel; the few within that margin of the threshold are decided on the exact backdrop after the
 * pass. The same states as the exact distance everywhere, without floats per pixel.
 */
function classifyPixels(view: RgbaImage, work: Scratch, surelySubject: number): boolean {
  const { topTerm, bottomTerm, termRange } = work;
  for (let c = 0; c < 3; c++) {
    let topLow = Infinity;
    let topHigh = -Infinity;
    let bottomLow = Infinity;
    let bottomHigh = -Infinity;
    for (let t = c; t < topTerm.length; t += 3) {
      topLow = Math.min(topLow, topTerm[t]);
      topHigh = Math.max(topHigh, topTerm[t]);
      bottomLow = Math.min(bottomLow, bottomTerm[t]);
      bottomHigh = Math.max(bottomHigh, bottomTerm[t]);
    }
    termRange[c * 4] = topLow;
    termRange[c * 4 + 1] = topHigh;
    termRange[c * 4 + 2] = bottomLow;
    termRange[c * 4 + 3] = bottomHigh;
  }
  let alphas = 255;
  for (let y = 0; y < view.height; y++) alphas &= classifyRow(view, work, y, surelySubject);
  // The pixels too close to the threshold to tell from the box (found natively): on the exact distance.
  const { state } = work;
  for (let i = state.indexOf(UNDECIDED); i >= 0; i = state.indexOf(UNDECIDED, i + 1)) {
    state[i] = exactDistance(view, work, i) < surelySubject ? BACKDROP_LIKE : UNJUDGED;
  }
  return alphas === 255;
}

/** classifyPixels on row y (UNDECIDED where the box cannot tell); returns the AND of the row's alphas. */
function classifyRow(view: RgbaImage, work: Scratch, y: number, surelySubject: number): number {
  const { width, height, data } = view;
  const { state, left, right, termRange } = work;
  // The row's backdrop box: centre (in sixteenths, rounded) and the half-diagonal of its half-widths (levels), with
  // the rounding of the centre and a little for float rounding.
  const v = height > 1 ? y / (height - 1) : 0;
  let margin2 = 0;
  const centre = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const l = left[y * 3 + c];
    const r = right[y * 3 + c] - l;
    const low = (1 - v) * termRange[c * 4] + v * termRange[c * 4 + 2] + l + Math.min(0, r);
    const high = (1 - v) * termRange[c * 4 + 1] + v * termRange[c * 4 + 3] + l + Math.max(0, r);
    centre[c] = Math.round(8 * (low + high));
    const half = (high - low) / 2 + 1 / 32 + 0.01;
    margin2 += half * half;
  }
  const margin = Math.sqrt(margin2);
  // Squared distances in 256ths: below `near` surely backdrop-like, from `far` on surely not.
  const near = surelySubject > margin ? Math.ceil(256 * (surelySubject - margin) ** 2) : 0;
  const far = Math.ceil(256 * (surelySubject + margin) ** 2);
  const m0 = centre[0];
  const m1 = centre[1];
  const m2 = centre[2];
  let alphas = 255;
  for (let i = y * width, p = i * 4, end = i + width; i < end; i++, p += 4) {
    const dr = data[p] * 16 - m0;
    const dg = data[p + 1] * 16 - m1;
    const db = data[p + 2] * 16 - m2;
    alphas &= data[p + 3];
    const d2 = dr * dr + dg * dg + db * db;
    // Both comparisons made always: no operation that the compiled loop has not seen run.
    const backdrop = d2 < near;
    const beforeFar = d2 < far;
    state[i] = backdrop ? BACKDROP_LIKE : beforeFar ? UNDECIDED : UNJUDGED;
  }
  return alphas;
}

/**
 * Whether pixel i (not backdrop-like) is a darker backdrop: within `shadowChroma` of a scaled-down backdrop colour.
 */
function isShadowLike(view: RgbaImage, work: Scratch, i: number, shadowChroma: number): boolean {
  const { data } = view;
  const p = i * 4;
  const backdrop = backdropOf(work, i);
  const br = backdrop[0];
  const bg = backdrop[1];
  const bb = backdrop[2];
  const s = (data[p] * br + data[p + 1] * bg + data[p + 2] * bb) / (br * br + bg * bg + bb * bb);
  if (!(s >= SHADOW_DARKEST && s < 1)) return false;
  const rr = data[p] - s * br;
  const rg = data[p + 1] - s * bg;
  const rb = data[p + 2] - s * bb;
  return rr * rr + rg * rg + rb * rb < shadowChroma * shadowChroma;
}

/**
 * Marks OUTSIDE what is backdrop-like and 4-connected to the border, and SHADOW the shadow-like pixels reached from
 * it without a step of smoothed luminance: a contact shadow fades in slowly, while a grey subject's shaded side starts
 * at an edge (`shadowChroma` 0: no shadows). A scanline flood: each seed grows into its row's span, and the rows above
 * and below get one seed per backdrop-like stretch (a shadow-like pixel gets its own, as its step is judged from the
 * pixel it is entered from). Returns the number of shadow pixels.
 */
function floodOutside(view: RgbaImage, work: Scratch, shadowChroma: number, sigma: number): number {
  const { width, height } = view;
  const { state, stack } = work;
  if (shadowChroma > 0) work.lumaRows.fill(0);
  const maxStep = Math.max(2, (3 * sigma) / Math.sqrt(27));
  const area = width * height;
  let top = 0;
  for (let x = 0; x < width; x++) {
    if (state[x] === BACKDROP_LIKE) stack[top++] = x;
    if (state[area - width + x] === BACKDROP_LIKE) stack[top++] = area - width + x;
  }
  for (let i = width; i < area - width; i += width) {
    if (state[i] === BACKDROP_LIKE) stack[top++] = i;
    if (state[i + width - 1] === BACKDROP_LIKE) stack[top++] = i + width - 1;
  }
  let shadows = 0;
  const { span } = work;
  while (top > 0) {
    const seed = stack[--top];
    if (state[seed] >= OUTSIDE) continue; // reached since it was pushed
    shadows += fillSpan(view, work, seed, shadowChroma, maxStep);
    const lo = span[0];
    const hi = span[1];
    if (lo >= width) top = seedRow(view, work, lo, hi, -width, top, shadowChroma, maxStep);
    if (lo + width < area) top = seedRow(view, work, lo, hi, width, top, shadowChroma, maxStep);
  }
  return shadows;
}

/**
 * Marks the seed and grows it along its row as far as the outside reaches; the span's ends go to work.span. Returns
 * the number of shadow pixels marked.
 */
function fillSpan(view: RgbaImage, work: Scratch, seed: number, shadowChroma: number, maxStep: number): number {
  const { width } = view;
  const { state, span } = work;
  let shadows = 0;
  if (state[seed] === BACKDROP_LIKE) {
    state[seed] = OUTSIDE;
  } else {
    state[seed] = SHADOW;
    shadows++;
  }
  const row = seed - (seed % width);
  let lo = seed;
  while (lo > row) {
    const n = lo - 1;
    const s = state[n];
    if (s === BACKDROP_LIKE) {
      state[n] = OUTSIDE;
    } else if (s < NOT_SHADOW && shadowEntered(view, work, lo, n, shadowChroma, maxStep)) {
      state[n] = SHADOW;
      shadows++;
    } else {
      break;
    }
    lo = n;
  }
  let hi = seed;
  while (hi + 1 < row + width) {
    const n = hi + 1;
    const s = state[n];
    if (s === BACKDROP_LIKE) {
      state[n] = OUTSIDE;
    } else if (s < NOT_SHADOW && shadowEntered(view, work, hi, n, shadowChroma, maxStep)) {
      state[n] = SHADOW;
      shadows++;
    } else {
      break;
    }
    hi = n;
  }
  span[0] = lo;
  span[1] = hi;
  return shadows;
}

/**
 * Whether pixel `to` (UNJUDGED or SHADOW_LIKE) is a shadow entered from `from` without a step; judges it first if it
 * was not yet.
 */
function shadowEntered(view: RgbaImage, work: Scratch, from: number, to: number, shadowChroma: number, maxStep: number): boolean {
  if (shadowChroma <= 0) return false;
  const { state } = work;
  if (state[to] === UNJUDGED) state[to] = isShadowLike(view, work, to, shadowChroma) ? SHADOW_LIKE : NOT_SHADOW;
  return state[to] === SHADOW_LIKE && smoothStep(view, work, from, to, maxStep);
}

/** Pushes seeds for the pixels at `offset` from the span lo..hi that the span can enter; returns the new stack top. */
function seedRow(
  view: RgbaImage,
  work: Scratch,
  lo: number,
  hi: number,
  offset: number,
  top: number,
  shadowChroma: number,
  maxStep: number,
): number {
  const { state, stack } = work;
  let inStretch = false;
  for (let i = lo; i <= hi; i++) {
    const n = i + offset;
    const s = state[n];
    if (s === BACKDROP_LIKE) {
      // The seed of a stretch grows over the rest of it: backdrop-like pixels always join their neighbours.
      if (!inStretch) stack[top++] = n;
      inStretch = true;
    } else {
      inStretch = false;
      if (s < NOT_SHADOW && shadowEntered(view, work, i, n, shadowChroma, maxStep)) stack[top++] = n;
    }
  }
  return top;
}

/** Whether the smoothed luminance changes by at most maxStep from pixel `from` to pixel `to`. */
function smoothStep(view: RgbaImage, work: Scratch, from: number, to: number, maxStep: number): boolean {
  return Math.abs(smoothedLuma(view, work, to) - smoothedLuma(view, work, from)) <= maxStep;
}

/**
 * Mean of R, G and B over the 3x3 neighbourhood (clamped at the edges), luminance with the noise averaged down. Only
 * the rows that shadows reach need it, so it is computed a row at a time on first use (work.lumaRows marks them).
 */
function smoothedLuma(view: RgbaImage, work: Scratch, i: number): number {
  const y = (i - (i % view.width)) / view.width;
  if (!work.lumaRows[y]) smoothedLumaRow(view, work, y);
  return work.luma[i];
}

/**
 * Row y of the smoothed luminance into work.luma: per pixel the mean of R, G and B, then the mean of three along the
 * row, then of three rows, each rounded to a Float32 as a whole-image pass storing Float32 would.
 */
function smoothedLumaRow(view: RgbaImage, work: Scratch, y: number): void {
  const { width, height, data } = view;
  const { luma, lumaRows, lumaLine } = work;
  // lumaLine: three rows' pixel luminance (0 .. 3 * width), then their means along the row (3 * width .. 6 * width).
  for (let k = 0; k < 3; k++) {
    const source = Math.min(height - 1, Math.max(0, y - 1 + k));
    for (let x = 0, p = source * width * 4; x < width; x++, p += 4) {
      lumaLine[k * width + x] = (data[p] + data[p + 1] + data[p + 2]) / 3;
    }
    for (let x = 0, j = k * width; x < width; x++, j++) {
      lumaLine[3 * width + j] = (lumaLine[x > 0 ? j - 1 : j] + lumaLine[j] + lumaLine[x + 1 < width ? j + 1 : j]) / 3;
    }
  }
  for (let x = 0, i = y * width; x < width; x++, i++) {
    luma[i] = (lumaLine[3 * width + x] + lumaLine[4 * width + x] + lumaLine[5 * width + x]) / 3;
  }
  lumaRows[y] = 1;
}

/**
 * Backdrop-like regions the outside does not reach: a HOLE when large and matching the backdrop closely (mean within
 * sigma + 2 levels, spread no more than the noise's), else part of the subject (a grey label, a shaded grey area).
 */
function classifyInner(view: RgbaImage, work: Scratch, minHoleArea: number, sigma: number): { count: number; pixels: number } {
  const { width, height, data } = view;
  const { state, queue } = work;
  const area = width * height;
  const meanLimit = sigma + 2;
  const varianceLimit = 2.25 * sigma * sigma + 1;
  let count = 0;
  let pixels = 0;
  // The only BACKDROP_LIKE pixels left after the outside's flood are inner ones: indexOf finds them natively.
  for (let start = state.indexOf(BACKDROP_LIKE); start >= 0; start = state.indexOf(BACKDROP_LIKE, start + 1)) {
    let head = 0;
    let tail = 0;
    let sumR = 0;
    let sumG = 0;
    let sumB = 0;
    let squaresR = 0;
    let squaresG = 0;
    let squaresB = 0;
    state[start] = KEPT_INNER;
    queue[tail++] = start;
    while (head < tail) {
      const i = queue[head++];
      const backdrop = backdropOf(work, i);
      const dr = data[i * 4] - backdrop[0];
      const dg = data[i * 4 + 1] - backdrop[1];
      const db = data[i * 4 + 2] - backdrop[2];
      sumR += dr;
      squaresR += dr * dr;
      sumG += dg;
      squaresG += dg * dg;
      sumB += db;
      squaresB += db * db;
      const x = i % width;
      if (x > 0 && state[i - 1] === BACKDROP_LIKE) {
        state[i - 1] = KEPT_INNER;
        queue[tail++] = i - 1;
      }
      if (x + 1 < width && state[i + 1] === BACKDROP_LIKE) {
        state[i + 1] = KEPT_INNER;
        queue[tail++] = i + 1;
      }
      if (i >= width && state[i - width] === BACKDROP_LIKE) {
        state[i - width] = KEPT_INNER;
        queue[tail++] = i - width;
      }
      if (i + width < area && state[i + width] === BACKDROP_LIKE) {
        state[i + width] = KEPT_INNER;
        queue[tail++] = i + width;
      }
    }
    if (tail < minHoleArea) continue;
    const meanR = sumR / tail;
    const meanG = sumG / tail;
    const meanB = sumB / tail;
    const meanSquared = meanR * meanR + meanG * meanG + meanB * meanB;
    const variance =
      (squaresR / tail - meanR * meanR) / 3 + (squaresG / tail - meanG * meanG) / 3 + (squaresB / tail - meanB * meanB) / 3;
    if (meanSquared <= meanLimit * meanLimit && variance <= varianceLimit) {
      for (let k = 0; k < tail; k++) state[queue[k]] = HOLE;
      count++;
      pixels += tail;
    }
  }
  return { count, pixels };
}

/** The subject's runs along each row (states up to KEPT_INNER), into work.runEnds and work.rowFirstRun. */
function findSubjectRuns(width: number, height: number, work: Scratch): void {
  const { rowFirstRun } = work;
  let runs = 0;
  for (let y = 0; y < height; y++) {
    rowFirstRun[y] = runs;
    runs = subjectRunsOfRow(work.state, work.runEnds, y * width, width, runs);
  }
  rowFirstRun[height] = runs;
}

/** Appends the runs of the row at `row` to runEnds after the first `runs` runs; returns the new count. */
function subjectRunsOfRow(state: Uint8Array, runEnds: Int32Array, row: number, width: number, runs: number): number {
  let x = 0;
  while (x < width) {
    while (x < width && state[row + x] > KEPT_INNER) x++;
    if (x === width) break;
    runEnds[runs * 2] = x;
    while (x < width && state[row + x] <= KEPT_INNER) x++;
    runEnds[runs * 2 + 1] = x;
    runs++;
  }
  return runs;
}

/**
 * Subject components (8-connected) smaller than `minArea` (noise, ringing off an edge) become outside: runs are joined
 * by union-find where they touch the previous row's, and the small components' runs are removed from the run lists.
 * Returns how many components were dropped.
 */
function dropSpecks(work: Scratch, minArea: number): number {
  const { runEnds, rowFirstRun, runParent: parent, runArea } = work;
  const height = rowFirstRun.length - 1;
  const runs = rowFirstRun[height];
  for (let r = 0; r < runs; r++) {
    parent[r] = r;
    runArea[r] = 0;
  }
  for (let y = 1; y < height; y++) {
    let q = rowFirstRun[y - 1];
    const qEnd = rowFirstRun[y];
    for (let r = rowFirstRun[y]; r < rowFirstRun[y + 1]; r++) {
      const a = runEnds[r * 2];
      const b = runEnds[r * 2 + 1];
      // Runs a..b-1 and c..d-1 on neighbouring rows touch (diagonals included) when c <= b and a <= d.
      while (q < qEnd && runEnds[q * 2 + 1] < a) q++;
      for (let p = q; p < qEnd && runEnds[p * 2] <= b; p++) {
        const rootR = findRoot(parent, r);
        const rootP = findRoot(parent, p);
        if (rootR !== rootP) parent[rootR < rootP ? rootP : rootR] = rootR < rootP ? rootR : rootP;
      }
    }
  }
  for (let r = 0; r < runs; r++) runArea[findRoot(parent, r)] += runEnds[r * 2 + 1] - runEnds[r * 2];
  let dropped = 0;
  for (let r = 0; r < runs; r++) if (parent[r] === r && runArea[r] < minArea) dropped++;
  if (dropped === 0) return 0;
  // Keep the runs of the large components, in order.
  let kept = 0;
  for (let y = 0; y < height; y++) {
    const from = rowFirstRun[y];
    const to = rowFirstRun[y + 1];
    rowFirstRun[y] = kept;
    for (let r = from; r < to; r++) {
      if (runArea[parent[r]] < minArea) continue; // parent[r] is the root after the pass above
      runEnds[kept * 2] = runEnds[r * 2];
      runEnds[kept * 2 + 1] = runEnds[r * 2 + 1];
      kept++;
    }
  }
  rowFirstRun[height] = kept;
  return dropped;
}

function findRoot(parent: Int32Array, r: number): number {
  while (parent[r] !== r) {
    parent[r] = parent[parent[r]];
    r = parent[r];
  }
  return r;
}

/** Fills work.subject from the runs and copies the subject's pixels into `out` (opaque, as the input is). */
function paintSubject(view: RgbaImage, work: Scratch, out: Uint8Array): number {
  const { width, data } = view;
  const { subject, runEnds, rowFirstRun } = work;
  const height = rowFirstRun.length - 1;
  subject.fill(0);
  let pixels = 0;
  for (let y = 0; y < height; y++) {
    for (let r = rowFirstRun[y]; r < rowFirstRun[y + 1]; r++) {
      const start = y * width + runEnds[r * 2];
      const end = y * width + runEnds[r * 2 + 1];
      subject.fill(1, start, end);
      out.set(data.subarray(start * 4, end * 4), start * 4);
      pixels += end - start;
    }
  }
  return pixels;
}

/**
 * work.edge: 1 within EDGE_BAND pixels (Chebyshev) of a change of the hard mask, i.e. of a pixel whose right or lower
 * neighbour differs from it (both are on the boundary). From the runs: a run's ends are horizontal changes, and where
 * a row's runs and the next row's differ (their symmetric difference) are vertical ones.
 */
function markEdgeBand(width: number, height: number, work: Scratch): void {
  const { edge, runEnds, rowFirstRun } = work;
  edge.fill(0);
  for (let y = 0; y < height; y++) {
    const first = rowFirstRun[y];
    const next = rowFirstRun[y + 1];
    for (let r = first; r < next; r++) {
      const a = runEnds[r * 2];
      const b = runEnds[r * 2 + 1];
      if (a > 0) markBand(edge, width, height, y, y, a - 1, a + 1);
      if (b < width) markBand(edge, width, height, y, y, b - 1, b + 1);
    }
    if (y + 1 === height) continue;
    // The symmetric difference of this row's runs and the next's: walk both lists' ends in order, toggling.
    let i = first * 2;
    const iEnd = next * 2;
    let j = next * 2;
    const jEnd = rowFirstRun[y + 2] * 2;
    let inThis = false;
    let inNext = false;
    let start = -1;
    while (i < iEnd || j < jEnd) {
      const pi = i < iEnd ? runEnds[i] : width + 1;
      const pj = j < jEnd ? runEnds[j] : width + 1;
      const at = pi < pj ? pi : pj;
      if (pi === at) {
        inThis = !inThis;
        i++;
      }
      if (pj === at) {
        inNext = !inNext;
        j++;
      }
      if (inThis !== inNext) {
        if (start < 0) start = at;
      } else if (start >= 0) {
        markBand(edge, width, height, y, y + 1, start, at);
        start = -1;
      }
    }
  }
}

/** Sets the band around boundary pixels x0..x1-1 on rows y0..y1: EDGE_BAND more on every side. */
function markBand(edge: Uint8Array, width: number, height: number, y0: number, y1: number, x0: number, x1: number): void {
  const from = x0 - EDGE_BAND > 0 ? x0 - EDGE_BAND : 0;
  const to = x1 + EDGE_BAND < width ? x1 + EDGE_BAND : width;
  const last = y1 + EDGE_BAND < height ? y1 + EDGE_BAND : height - 1;
  for (let y = y0 - EDGE_BAND > 0 ? y0 - EDGE_BAND : 0; y <= last; y++) edge.fill(1, y * width + from, y * width + to);
}

/**
 * Writes the edge band's pixels (the rest of `out` is already the opaque subject or transparent). Each is taken as a
 * mix of its local foreground F (the mean of the nearby sure subject, or on a thin part its most subject-like
 * neighbour) and its local background B (the nearby sure background, so a shadow or a hole counts as the backdrop it
 * is): alpha from its projection on B->F, with a dead zone of the noise at both ends; colour un-mixed,
 * F = (C - (1 - a) B) / a. Returns the count of partially transparent pixels, and the band's subject pixels and alpha.
 *
 * The band is walked in stretches along rows, and the window's sums slide with it: a column's sums are added as it
 * enters the window and subtracted as it leaves (integers, so exactly the window's sums).
 */
function unmixEdges(
  view: RgbaImage,
  work: Scratch,
  out: Uint8Array,
  sigma: number,
  surelySubject: number,
): { mixed: number; subjectPixels: number; alphaSum: number } {
  const { width, height } = view;
  const { edge, tally } = work;
  const area = width * height;
  tally.fill(0);
  // The band's stretches, found natively (from a 1 to the next 0), cut at the row's end: first the distances of their
  // subject pixels (the thin parts' foreground needs them), then the un-mixing.
  for (let pass = 0; pass < 2; pass++) {
    for (let start = edge.indexOf(1); start >= 0; ) {
      const row = start - (start % width);
      let end = edge.indexOf(0, start);
      if (end < 0 || end > row + width) end = row + width;
      if (pass === 0) bandDistances(view, work, row, start, end);
      else unmixStretch(view, work, out, row, start, end, sigma, surelySubject);
      start = end < area ? edge.indexOf(1, end) : -1;
    }
  }
  return { mixed: tally[0], subjectPixels: tally[1], alphaSum: tally[2] };
}

/** Into work.distance: the distance from the backdrop of the subject pixels among start .. end - 1 of the row at `row`. */
function bandDistances(view: RgbaImage, work: Scratch, row: number, start: number, end: number): void {
  const { width, height, data } = view;
  const { subject, distance, us, topTerm, bottomTerm, left, right } = work;
  const y = row / width;
  const v = height > 1 ? y / (height - 1) : 0;
  const l0 = left[y * 3];
  const l1 = left[y * 3 + 1];
  const l2 = left[y * 3 + 2];
  const r0 = right[y * 3] - l0;
  const r1 = right[y * 3 + 1] - l1;
  const r2 = right[y * 3 + 2] - l2;
  for (let i = start; i < end; i++) {
    if (!subject[i]) continue;
    const x = i - row;
    const t = x * 3;
    const u = us[x];
    // As backdropOf: each channel rounded to a Float32.
    const dr = data[i * 4] - Math.fround(topTerm[t] + v * (bottomTerm[t] - topTerm[t]) + l0 + u * r0);
    const dg = data[i * 4 + 1] - Math.fround(topTerm[t + 1] + v * (bottomTerm[t + 1] - topTerm[t + 1]) + l1 + u * r1);
    const db = data[i * 4 + 2] - Math.fround(topTerm[t + 2] + v * (bottomTerm[t + 2] - topTerm[t + 2]) + l2 + u * r2);
    distance[i] = Math.sqrt(dr * dr + dg * dg + db * db);
  }
}

/** unmixEdges on the band's pixels start .. end - 1 of the row at `row`; adds to work.tally. */
function unmixStretch(
  view: RgbaImage,
  work: Scratch,
  out: Uint8Array,
  row: number,
  start: number,
  end: number,
  sigma: number,
  surelySubject: number,
): void {
  const { width, height, data } = view;
  const { subject, columns, colour, tally } = work;
  const deadZone = 1.5 * sigma;
  const rampStart = 2.5 * sigma;
  let mixed = 0;
  let subjectPixels = 0;
  let alphaSum = 0;
  const y = row / width;
  const y0 = y > EDGE_WINDOW ? y - EDGE_WINDOW : 0;
  const y1 = y + EDGE_WINDOW < height ? y + EDGE_WINDOW : height - 1;
  let left = start - row > EDGE_WINDOW ? start - row - EDGE_WINDOW : 0;
  let right = left - 1;
  let sumFr = 0;
  let sumFg = 0;
  let sumFb = 0;
  let sumFn = 0;
  let sumBr = 0;
  let sumBg = 0;
  let sumBb = 0;
  let sumBn = 0;
  for (let i = start; i < end; i++) {
    const x = i - row;
    const windowRight = x + EDGE_WINDOW < width ? x + EDGE_WINDOW : width - 1;
    while (right < windowRight) {
      right++;
      sumColumn(view, work, right, y0, y1);
      const c = right * 8;
      sumFr += columns[c];
      sumFg += columns[c + 1];
      sumFb += columns[c + 2];
      sumFn += columns[c + 3];
      sumBr += columns[c + 4];
      sumBg += columns[c + 5];
      sumBb += columns[c + 6];
      sumBn += columns[c + 7];
    }
    const windowLeft = x > EDGE_WINDOW ? x - EDGE_WINDOW : 0;
    while (left < windowLeft) {
      const c = left * 8;
      sumFr -= columns[c];
      sumFg -= columns[c + 1];
      sumFb -= columns[c + 2];
      sumFn -= columns[c + 3];
      sumBr -= columns[c + 4];
      sumBg -= columns[c + 5];
      sumBb -= columns[c + 6];
      sumBn -= columns[c + 7];
      left++;
    }
    const p = i * 4;
    if (subject[i]) subjectPixels++;
    let fr: number;
    let fg: number;
    let fb: number;
    if (sumFn > 0) {
      fr = sumFr / sumFn;
      fg = sumFg / sumFn;
      fb = sumFb / sumFn;
    } else {
      // No subject within reach: stays transparent (out is zero here; a subject pixel is its own reach).
      if (!thinPartColour(view, work, left, right, y0, y1)) continue;
      fr = colour[0];
      fg = colour[1];
      fb = colour[2];
    }
    let br: number;
    let bg: number;
    let bb: number;
    if (sumBn > 0) {
      br = sumBr / sumBn;
      bg = sumBg / sumBn;
      bb = sumBb / sumBn;
    } else {
      const backdrop = backdropOf(work, i);
      br = backdrop[0];
      bg = backdrop[1];
      bb = backdrop[2];
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
    alphaSum += a8;
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
  tally[0] += mixed;
  tally[1] += subjectPixels;
  tally[2] += alphaSum;
}

/**
 * The foreground of an edge pixel with no sure subject in its window (columns left..right, rows y0..y1; then its
 * subject pixels are all edge): the mean of its most subject-like pixels (several, so one noisy pixel does not
 * decide), into work.colour. False when the window has no subject at all. Half the band (its background side) comes
 * here, so the columns' largest distances (from sumColumn) narrow the search to the columns that can qualify.
 */
function thinPartColour(view: RgbaImage, work: Scratch, left: number, right: number, y0: number, y1: number): boolean {
  const { width, data } = view;
  const { subject, distance, columnMost, colour } = work;
  let strongest = -1;
  for (let x = left; x <= right; x++) if (columnMost[x] > strongest) strongest = columnMost[x];
  if (strongest < 0) return false;
  const floor = 0.85 * strongest;
  let fr = 0;
  let fg = 0;
  let fb = 0;
  let fn = 0;
  for (let x = left; x <= right; x++) {
    if (columnMost[x] < floor) continue;
    for (let n = y0 * width + x, last = y1 * width + x; n <= last; n += width) {
      if (subject[n] && distance[n] >= floor) {
        fr += data[n * 4];
        fg += data[n * 4 + 1];
        fb += data[n * 4 + 2];
        fn++;
      }
    }
  }
  colour[0] = fr / fn;
  colour[1] = fg / fn;
  colour[2] = fb / fn;
  return true;
}

/**
 * Column x's sums over rows y0..y1, into work.columns[x * 8 ..]: RGB and count of the sure subject (subject, not
 * edge), then of the sure background (neither); and into work.columnMost[x] the largest distance of its edge
 * subject pixels (-1 for none).
 */
function sumColumn(view: RgbaImage, work: Scratch, x: number, y0: number, y1: number): void {
  const { width, data } = view;
  const { subject, edge, distance, columns, columnMost } = work;
  let fr = 0;
  let fg = 0;
  let fb = 0;
  let fn = 0;
  let br = 0;
  let bg = 0;
  let bb = 0;
  let bn = 0;
  let most = -1;
  for (let n = y0 * width + x, last = y1 * width + x; n <= last; n += width) {
    if (edge[n]) {
      // Only a window without sure subject asks for the largest distance, and then its subject pixels are all edge.
      if (subject[n] && distance[n] > most) most = distance[n];
      continue;
    }
    const q = n * 4;
    if (subject[n]) {
      fr += data[q];
      fg += data[q + 1];
      fb += data[q + 2];
      fn++;
    } else {
      br += data[q];
      bg += data[q + 1];
      bb += data[q + 2];
      bn++;
    }
  }
  const c = x * 8;
  columns[c] = fr;
  columns[c + 1] = fg;
  columns[c + 2] = fb;
  columns[c + 3] = fn;
  columns[c + 4] = br;
  columns[c + 5] = bg;
  columns[c + 6] = bb;
  columns[c + 7] = bn;
  columnMost[x] = most;
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
