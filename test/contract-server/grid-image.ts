/**
 * Placeholder images for the contract server, made with pngjs: the result grid (3 rows x 2 columns of flat
 * coloured tiles, each with a darker square, on grey gutters, like a Zero123++ sheet), its faulty variants (a
 * transparent background, a damaged body, the wrong size) and a tiny input image.
 */
import { PNG } from 'pngjs';

export const GRID_ROWS = 3;
export const GRID_COLUMNS = 2;
/** One distinct colour per view, in row-major tile order. */
export const TILE_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [220, 80, 70],
  [70, 170, 90],
  [60, 120, 210],
  [230, 180, 40],
  [150, 90, 190],
  [40, 180, 180],
];
const GUTTER_GREY = 128;
const GUTTER_PX = 2;
const MIN_SIDE = 8;
const MAX_SIDE = 2048;

const gridCache = new Map<string, Buffer>();

export interface GridLook {
  /** Photo-like grain, so the file is as large as a real result (about a megabyte at 640 x 960) for benchmarks. */
  textured?: boolean;
  /**
   * Only each tile's central square (the "subject", in the tile's colour) is opaque; gutters and the rest of the
   * tile are fully transparent, like six views cut out for the 3D service's multi_image input.
   */
  transparent?: boolean;
}

/** The PNG bytes of a width x height grid (cached per size and look, since tests ask for the same few). */
export function gridPng(width: number, height: number, { textured = false, transparent = false }: GridLook = {}): Buffer {
  const w = clampSide(width);
  const h = clampSide(height);
  const cacheKey = `${w}x${h}${textured ? '-textured' : ''}${transparent ? '-transparent' : ''}`;
  let bytes = gridCache.get(cacheKey);
  if (!bytes) {
    bytes = transparent ? renderTransparentGrid(w, h) : renderGrid(w, h, textured);
    gridCache.set(cacheKey, bytes);
  }
  return bytes;
}

function renderGrid(width: number, height: number, textured: boolean): Buffer {
  const png = new PNG({ width, height });
  let seed = 12345;
  const grain = (): number => (textured ? ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 27) - 16 : 0);
  const tileWidth = width / GRID_COLUMNS;
  const tileHeight = height / GRID_ROWS;
  const squareSide = 0.4 * Math.min(tileWidth, tileHeight);
  for (let y = 0; y < height; y++) {
    const row = Math.min(GRID_ROWS - 1, Math.floor(y / tileHeight));
    const localY = y - row * tileHeight;
    for (let x = 0; x < width; x++) {
      const column = Math.min(GRID_COLUMNS - 1, Math.floor(x / tileWidth));
      const localX = x - column * tileWidth;
      const [r, g, b] = TILE_COLOURS[row * GRID_COLUMNS + column];
      const inGutter = localX < GUTTER_PX || localY < GUTTER_PX || tileWidth - localX <= GUTTER_PX || tileHeight - localY <= GUTTER_PX;
      const inSquare = Math.abs(localX - tileWidth / 2) < squareSide / 2 && Math.abs(localY - tileHeight / 2) < squareSide / 2;
      const shade = inSquare ? 0.55 : 1;
      const offset = (y * width + x) * 4;
      png.data[offset] = inGutter ? GUTTER_GREY : Math.round(r * shade) + grain();
      png.data[offset + 1] = inGutter ? GUTTER_GREY : Math.round(g * shade) + grain();
      png.data[offset + 2] = inGutter ? GUTTER_GREY : Math.round(b * shade) + grain();
      png.data[offset + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

function renderTransparentGrid(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  const tileWidth = width / GRID_COLUMNS;
  const tileHeight = height / GRID_ROWS;
  const squareSide = 0.4 * Math.min(tileWidth, tileHeight);
  for (let y = 0; y < height; y++) {
    const row = Math.min(GRID_ROWS - 1, Math.floor(y / tileHeight));
    for (let x = 0; x < width; x++) {
      const column = Math.min(GRID_COLUMNS - 1, Math.floor(x / tileWidth));
      const inSquare =
        Math.abs(x - (column + 0.5) * tileWidth) < squareSide / 2 && Math.abs(y - (row + 0.5) * tileHeight) < squareSide / 2;
      if (inSquare) png.data.set([...TILE_COLOURS[row * GRID_COLUMNS + column], 255], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

/** What a grid of the wrong shape looks like: a valid, square, tiny PNG. */
export const WRONG_SIZE_GRID_SIDE = 64;

/**
 * A PNG damaged the way bytes get damaged after they were written: signature, IHDR and every chunk length are
 * intact, but the second half of the image data (IDAT) is overwritten with noise, so its zlib stream breaks half
 * way and its CRC no longer matches. Readers that check nothing past the header accept it; decoders fail (pngjs
 * on the CRC: it would silently accept a zlib stream that merely stops short).
 */
export function damagedPng(intact: Buffer): Buffer {
  const damaged = Buffer.from(intact);
  const imageData = pngChunkSpans(damaged).filter((span) => span.type === 'IDAT');
  const total = imageData.reduce((sum, span) => sum + span.length, 0);
  let seed = 0x9e3779b9;
  let position = 0;
  for (const span of imageData) {
    for (let i = 0; i < span.length; i++, position++) {
      if (position < total / 2) continue;
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      damaged[span.dataStart + i] = seed >>> 24;
    }
  }
  return damaged;
}

interface PngChunkSpan {
  type: string;
  dataStart: number;
  length: number;
}

function pngChunkSpans(bytes: Buffer): PngChunkSpan[] {
  const spans: PngChunkSpan[] = [];
  for (let offset = 8; offset + 12 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    spans.push({ type: bytes.toString('latin1', offset + 4, offset + 8), dataStart: offset + 8, length });
    offset += 12 + length;
  }
  return spans;
}

let inputPlaceholder: Buffer | undefined;

/** A small grey square standing in for the re-hosted input image that `meta.image` points at. */
export function inputPlaceholderPng(): Buffer {
  if (!inputPlaceholder) {
    const png = new PNG({ width: 64, height: 64 });
    png.data.fill(200);
    inputPlaceholder = PNG.sync.write(png);
  }
  return inputPlaceholder;
}

function clampSide(value: number): number {
  const side = Number.isFinite(value) ? Math.round(value) : 0;
  return Math.min(MAX_SIDE, Math.max(MIN_SIDE, side));
}
