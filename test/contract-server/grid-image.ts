/**
 * Placeholder images for the contract server, made with pngjs: the result grid (3 rows x 2 columns of flat
 * coloured tiles, each with a darker square, on grey gutters, like a Zero123++ sheet), its faulty variants (a
 * transparent background, a damaged body, the wrong size), a grid of subjects on a noisy grey backdrop with known
 * masks (for the views' cut-out) and a tiny input image.
 */
import { PNG } from 'pngjs';
import { viewRects } from '../../src/shared/gridGeometry';

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
  /**
   * Like the model's sheet: on a noisy grey backdrop near 127, each view holds one shaded subject in its tile's
   * colour (discs, rounded boxes, and a ring whose hole shows the backdrop), anti-aliased; `gridSubjectMask` gives
   * each view's true alpha.
   */
  subjects?: boolean;
}

/** The PNG bytes of a width x height grid (cached per size and look, since tests ask for the same few). */
export function gridPng(width: number, height: number, { textured = false, transparent = false, subjects = false }: GridLook = {}): Buffer {
  const w = clampSide(width);
  const h = clampSide(height);
  const cacheKey = `${w}x${h}${textured ? '-textured' : ''}${transparent ? '-transparent' : ''}${subjects ? '-subjects' : ''}`;
  let bytes = gridCache.get(cacheKey);
  if (!bytes) {
    bytes = subjects ? renderSubjectGrid(w, h) : transparent ? renderTransparentGrid(w, h) : renderGrid(w, h, textured);
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

const SUBJECT_BACKDROP = 127;
const SUBJECT_NOISE = 2.5;
/** Samples a side when a pixel straddles a subject's edge. */
const MASK_SAMPLES = 4;
type SubjectShape = 'disc' | 'box' | 'ring';
const SUBJECT_SHAPES: readonly SubjectShape[] = ['disc', 'box', 'ring', 'disc', 'box', 'disc'];

/** Coverage of view `viewIndex`'s subject (0..1 a pixel, row-major over the view as viewRects cuts it). */
export function gridSubjectMask(width: number, height: number, viewIndex: number): Float32Array {
  const rect = viewRects(clampSide(width), clampSide(height))[viewIndex];
  const inside = subjectShape(rect.width, rect.height, SUBJECT_SHAPES[viewIndex]);
  const mask = new Float32Array(rect.width * rect.height);
  const step = 1 / MASK_SAMPLES;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const corners = [inside(x + step / 2, y + step / 2), inside(x + 1 - step / 2, y + step / 2), inside(x + step / 2, y + 1 - step / 2), inside(x + 1 - step / 2, y + 1 - step / 2)];
      let coverage: number;
      if (corners.every((corner) => corner === corners[0])) {
        coverage = corners[0] ? 1 : 0;
      } else {
        let hits = 0;
        for (let sy = 0; sy < MASK_SAMPLES; sy++) {
          for (let sx = 0; sx < MASK_SAMPLES; sx++) if (inside(x + (sx + 0.5) * step, y + (sy + 0.5) * step)) hits++;
        }
        coverage = hits / (MASK_SAMPLES * MASK_SAMPLES);
      }
      mask[y * rect.width + x] = coverage;
    }
  }
  return mask;
}

/** In a w x h view, centred: a disc, a rounded box, or a ring (a disc with a hole of 45% of its radius). */
function subjectShape(w: number, h: number, shape: SubjectShape): (x: number, y: number) => boolean {
  const cx = w / 2;
  const cy = h / 2;
  const radius = 0.3 * Math.min(w, h);
  if (shape === 'box') {
    const half = 0.28 * Math.min(w, h);
    const corner = 0.3 * half;
    return (x, y) => {
      const dx = Math.max(0, Math.abs(x - cx) - (half - corner));
      const dy = Math.max(0, Math.abs(y - cy) - (half - corner));
      return dx * dx + dy * dy < corner * corner;
    };
  }
  const hole = shape === 'ring' ? 0.45 * radius : 0;
  return (x, y) => {
    const d2 = (x - cx) ** 2 + (y - cy) ** 2;
    return d2 < radius * radius && d2 >= hole * hole;
  };
}

function renderSubjectGrid(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  let seed = 2024;
  const uniform = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  // Irwin-Hall: four uniforms make a near-Gaussian of unit variance.
  const noise = (): number => (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3) * SUBJECT_NOISE;
  viewRects(width, height).forEach((rect, index) => {
    const mask = gridSubjectMask(width, height, index);
    const colour = TILE_COLOURS[index];
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) {
        const alpha = mask[y * rect.width + x];
        // Lit from the top left: 1 there, 0.6 at the far corner.
        const shade = 0.8 - 0.2 * ((x + y) / (rect.width + rect.height) - 0.5) * 2;
        const offset = ((rect.y + y) * width + rect.x + x) * 4;
        for (let c = 0; c < 3; c++) {
          const value = alpha * colour[c] * shade + (1 - alpha) * SUBJECT_BACKDROP + noise();
          png.data[offset + c] = Math.max(0, Math.min(255, Math.round(value)));
        }
        png.data[offset + 3] = 255;
      }
    }
  });
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
