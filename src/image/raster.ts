/**
 * Pure pixel operations on 8-bit RGBA rasters (4 bytes a pixel, rows top to bottom, no padding): area-averaging
 * downscale, bilinear enlarge, EXIF orientation, compositing onto a background, padding, cropping, CMYK to RGB.
 * No dependencies; used inside the image worker (and, until the lead removes them, by the old modules).
 */
import type { Rect } from '../shared/gridGeometry';

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA, straight (not premultiplied) alpha. */
  data: Uint8Array;
}

/** An opaque colour, 0-255 a channel. */
export interface RgbColor {
  r: number;
  g: number;
  b: number;
}

/**
 * The mid grey that the Zero123++ pipeline composites transparent inputs onto (its `to_rgb_image`): the one
 * background for padding the input and for the turntable's frames, so both look like what the model saw.
 */
export const NEUTRAL_GREY: RgbColor = { r: 127, g: 127, b: 127 };
export const NEUTRAL_GREY_HEX = '#7f7f7f';

/** True when some pixel is not fully opaque. */
export function hasTransparency(image: RgbaImage): boolean {
  const { data } = image;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      return true;
    }
  }
  return false;
}

/**
 * Per source index along one axis: the output index it falls in first, and how much of it goes
 * there (the rest, if any, goes to the next output index). Weights are in output units, so the
 * weights reaching any one output index add up to 1.
 */
function axisWeights(src: number, dst: number): { index: Int32Array; first: Float64Array; second: Float64Array } {
  const index = new Int32Array(src);
  const first = new Float64Array(src);
  const second = new Float64Array(src);
  const ratio = dst / src; // <= 1
  for (let s = 0; s < src; s++) {
    const a = s * ratio;
    const b = (s + 1) * ratio;
    let o = Math.floor(a);
    if (o >= dst) {
      o = dst - 1;
    }
    index[s] = o;
    if (b <= o + 1 || o + 1 >= dst) {
      first[s] = Math.min(b, dst) - a;
      second[s] = 0;
    } else {
      first[s] = o + 1 - a;
      second[s] = b - (o + 1);
    }
  }
  return { index, first, second };
}

/**
 * Downscale by area averaging (a box filter of exactly the source footprint of each output
 * pixel): every source pixel contributes to the output pixels it overlaps, in proportion to the
 * overlap. Colour is averaged with premultiplied alpha so transparent pixels do not darken edges.
 * Works row by row: extra memory is a few rows of the output, not a copy of the image.
 *
 * `width`/`height` must not exceed the source's (this only shrinks).
 */
export function downscaleArea(source: RgbaImage, width: number, height: number): RgbaImage {
  const sw = source.width;
  const sh = source.height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > sw || height > sh) {
    throw new RangeError(`cannot downscale ${sw}x${sh} to ${width}x${height}`);
  }
  if (width === sw && height === sh) {
    return { width, height, data: source.data.slice() };
  }
  if (!hasTransparency(source)) {
    return downscaleOpaque(source, width, height);
  }
  const src = source.data;
  const out = new Uint8Array(width * height * 4);
  const xs = axisWeights(sw, width);
  const rowLen = width * 4;
  accumulateRows(sh, height, rowLen, (length) => new Float64Array(length), (sy, hrow) => {
    // Horizontal pass over one source row, premultiplying colour by alpha.
    let p = sy * sw * 4;
    for (let sx = 0; sx < sw; sx++, p += 4) {
      const alpha = src[p + 3];
      if (alpha === 0) {
        continue;
      }
      const r = src[p] * alpha;
      const g = src[p + 1] * alpha;
      const b = src[p + 2] * alpha;
      const o = xs.index[sx] * 4;
      const w1 = xs.first[sx];
      hrow[o] += r * w1;
      hrow[o + 1] += g * w1;
      hrow[o + 2] += b * w1;
      hrow[o + 3] += alpha * w1;
      const w2 = xs.second[sx];
      if (w2 > 0) {
        hrow[o + 4] += r * w2;
        hrow[o + 5] += g * w2;
        hrow[o + 6] += b * w2;
        hrow[o + 7] += alpha * w2;
      }
    }
  }, (acc, oy) => {
    let o = oy * rowLen;
    for (let i = 0; i < rowLen; i += 4, o += 4) {
      const a = acc[i + 3];
      if (a < 0.5) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      // Premultiplied sums divided by the alpha sum give the straight colour.
      const r = acc[i] / a;
      const g = acc[i + 1] / a;
      const b = acc[i + 2] / a;
      out[o] = r > 255 ? 255 : Math.round(r);
      out[o + 1] = g > 255 ? 255 : Math.round(g);
      out[o + 2] = b > 255 ? 255 : Math.round(b);
      out[o + 3] = a > 255 ? 255 : Math.round(a);
    }
  });
  return { width, height, data: out };
}

/**
 * The vertical half of the box filter, shared by both downscales: `horizontal` fills `row` (zeroed, `rowLen` values
 * plus 4 spare) from source row `sy`; the row is added into the one or two output rows it overlaps, and each output
 * row is handed to `flush` once complete. Memory: three rows.
 */
function accumulateRows<Row extends Float32Array | Float64Array>(
  sourceHeight: number,
  height: number,
  rowLen: number,
  makeRow: (length: number) => Row,
  horizontal: (sy: number, row: Row) => void,
  flush: (acc: Row, oy: number) => void,
): void {
  const ys = axisWeights(sourceHeight, height);
  const row = makeRow(rowLen + 4);
  let accCur = makeRow(rowLen);
  let accNext = makeRow(rowLen);
  let current = 0;
  for (let sy = 0; sy < sourceHeight; sy++) {
    const oy = ys.index[sy];
    while (oy > current) {
      flush(accCur, current);
      const done = accCur;
      accCur = accNext;
      accNext = done;
      accNext.fill(0);
      current++;
    }
    row.fill(0);
    horizontal(sy, row);
    const v1 = ys.first[sy];
    const v2 = ys.second[sy];
    for (let i = 0; i < rowLen; i++) {
      accCur[i] += row[i] * v1;
    }
    if (v2 > 0) {
      for (let i = 0; i < rowLen; i++) {
        accNext[i] += row[i] * v2;
      }
    }
  }
  flush(accCur, current);
  if (current + 1 < height) {
    flush(accNext, current + 1);
  }
}

/**
 * downscaleArea for an opaque image (the usual photo): the same box filter without premultiplying, on three
 * channels, in 32-bit floats; about twice as fast. Alpha stays 255.
 */
function downscaleOpaque(source: RgbaImage, width: number, height: number): RgbaImage {
  const sw = source.width;
  const src = source.data;
  const out = new Uint8Array(width * height * 4);
  const xs = axisWeights(sw, width);
  const xIndex = xs.index;
  const xFirst = Float32Array.from(xs.first);
  const xSecond = Float32Array.from(xs.second);
  const rowLen = width * 3;
  accumulateRows(source.height, height, rowLen, (length) => new Float32Array(length), (sy, hrow) => {
    let p = sy * sw * 4;
    for (let sx = 0; sx < sw; sx++, p += 4) {
      const o = xIndex[sx] * 3;
      const w1 = xFirst[sx];
      const w2 = xSecond[sx];
      const r = src[p];
      const g = src[p + 1];
      const b = src[p + 2];
      hrow[o] += r * w1;
      hrow[o + 1] += g * w1;
      hrow[o + 2] += b * w1;
      // w2 is 0 when the source pixel lies within one output pixel; the row's spare values absorb o + 3 at the end.
      hrow[o + 3] += r * w2;
      hrow[o + 4] += g * w2;
      hrow[o + 5] += b * w2;
    }
  }, (acc, oy) => {
    let o = oy * width * 4;
    for (let i = 0; i < rowLen; i += 3, o += 4) {
      // The weights add up to 1, so a sum never exceeds 255 by more than rounding: +0.5 then truncation rounds.
      out[o] = acc[i] + 0.5;
      out[o + 1] = acc[i + 1] + 0.5;
      out[o + 2] = acc[i + 2] + 0.5;
      out[o + 3] = 255;
    }
  });
  return { width, height, data: out };
}

/** Bilinear resize (for enlarging a small input to the views' size). */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8Array(width * height * 4);
  const xRatio = image.width / width;
  const yRatio = image.height / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * yRatio - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * xRatio - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const p00 = (y0 * image.width + x0) * 4;
      const p01 = (y0 * image.width + x1) * 4;
      const p10 = (y1 * image.width + x0) * 4;
      const p11 = (y1 * image.width + x1) * 4;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = image.data[p00 + c] * (1 - fx) + image.data[p01 + c] * fx;
        const bottom = image.data[p10 + c] * (1 - fx) + image.data[p11 + c] * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Apply an EXIF orientation (1-8) to the pixels, so the result looks upright without the tag.
 * Orientations 5-8 swap width and height.
 */
export function applyExifOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (!(orientation >= 2 && orientation <= 8)) {
    return image;
  }
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const src32 = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  const out32 = new Uint32Array(out.buffer, 0, ow * oh);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2: dx = w - 1 - x; dy = y; break; // mirror horizontally
        case 3: dx = w - 1 - x; dy = h - 1 - y; break; // rotate 180
        case 4: dx = x; dy = h - 1 - y; break; // mirror vertically
        case 5: dx = y; dy = x; break; // transpose
        case 6: dx = h - 1 - y; dy = x; break; // rotate 90 clockwise
        case 7: dx = h - 1 - y; dy = w - 1 - x; break; // transverse
        default: dx = y; dy = w - 1 - x; break; // 8: rotate 90 counter-clockwise
      }
      out32[dy * ow + dx] = src32[y * w + x];
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * `image` centred, unscaled, on a `width` x `height` canvas of `background` (at least the image's size), each
 * pixel's alpha composited over the background, so the result is opaque. When a side differs by an odd number,
 * the extra column or row of background goes to the right or bottom. With `background` null the canvas is
 * transparent and the image's pixels are copied as they are (for the keep-transparency path).
 */
export function centreOnBackground(image: RgbaImage, width: number, height: number, background: RgbColor | null): RgbaImage {
  const { width: imageWidth, height: imageHeight, data } = image;
  if (imageWidth > width || imageHeight > height) {
    throw new RangeError(`cannot centre ${imageWidth}x${imageHeight} on ${width}x${height}`);
  }
  const left = Math.floor((width - imageWidth) / 2);
  const top = Math.floor((height - imageHeight) / 2);
  const out = new Uint8Array(width * height * 4);
  if (background === null) {
    for (let y = 0; y < imageHeight; y++) {
      out.set(data.subarray(y * imageWidth * 4, (y + 1) * imageWidth * 4), ((top + y) * width + left) * 4);
    }
    return { width, height, data: out };
  }
  const { r, g, b } = background;
  const fill = new Uint32Array(out.buffer);
  fill.fill(packRgba(r, g, b, 255));
  for (let y = 0; y < imageHeight; y++) {
    let s = y * imageWidth * 4;
    let o = ((top + y) * width + left) * 4;
    for (let x = 0; x < imageWidth; x++, s += 4, o += 4) {
      const alpha = data[s + 3];
      if (alpha === 255) {
        out[o] = data[s];
        out[o + 1] = data[s + 1];
        out[o + 2] = data[s + 2];
      } else if (alpha !== 0) {
        // Straight (not premultiplied) alpha, as PNG stores it: colour * a + background * (1 - a).
        const rest = 255 - alpha;
        out[o] = Math.round((data[s] * alpha + r * rest) / 255);
        out[o + 1] = Math.round((data[s + 1] * alpha + g * rest) / 255);
        out[o + 2] = Math.round((data[s + 2] * alpha + b * rest) / 255);
      }
    }
  }
  return { width, height, data: out };
}

/** The 32-bit value whose bytes in memory are r, g, b, a (every platform Node runs on is little-endian). */
function packRgba(r: number, g: number, b: number, a: number): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Every pixel's alpha composited over `background`, in place; the image becomes opaque. */
export function compositeInPlace(image: RgbaImage, background: RgbColor): void {
  const { data } = image;
  const { r, g, b } = background;
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3];
    if (alpha === 255) {
      continue;
    }
    const rest = 255 - alpha;
    data[i] = Math.round((data[i] * alpha + r * rest) / 255);
    data[i + 1] = Math.round((data[i + 1] * alpha + g * rest) / 255);
    data[i + 2] = Math.round((data[i + 2] * alpha + b * rest) / 255);
    data[i + 3] = 255;
  }
}

/**
 * `image` scaled (aspect kept) to fit inside width x height, centred, composited over `background`; the result is
 * opaque. With `background` null the margins are transparent and the pixels keep their alpha (centreOnBackground).
 * Shrinking averages areas, enlarging interpolates bilinearly.
 */
export function fitInto(image: RgbaImage, width: number, height: number, background: RgbColor | null = NEUTRAL_GREY): RgbaImage {
  const scale = Math.min(width / image.width, height / image.height);
  const fittedWidth = Math.max(1, Math.min(width, Math.round(image.width * scale)));
  const fittedHeight = Math.max(1, Math.min(height, Math.round(image.height * scale)));
  const fitted =
    fittedWidth <= image.width && fittedHeight <= image.height
      ? downscaleArea(image, fittedWidth, fittedHeight)
      : resizeBilinear(image, fittedWidth, fittedHeight);
  return centreOnBackground(fitted, width, height, background);
}


/** The pixels inside `rect`, clipped to the image; an empty crop throws. */
export function cropRgba(image: RgbaImage, rect: Rect): RgbaImage {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(image.width, Math.floor(rect.x + rect.width));
  const y1 = Math.min(image.height, Math.floor(rect.y + rect.height));
  const width = x1 - x0;
  const height = y1 - y0;
  if (width <= 0 || height <= 0) {
    throw new RangeError(`Empty crop ${JSON.stringify(rect)} of a ${image.width}x${image.height} image.`);
  }
  const data = new Uint8Array(width * height * 4);
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    const start = ((y0 + y) * image.width + x0) * 4;
    data.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return { width, height, data };
}

/**
 * CMYK samples (4 bytes a pixel, as libjpeg returns them) to opaque RGBA. `inverted`: Adobe's convention (an APP14
 * "Adobe" segment is present), where Photoshop stores 255 - ink, so the sample is already the "paper" fraction.
 * A naive conversion (no ICC profile): good enough for a model that works on a 320 px image.
 */
export function cmykToRgba(cmyk: Uint8Array, width: number, height: number, inverted: boolean): RgbaImage {
  const pixels = width * height;
  const out = new Uint8Array(pixels * 4);
  for (let p = 0, i = 0; p < pixels; p++, i += 4) {
    let c = cmyk[i];
    let m = cmyk[i + 1];
    let y = cmyk[i + 2];
    let k = cmyk[i + 3];
    if (!inverted) {
      c = 255 - c;
      m = 255 - m;
      y = 255 - y;
      k = 255 - k;
    }
    out[i] = Math.round((c * k) / 255);
    out[i + 1] = Math.round((m * k) / 255);
    out[i + 2] = Math.round((y * k) / 255);
    out[i + 3] = 255;
  }
  return { width, height, data: out };
}
