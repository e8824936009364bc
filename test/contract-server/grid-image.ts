/**
 * Placeholder images for the contract server, made with pngjs: the result grid (3 rows x 2 columns of flat
 * coloured tiles, each with a darker square, on grey gutters, like a Zero123++ sheet) and a tiny input image.
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

/**
 * The PNG bytes of a width x height grid (cached per size, since tests ask for the same few sizes). `textured`
 * adds photo-like grain, so the file is as large as a real result (about a megabyte at 640 x 960) for benchmarks.
 */
export function gridPng(width: number, height: number, textured = false): Buffer {
  const w = clampSide(width);
  const h = clampSide(height);
  const cacheKey = `${w}x${h}${textured ? '-textured' : ''}`;
  let bytes = gridCache.get(cacheKey);
  if (!bytes) {
    bytes = renderGrid(w, h, textured);
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
