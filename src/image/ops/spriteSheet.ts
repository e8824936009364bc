/**
 * The sprite sheet (texture atlas) of a result: its frames (the input picture, optionally, then the six views by
 * azimuth) side by side in one RGBA PNG, each frame's rect reported for the data files (src/core/exports/
 * spriteSheetData.ts). Runs inside the worker.
 *
 * Every frame sits in a cell of the same size: the size most frames share (the six views'); a frame of another size
 * (the input picture) is fitted into it, aspect kept, on transparency. Each frame's edge pixels are repeated
 * `extrude` px outward, so bilinear filtering and mipmaps at the frame's edge sample the frame itself rather than
 * its neighbour or the gutter; `padding` transparent px separate the extruded frames and surround the sheet.
 */
import { encodePngAsync } from '../codecs/pngFast';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage } from '../decode';
import { fitInto, hasTransparency, type RgbaImage } from '../raster';
import { inputFrame, type InputSkipped } from './inputFrame';

export interface SpriteSheetRequest {
  /** In turning order; PNG, JPEG or WebP bytes. */
  frames: Array<{ name: string; png: Uint8Array }>;
  /** Transparent px between extruded frames and around the sheet; 2 by default. */
  padding?: number;
  /** Px of each frame's edge repeated outward; 1 by default. */
  extrude?: number;
  /** `grid`: ceil(sqrt(n)) columns, the nearest to square (the default); `row`: one row. */
  layout?: 'grid' | 'row';
  /** The input picture as the first frame, named `name`, fitted into the frames' size (any size, EXIF-rotated). */
  input?: { path: string; name: string };
}

export interface SpriteSheetFrame {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SpriteSheet {
  /** RGBA PNG, transparent outside the frames and their extrusion. */
  png: Uint8Array;
  width: number;
  height: number;
  /** In the request's order (the input first, when it is there). */
  frames: SpriteSheetFrame[];
  /** Why the input asked for is not a frame. */
  inputSkipped?: InputSkipped;
}

export const DEFAULT_SPRITE_PADDING = 2;
export const DEFAULT_SPRITE_EXTRUDE = 1;

export async function encodeSpriteSheet(request: SpriteSheetRequest, codecs: WasmCodecs): Promise<SpriteSheet> {
  const padding = request.padding ?? DEFAULT_SPRITE_PADDING;
  const extrude = request.extrude ?? DEFAULT_SPRITE_EXTRUDE;
  if (!Number.isInteger(padding) || padding < 0 || !Number.isInteger(extrude) || extrude < 0) {
    throw new RangeError(`padding and extrude must be whole numbers of pixels (got ${padding} and ${extrude})`);
  }
  if (request.frames.length === 0) {
    throw new RangeError('a sprite sheet needs at least one frame');
  }
  const images = request.frames.map((frame) => decodeImage(frame.png, codecs).image);
  const names = request.frames.map((frame) => frame.name);
  const cell = commonSize(images);
  const input = request.input && (await inputFrame(request.input.path, cell.width, cell.height, images.some(hasTransparency), codecs));
  if (request.input && input && typeof input !== 'string') {
    images.unshift(input);
    names.unshift(request.input.name);
  }
  const columns = request.layout === 'row' ? images.length : Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const pitchX = cell.width + 2 * extrude + padding;
  const pitchY = cell.height + 2 * extrude + padding;
  const width = padding + columns * pitchX;
  const height = padding + rows * pitchY;
  const sheet: RgbaImage = { width, height, data: new Uint8Array(width * height * 4) };
  const frames = images.map((image, index): SpriteSheetFrame => {
    const fitted = image.width === cell.width && image.height === cell.height ? image : fitInto(image, cell.width, cell.height, null);
    const x = padding + (index % columns) * pitchX + extrude;
    const y = padding + Math.floor(index / columns) * pitchY + extrude;
    blitExtruded(sheet, fitted, x, y, extrude);
    return { name: names[index], x, y, w: cell.width, h: cell.height };
  });
  return { png: await encodePngAsync(sheet, false), width, height, frames, ...(typeof input === 'string' ? { inputSkipped: input } : {}) };
}

/** The size most images have; the first such size on a tie. */
function commonSize(images: RgbaImage[]): { width: number; height: number } {
  const counts = new Map<string, number>();
  let best = images[0];
  let bestCount = 0;
  for (const image of images) {
    const key = `${image.width}x${image.height}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > bestCount) {
      best = image;
      bestCount = count;
    }
  }
  return { width: best.width, height: best.height };
}

/** `frame` copied into `sheet` at (x, y), its edge rows and columns repeated `extrude` px outward (corners too). */
function blitExtruded(sheet: RgbaImage, frame: RgbaImage, x: number, y: number, extrude: number): void {
  const { data } = sheet;
  const sheetStride = sheet.width * 4;
  const frameStride = frame.width * 4;
  for (let row = 0; row < frame.height; row++) {
    const lineStart = (y + row) * sheetStride + x * 4;
    data.set(frame.data.subarray(row * frameStride, (row + 1) * frameStride), lineStart);
    const last = lineStart + frameStride - 4;
    for (let i = 1; i <= extrude; i++) {
      data.copyWithin(lineStart - i * 4, lineStart, lineStart + 4);
      data.copyWithin(last + i * 4, last, last + 4);
    }
  }
  const extrudedStart = x * 4 - extrude * 4;
  const extrudedBytes = frameStride + 2 * extrude * 4;
  const top = y * sheetStride + extrudedStart;
  const bottom = (y + frame.height - 1) * sheetStride + extrudedStart;
  for (let i = 1; i <= extrude; i++) {
    data.copyWithin(top - i * sheetStride, top, top + extrudedBytes);
    data.copyWithin(bottom + i * sheetStride, bottom, bottom + extrudedBytes);
  }
}
