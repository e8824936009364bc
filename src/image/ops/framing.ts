/**
 * Framing a cut-out before it is sent, as TripoSR and InstantMesh do (`resize_foreground(image, 0.85)`): the
 * subject's alpha bounds cropped, scaled so its longer side fills `share` of the square, centred on the grey. Also
 * the streaming side of the upload for PNGs too big to decode whole: two passes over a row-streamed PNG (where is the
 * subject, then that box area-averaged into its target size), or one (the whole picture fitted).
 *
 * The subject's bounds (the rule): a pixel belongs to the subject when its alpha is above ALPHA_THRESHOLD (10%), so
 * a soft low-alpha shadow or near-transparent haze does not count; and a row or column belongs to the box only when
 * it holds more than `speckPixels` such pixels (2, or 1/1000 of the long side), so a few isolated specks do not
 * widen it (a subject's one-pixel tip may be trimmed by that much, which no one sees at the model's 320 px).
 */
import { alphaByteOffset, PngStreamError, rowToRgba, streamPngRows, type PngStreamLayout } from '../codecs/pngStream';
import { applyExifOrientation, centreOnBackground, compositeInPlace, cropRgba, downscaleArea, NEUTRAL_GREY, resizeBilinear, type RgbaImage } from '../raster';
import type { Rect } from '../../shared/gridGeometry';

export const ALPHA_THRESHOLD = Math.round(0.1 * 255);
export const MIN_FRAME_SHARE = 0.5;
export const MAX_FRAME_SHARE = 0.95;

/** A box in the picture's pixels (the shared Rect). */
export type Box = Rect;

interface Size {
  width: number;
  height: number;
}

/** Counts, per row and column, the pixels above ALPHA_THRESHOLD, and whether any pixel is not opaque. */
export class SubjectBounds {
  private readonly rowCounts: Uint32Array;
  private readonly columnCounts: Uint32Array;
  transparent = false;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rowCounts = new Uint32Array(height);
    this.columnCounts = new Uint32Array(width);
  }

  /** Row `y`'s alphas: `data[offset + x * stride]` for x in 0..width-1. */
  addRow(y: number, data: Uint8Array, offset: number, stride: number): void {
    const columns = this.columnCounts;
    let count = 0;
    let opaque = true;
    for (let x = 0, i = offset; x < this.width; x++, i += stride) {
      const alpha = data[i];
      if (alpha !== 255) {
        opaque = false;
        if (alpha > ALPHA_THRESHOLD) {
          count++;
          columns[x]++;
        }
      } else {
        count++;
        columns[x]++;
      }
    }
    this.rowCounts[y] = count;
    if (!opaque) this.transparent = true;
  }

  /** The subject's box in these (stored) pixels, or undefined when nothing stands out. */
  box(): Box | undefined {
    const speckPixels = Math.max(2, Math.floor(Math.max(this.width, this.height) / 1000));
    const first = (counts: Uint32Array) => counts.findIndex((count) => count > speckPixels);
    const last = (counts: Uint32Array) => {
      let i = counts.length - 1;
      while (i >= 0 && counts[i] <= speckPixels) i--;
      return i;
    };
    const y0 = first(this.rowCounts);
    const x0 = first(this.columnCounts);
    if (y0 < 0 || x0 < 0) {
      return undefined;
    }
    return { x: x0, y: y0, width: last(this.columnCounts) - x0 + 1, height: last(this.rowCounts) - y0 + 1 };
  }
}

/** What framing `box` (stored pixels) into a `side` square at `share` amounts to. */
export interface FramingPlan {
  /** The box in the upright picture's pixels (EXIF orientation applied). */
  uprightBox: Box;
  /** Output pixels per source pixel (above 1: enlarged, bilinear). */
  scale: number;
  /** The box's size after area averaging, as stored: the box's own size when it is enlarged afterwards. */
  reduced: Size;
  side: number;
}

export function planFraming(box: Box, stored: Size, orientation: number, side: number, share: number): FramingPlan {
  const scale = Math.round(share * side) / Math.max(box.width, box.height);
  const reduced = scale < 1 ? { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) } : { width: box.width, height: box.height };
  return { uprightBox: uprightBox(box, stored, orientation), scale, reduced, side };
}

/** `box` in stored pixels mapped to the upright picture, for EXIF orientation 1-8 (as applyExifOrientation turns it). */
function uprightBox(box: Box, stored: Size, orientation: number): Box {
  const { x, y, width: w, height: h } = box;
  const right = stored.width - x - w;
  const bottom = stored.height - y - h;
  switch (orientation) {
    case 2: return { x: right, y, width: w, height: h };
    case 3: return { x: right, y: bottom, width: w, height: h };
    case 4: return { x, y: bottom, width: w, height: h };
    case 5: return { x: y, y: x, width: h, height: w };
    case 6: return { x: bottom, y: x, width: h, height: w };
    case 7: return { x: bottom, y: right, width: h, height: w };
    case 8: return { x: y, y: right, width: h, height: w };
    default: return { ...box };
  }
}

/**
 * The reduced crop (stored orientation, straight alpha) turned upright, composited on the grey, enlarged when the
 * plan says so (after compositing, so no transparent pixel's colour bleeds in), and centred in the grey square.
 */
export function finishFraming(reduced: RgbaImage, orientation: number, plan: FramingPlan): RgbaImage {
  const upright = applyExifOrientation(reduced, orientation);
  compositeInPlace(upright, NEUTRAL_GREY);
  const sized =
    plan.scale > 1
      ? resizeBilinear(upright, Math.min(plan.side, Math.round(upright.width * plan.scale)), Math.min(plan.side, Math.round(upright.height * plan.scale)))
      : upright;
  return centreOnBackground(sized, plan.side, plan.side, NEUTRAL_GREY);
}

/** The subject's bounds of a whole decoded picture (stored orientation). */
export function boundsOfImage(image: RgbaImage): SubjectBounds {
  const bounds = new SubjectBounds(image.width, image.height);
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) {
    bounds.addRow(y, image.data, y * rowBytes + 3, 4);
  }
  return bounds;
}

/** A whole decoded picture's box cropped and area-averaged to the plan's reduced size. */
export function reduceBoxOfImage(image: RgbaImage, box: Box, plan: FramingPlan): RgbaImage {
  return downscaleArea(cropRgba(image, box), plan.reduced.width, plan.reduced.height);
}

/** Pass 1 over a streamed PNG: the subject's bounds (only the alpha bytes unfiltered when alpha is a channel). */
export async function boundsOfPng(layout: PngStreamLayout): Promise<SubjectBounds> {
  const bounds = new SubjectBounds(layout.width, layout.height);
  const alphaByte = alphaByteOffset(layout);
  if (alphaByte !== undefined) {
    await streamPngRows(layout, (row, y) => (bounds.addRow(y, row, alphaByte, layout.filterStride), true), { alphaOnly: true });
    return bounds;
  }
  const rgba = new Uint8Array(layout.width * 4);
  await streamPngRows(layout, (row, y) => {
    rowToRgba(layout, row, rgba);
    bounds.addRow(y, rgba, 3, 4);
    return true;
  });
  return bounds;
}

/**
 * Pass 2 (or the only pass): `box` of a streamed PNG area-averaged into `size` (no larger than the box), rows
 * consumed as they arrive; stops after the box's last row. Memory: the output and a few rows.
 */
export async function reducePngBox(layout: PngStreamLayout, box: Box, size: Size): Promise<RgbaImage> {
  const reducer = new AreaReducer(box.width, box.height, size.width, size.height);
  const rgba = new Uint8Array(box.width * 4);
  const end = box.y + box.height;
  await streamPngRows(layout, (row, y) => {
    if (y >= box.y) {
      rowToRgba(layout, row, rgba, box.x, box.x + box.width);
      reducer.push(rgba);
    }
    return y + 1 < end;
  });
  return reducer.result();
}

/**
 * The push-model twin of raster.ts's downscaleArea (a box filter over each output pixel's exact source footprint,
 * colour averaged with premultiplied alpha): source rows are given one at a time, so the source is never held.
 */
class AreaReducer {
  private readonly xIndex: Int32Array;
  private readonly xFirst: Float32Array;
  private readonly xSecond: Float32Array;
  private readonly yIndex: Int32Array;
  private readonly yFirst: Float32Array;
  private readonly ySecond: Float32Array;
  private readonly row: Float32Array;
  private current: Float32Array;
  private next: Float32Array;
  private readonly out: Uint8Array;
  private sourceRow = 0;
  private outputRow = 0;

  constructor(
    private readonly sourceWidth: number,
    private readonly sourceHeight: number,
    private readonly width: number,
    private readonly height: number,
  ) {
    if (width > sourceWidth || height > sourceHeight || width < 1 || height < 1) {
      throw new RangeError(`cannot reduce ${sourceWidth}x${sourceHeight} to ${width}x${height}`);
    }
    ({ index: this.xIndex, first: this.xFirst, second: this.xSecond } = axisWeights(sourceWidth, width));
    ({ index: this.yIndex, first: this.yFirst, second: this.ySecond } = axisWeights(sourceHeight, height));
    this.row = new Float32Array(width * 4 + 4);
    this.current = new Float32Array(width * 4);
    this.next = new Float32Array(width * 4);
    this.out = new Uint8Array(width * height * 4);
  }

  /** The next source row: sourceWidth RGBA pixels. */
  push(rgba: Uint8Array): void {
    const sy = this.sourceRow++;
    const oy = this.yIndex[sy];
    while (oy > this.outputRow) {
      this.flush(this.current, this.outputRow++);
      [this.current, this.next] = [this.next, this.current];
      this.next.fill(0);
    }
    const { row, xIndex, xFirst, xSecond } = this;
    row.fill(0);
    for (let sx = 0, p = 0; sx < this.sourceWidth; sx++, p += 4) {
      const alpha = rgba[p + 3];
      if (alpha === 0) continue;
      const r = rgba[p] * alpha;
      const g = rgba[p + 1] * alpha;
      const b = rgba[p + 2] * alpha;
      const o = xIndex[sx] * 4;
      const w1 = xFirst[sx];
      const w2 = xSecond[sx];
      row[o] += r * w1;
      row[o + 1] += g * w1;
      row[o + 2] += b * w1;
      row[o + 3] += alpha * w1;
      // w2 is 0 when the source pixel lies within one output pixel; the spare 4 values absorb the row's end.
      row[o + 4] += r * w2;
      row[o + 5] += g * w2;
      row[o + 6] += b * w2;
      row[o + 7] += alpha * w2;
    }
    const v1 = this.yFirst[sy];
    const v2 = this.ySecond[sy];
    const length = this.width * 4;
    for (let i = 0; i < length; i++) this.current[i] += row[i] * v1;
    if (v2 > 0) for (let i = 0; i < length; i++) this.next[i] += row[i] * v2;
  }

  result(): RgbaImage {
    if (this.sourceRow !== this.sourceHeight) {
      throw new PngStreamError('fewer rows than the box');
    }
    this.flush(this.current, this.outputRow);
    if (this.outputRow + 1 < this.height) this.flush(this.next, this.outputRow + 1);
    return { width: this.width, height: this.height, data: this.out };
  }

  private flush(acc: Float32Array, oy: number): void {
    const out = this.out;
    let o = oy * this.width * 4;
    for (let i = 0; i < this.width * 4; i += 4, o += 4) {
      const a = acc[i + 3];
      if (a < 0.5) continue; // stays transparent black
      out[o] = Math.min(255, Math.round(acc[i] / a));
      out[o + 1] = Math.min(255, Math.round(acc[i + 1] / a));
      out[o + 2] = Math.min(255, Math.round(acc[i + 2] / a));
      out[o + 3] = Math.min(255, Math.round(a));
    }
  }
}

/** Per source index: the output index it falls in first and its weight there and in the next (output units). */
function axisWeights(source: number, output: number): { index: Int32Array; first: Float32Array; second: Float32Array } {
  const index = new Int32Array(source);
  const first = new Float32Array(source);
  const second = new Float32Array(source);
  const ratio = output / source;
  for (let s = 0; s < source; s++) {
    const a = s * ratio;
    const b = (s + 1) * ratio;
    const o = Math.min(output - 1, Math.floor(a));
    index[s] = o;
    if (b <= o + 1 || o + 1 >= output) {
      first[s] = Math.min(b, output) - a;
    } else {
      first[s] = o + 1 - a;
      second[s] = b - (o + 1);
    }
  }
  return { index, first, second };
}
