/**
 * Real-size test inputs, generated (never kept in git): photo-like synthetic pictures (a light gradient, a subject,
 * value noise and sensor grain, tuned to land near real files' byte sizes) made with `sharp` (a devDependency only).
 * Every picture carries an asymmetric marker, a pure blue block near the top-left corner of the UPRIGHT picture, so a
 * test can tell whether EXIF orientation was applied.
 *
 * Files are written once into a folder under the OS temp dir named after CORPUS_VERSION (atomically: written under
 * a temporary name, then renamed), so test runs and the bench's child processes share them; bump the version when a
 * generator changes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Sharp } from 'sharp';

const CORPUS_VERSION = 'v7';

/** The marker: a pure blue block at 6%-20% of the width and height of the upright picture. */
export const MARKER = { x0: 0.06, x1: 0.2, y0: 0.06, y1: 0.2 } as const;

export type CorpusName =
  | 'phone12mp'
  | 'photo48mp'
  | 'jpegNamedPng'
  | 'cmykJpeg'
  | 'truncatedJpeg'
  | 'damagedJpeg'
  | 'webp'
  | 'animatedWebp'
  | 'png16Rgba'
  | 'palettePng'
  | 'interlacedPng16'
  | 'greyJpeg'
  | 'pngBomb'
  | 'squareJpeg'
  | 'squarePng'
  | 'notAnImage'
  | 'brokenHeaderPng'
  | 'arithmeticJpeg'
  | 'cutout12mp'
  | 'cutout48mp16';

export interface CorpusEntry {
  name: CorpusName;
  file: string;
  /** One line for the bench's table. */
  description: string;
  /** The picture as a viewer shows it, when it is one. */
  upright?: { width: number; height: number };
  /** A photograph (the "upload <= 400 KB for the photo inputs" applies). */
  photo: boolean;
}

interface Recipe {
  description: string;
  fileName: string;
  upright?: { width: number; height: number };
  photo: boolean;
  make(): Promise<Buffer>;
}

type SharpFactory = (input?: unknown, options?: unknown) => Sharp;
function sharp(): SharpFactory {
  // Required lazily: only tests and the bench that need the corpus pay for loading libvips.
  return require('sharp') as SharpFactory;
}

/**
 * Photo-like RGB (or RGBA with `alphaOutside`: the subject opaque, the rest transparent, like a cut-out) of the
 * UPRIGHT picture, with the marker. `grain` is the sensor noise amplitude (more grain, bigger files).
 */
export function photoPixels(width: number, height: number, grain: number, options: { seed?: number; alphaOutside?: boolean } = {}): { data: Buffer; channels: 3 | 4 } {
  const channels = options.alphaOutside ? 4 : 3;
  const data = Buffer.alloc(width * height * channels);
  let s = (options.seed ?? 1) >>> 0;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const cell = 64;
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(gw * gh).map(() => rnd());
  const cx = width * 0.5;
  const cy = height * 0.55;
  const rx = width * 0.22;
  const ry = height * 0.3;
  const mx0 = Math.floor(width * MARKER.x0);
  const mx1 = Math.floor(width * MARKER.x1);
  const my0 = Math.floor(height * MARKER.y0);
  const my1 = Math.floor(height * MARKER.y1);
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    const sy = fy * fy * (3 - 2 * fy);
    const light = 0.55 + 0.35 * (1 - y / height);
    const inMarkerRow = y >= my0 && y < my1;
    let k = y * width * channels;
    for (let x = 0; x < width; x++, k += channels) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const sx = fx * fx * (3 - 2 * fx);
      const a = lattice[y0 * gw + x0];
      const b = lattice[y0 * gw + x0 + 1];
      const c = lattice[(y0 + 1) * gw + x0];
      const d = lattice[(y0 + 1) * gw + x0 + 1];
      const top = a + (b - a) * sx;
      const n = top + (c + (d - c) * sx - top) * sy;
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      const inside = dx * dx + dy * dy < 1;
      const fine = Math.sin(x * 0.35 + y * 0.11) * Math.sin(y * 0.27 - x * 0.05);
      let r: number;
      let g: number;
      let bl: number;
      if (inMarkerRow && x >= mx0 && x < mx1) {
        r = 10;
        g = 20;
        bl = 245;
      } else if (inside) {
        r = 190 + 40 * n + 12 * fine;
        g = 60 + 30 * n + 10 * fine;
        bl = 50 + 20 * n;
      } else {
        r = 200 * light + 30 * n;
        g = 195 * light + 28 * n;
        bl = 185 * light + 25 * n;
      }
      data[k] = Math.max(0, Math.min(255, r + (rnd() - 0.5) * grain));
      data[k + 1] = Math.max(0, Math.min(255, g + (rnd() - 0.5) * grain));
      data[k + 2] = Math.max(0, Math.min(255, bl + (rnd() - 0.5) * grain));
      if (channels === 4) {
        // The marker stays opaque so orientation can still be checked on a cut-out.
        const marker = inMarkerRow && x >= mx0 && x < mx1;
        const edge = dx * dx + dy * dy;
        data[k + 3] = marker || edge < 0.9 ? 255 : edge < 1 ? Math.round(((1 - edge) / 0.1) * 255) : 0;
      }
    }
  }
  return { data, channels };
}

/** Where a generated cut-out's subject is: an ellipse (its alpha above 10% within about a pixel of this). */
export interface CutoutSubject {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

export const CUTOUT_SUBJECTS = {
  /** Small and off-centre (upper right), about 1000x760 of 4000x3000. */
  cutout12mp: { cx: 2900, cy: 1000, rx: 500, ry: 380 },
  /** A studio cut-out filling much of the frame, left of centre. */
  cutout48mp16: { cx: 3600, cy: 3100, rx: 2300, ry: 2600 },
} as const satisfies Record<string, CutoutSubject>;

/**
 * A cut-out as background removal leaves it (8-bit RGBA, transparent pixels black): a textured subject with a soft
 * anti-aliased edge (alpha ramps over ~3 px), a faint shadow under it (alpha 16, below the framing threshold),
 * near-transparent haze scattered over the canvas (alpha 1-12) and a few isolated opaque specks far from the subject.
 */
export function cutoutPixels(width: number, height: number, subject: CutoutSubject, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let s = seed >>> 0;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const { cx, cy, rx, ry } = subject;
  const shadow = { cx, cy: cy + ry * 1.05, rx: rx * 1.1, ry: ry * 0.12 };
  const edge = Math.min(rx, ry) / 3; // the ramp's width in normalised radius units is 1 / edge
  for (let y = Math.max(0, Math.floor(cy - ry - 4)); y < Math.min(height, Math.ceil(shadow.cy + shadow.ry + 1)); y++) {
    for (let x = Math.max(0, Math.floor(cx - shadow.rx - 4)); x < Math.min(width, Math.ceil(cx + shadow.rx + 4)); x++) {
      const k = (y * width + x) * 4;
      const radius = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
      const alpha = Math.max(0, Math.min(1, (1 - radius) * edge + 0.5));
      if (alpha > 0) {
        const fine = Math.sin(x * 0.05 + y * 0.02) * Math.sin(y * 0.04 - x * 0.01);
        data[k] = Math.max(0, Math.min(255, 190 + 40 * fine + (rnd() - 0.5) * 8));
        data[k + 1] = Math.max(0, Math.min(255, 70 + 30 * fine + (rnd() - 0.5) * 8));
        data[k + 2] = Math.max(0, Math.min(255, 50 + 20 * fine + (rnd() - 0.5) * 8));
        data[k + 3] = Math.round(alpha * 255);
      } else if (((x - shadow.cx) / shadow.rx) ** 2 + ((y - shadow.cy) / shadow.ry) ** 2 < 1) {
        data[k + 3] = 16;
      }
    }
  }
  for (let i = 0; i < 4000; i++) {
    const k = (Math.floor(rnd() * height) * width + Math.floor(rnd() * width)) * 4;
    if (data[k + 3] === 0) data[k + 3] = 1 + Math.floor(rnd() * 12);
  }
  for (const [fx, fy] of [[0.03, 0.9], [0.1, 0.05], [0.97, 0.97], [0.5, 0.98], [0.02, 0.5]]) {
    const k = (Math.floor(fy * height) * width + Math.floor(fx * width)) * 4;
    data.set([40, 40, 40, 255], k);
  }
  return data;
}

function photo(width: number, height: number, grain: number, options: { seed?: number; alphaOutside?: boolean } = {}): Sharp {
  const { data, channels } = photoPixels(width, height, grain, options);
  return sharp()(data, { raw: { width, height, channels } });
}

/** A flat-coloured picture (a logo or a sticker): few colours, so a palette PNG suits it. */
function flatPicture(width: number, height: number, transparentBackground: boolean): Sharp {
  const data = Buffer.alloc(width * height * 4);
  const colours = [
    [230, 60, 40],
    [250, 200, 30],
    [40, 160, 90],
    [30, 30, 30],
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 4;
      const dx = (x - width / 2) / (width * 0.35);
      const dy = (y - height / 2) / (height * 0.35);
      const ring = Math.sqrt(dx * dx + dy * dy);
      const marker = x >= width * MARKER.x0 && x < width * MARKER.x1 && y >= height * MARKER.y0 && y < height * MARKER.y1;
      const colour = marker ? [10, 20, 245] : ring < 1 ? colours[Math.floor(ring * 4) % 4] : [255, 255, 255];
      data[k] = colour[0];
      data[k + 1] = colour[1];
      data[k + 2] = colour[2];
      data[k + 3] = ring < 1 || marker || !transparentBackground ? 255 : 0;
    }
  }
  return sharp()(data, { raw: { width, height, channels: 4 } });
}

/** A valid PNG header for `width` x `height` RGB whose IDAT is every row inflated from zeros: tiny on disk, huge decoded. */
async function pngBomb(width: number, height: number): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const deflate = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise<void>((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const rows = Buffer.alloc((width * 3 + 1) * 64);
  for (let y = 0; y < height; y += 64) {
    const count = Math.min(64, height - y);
    if (!deflate.write(rows.subarray(0, (width * 3 + 1) * count))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await done;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** One PNG chunk (length, type, payload, CRC), for files the tests build byte by byte. */
export function pngChunk(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), payload])) >>> 0, 0);
  return Buffer.concat([head, payload, crc]);
}

/**
 * A true 16-bit RGB PNG, Adam7-interlaced, written here (sharp cannot take 16-bit raw input): the high byte is the
 * photo, the low byte carries sensor-like noise, as a real 16-bit export does (which is why such files are big).
 */
function png16Interlaced(width: number, height: number, grain: number, seed: number): Buffer {
  const { data } = photoPixels(width, height, grain, { seed });
  let s = seed >>> 0;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const rows: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const count = Math.ceil((width - x0) / dx);
      if (count <= 0) continue;
      const row = Buffer.alloc(1 + count * 6);
      let o = 1;
      for (let x = x0; x < width; x += dx) {
        for (let c = 0; c < 3; c++) {
          row.writeUInt16BE(data[(y * width + x) * 3 + c] * 256 + Math.floor(rnd() * 16), o);
          o += 2;
        }
      }
      rows.push(row);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  ihdr[12] = 1;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The entropy data of a JPEG overwritten in its middle third with bytes that are not valid Huffman codes. */
function damageJpeg(jpeg: Buffer): Buffer {
  const damaged = Buffer.from(jpeg);
  const from = Math.floor(jpeg.length * 0.4);
  for (let i = from; i < from + 4096; i++) {
    damaged[i] = i % 7 === 0 ? 0xff : (i * 37) & 0xfe; // 0xFF followed by junk: invalid markers inside scan data
  }
  return damaged;
}

/** Copy of a JPEG with its baseline frame marker (SOF0) turned into arithmetic-coded SOF9. */
function asArithmeticJpeg(jpeg: Buffer): Buffer {
  const copy = Buffer.from(jpeg);
  for (let i = 2; i + 1 < copy.length; i++) {
    if (copy[i] === 0xff && copy[i + 1] === 0xc0) {
      copy[i + 1] = 0xc9;
      return copy;
    }
  }
  throw new Error('no SOF0 in the JPEG');
}

const RECIPES: Record<CorpusName, Recipe> = {
  phone12mp: {
    description: '4000x3000 progressive phone JPEG, EXIF orientation 6',
    fileName: 'phone-12mp-exif6.jpg',
    upright: { width: 3000, height: 4000 },
    photo: true,
    // Stored sideways, as a phone held upright writes it: rotated 270° so that orientation 6 (90° clockwise) shows it upright.
    make: async () => {
      const upright = await photo(3000, 4000, 13).raw().toBuffer();
      return sharp()(upright, { raw: { width: 3000, height: 4000, channels: 3 } })
        .rotate(270)
        .jpeg({ quality: 80, progressive: true, chromaSubsampling: '4:2:0' })
        .withMetadata({ orientation: 6 })
        .toBuffer();
    },
  },
  photo48mp: {
    description: '8000x6000 JPEG, ~46 MB (48 MP camera, quality 94, 4:4:4)',
    fileName: 'photo-48mp.jpg',
    upright: { width: 8000, height: 6000 },
    photo: true,
    make: () => photo(8000, 6000, 46).jpeg({ quality: 94, chromaSubsampling: '4:4:4' }).toBuffer(),
  },
  jpegNamedPng: {
    description: '1600x1200 JPEG named .png',
    fileName: 'jpeg-named.png',
    upright: { width: 1600, height: 1200 },
    photo: true,
    make: () => photo(1600, 1200, 12, { seed: 3 }).jpeg({ quality: 92 }).toBuffer(),
  },
  cmykJpeg: {
    description: '1200x900 CMYK JPEG (Adobe APP14, inverted as Photoshop writes)',
    fileName: 'cmyk.jpg',
    upright: { width: 1200, height: 900 },
    photo: true,
    make: () => photo(1200, 900, 8, { seed: 4 }).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer(),
  },
  truncatedJpeg: {
    description: '1200x900 JPEG cut short at 60% (an interrupted copy)',
    fileName: 'truncated.jpg',
    photo: true,
    make: async () => {
      const whole = await photo(1200, 900, 10, { seed: 5 }).jpeg({ quality: 88 }).toBuffer();
      return whole.subarray(0, Math.floor(whole.length * 0.6));
    },
  },
  damagedJpeg: {
    description: '1200x900 JPEG with broken entropy data (complete, EOI present)',
    fileName: 'damaged.jpg',
    photo: true,
    make: async () => damageJpeg(await photo(1200, 900, 10, { seed: 6 }).jpeg({ quality: 88 }).toBuffer()),
  },
  webp: {
    description: '1000x700 lossy WebP',
    fileName: 'picture.webp',
    upright: { width: 1000, height: 700 },
    photo: true,
    make: () => photo(1000, 700, 10, { seed: 7 }).webp({ quality: 85 }).toBuffer(),
  },
  animatedWebp: {
    description: '320x240 animated WebP, 3 frames',
    fileName: 'animated.webp',
    upright: { width: 320, height: 240 },
    photo: false,
    make: async () => {
      const frames = await Promise.all([1, 2, 3].map((seed) => photo(320, 240, 10, { seed }).webp({ quality: 80 }).toBuffer()));
      return sharp()(frames, { join: { animated: true } }).webp({ quality: 80, loop: 0, delay: [100, 100, 100] }).toBuffer();
    },
  },
  png16Rgba: {
    description: '3000x2000 16-bit RGBA PNG cut-out (transparent background)',
    fileName: 'cutout-16bit.png',
    upright: { width: 3000, height: 2000 },
    photo: true,
    make: () => photo(3000, 2000, 6, { seed: 8, alphaOutside: true }).toColourspace('rgb16').png({ compressionLevel: 6 }).toBuffer(),
  },
  palettePng: {
    description: '900x600 palette PNG, transparent index (tRNS)',
    fileName: 'sticker-palette.png',
    upright: { width: 900, height: 600 },
    photo: false,
    make: () => flatPicture(900, 600, true).png({ palette: true, colours: 16, dither: 0 }).toBuffer(),
  },
  interlacedPng16: {
    description: '800x800 16-bit interlaced (Adam7) PNG, ~2.8 MB',
    fileName: 'interlaced-16bit.png',
    upright: { width: 800, height: 800 },
    photo: true,
    make: async () => png16Interlaced(800, 800, 8, 9),
  },
  greyJpeg: {
    description: '900x600 greyscale JPEG, ~33 KB',
    fileName: 'grey.jpg',
    upright: { width: 900, height: 600 },
    photo: true,
    make: () => photo(900, 600, 9, { seed: 10 }).toColourspace('b-w').jpeg({ quality: 83 }).toBuffer(),
  },
  pngBomb: {
    description: '20000x20000 PNG decompression bomb (IDAT of zero rows)',
    fileName: 'bomb-20000.png',
    photo: false,
    make: () => pngBomb(20000, 20000),
  },
  squareJpeg: {
    description: '900x900 baseline JPEG (already what the model uses)',
    fileName: 'square.jpg',
    upright: { width: 900, height: 900 },
    photo: true,
    make: () => photo(900, 900, 8, { seed: 11 }).jpeg({ quality: 85 }).toBuffer(),
  },
  squarePng: {
    description: '512x512 opaque RGB PNG',
    fileName: 'square.png',
    upright: { width: 512, height: 512 },
    photo: false,
    make: () => photo(512, 512, 4, { seed: 12 }).png().toBuffer(),
  },
  notAnImage: {
    description: 'an HTML page named .png',
    fileName: 'page.png',
    photo: false,
    make: async () => Buffer.from('<!doctype html><title>Not found</title><p>404</p>\n'),
  },
  brokenHeaderPng: {
    description: 'a PNG signature followed by garbage',
    fileName: 'broken-header.png',
    photo: false,
    make: async () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not a chunk at all')]),
  },
  arithmeticJpeg: {
    description: 'a JPEG whose frame says arithmetic coding (SOF9)',
    fileName: 'arithmetic.jpg',
    photo: false,
    make: async () => asArithmeticJpeg(await photo(64, 48, 4).jpeg({ quality: 80 }).toBuffer()),
  },
  cutout12mp: {
    description: '4000x3000 8-bit RGBA PNG cut-out, small off-centre subject, soft edge, faint shadow and stray pixels',
    fileName: 'cutout-12mp.png',
    upright: { width: 4000, height: 3000 },
    photo: false,
    make: () => sharp()(cutoutPixels(4000, 3000, CUTOUT_SUBJECTS.cutout12mp, 31), { raw: { width: 4000, height: 3000, channels: 4 } }).png().toBuffer(),
  },
  cutout48mp16: {
    description: '8000x6000 16-bit RGBA PNG studio cut-out (48 MP)',
    fileName: 'cutout-48mp-16bit.png',
    upright: { width: 8000, height: 6000 },
    photo: false,
    make: () =>
      sharp()(cutoutPixels(8000, 6000, CUTOUT_SUBJECTS.cutout48mp16, 32), { raw: { width: 8000, height: 6000, channels: 4 } })
        .toColourspace('rgb16')
        .png({ compressionLevel: 6 })
        .toBuffer(),
  },
};

export const CORPUS_NAMES = Object.keys(RECIPES) as CorpusName[];

/** The folder the corpus lives in (shared by every process of this machine). */
export function corpusDir(): string {
  return path.join(os.tmpdir(), `multiview-image-corpus-${CORPUS_VERSION}`);
}

const pending = new Map<CorpusName, Promise<CorpusEntry>>();

/** The corpus file `name`, generated on first use (by this or an earlier process). */
export function corpusFile(name: CorpusName): Promise<CorpusEntry> {
  let entry = pending.get(name);
  if (!entry) {
    entry = generate(name);
    pending.set(name, entry);
  }
  return entry;
}

async function generate(name: CorpusName): Promise<CorpusEntry> {
  const recipe = RECIPES[name];
  const dir = corpusDir();
  const file = path.join(dir, recipe.fileName);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const bytes = await recipe.make();
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, file);
  }
  return { name, file, description: recipe.description, photo: recipe.photo, ...(recipe.upright ? { upright: recipe.upright } : {}) };
}

/** The colour of each tile of makeGrid's grids, row-major (before a little shading). */
export const GRID_TILE_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [220, 40, 40],
  [40, 180, 60],
  [40, 70, 220],
  [230, 200, 40],
  [200, 60, 200],
  [40, 200, 200],
];

/** A synthetic result grid (`width` x `height`, six tiles in six distinct colours, row-major) in `format`. */
export async function makeGrid(width: number, height: number, format: 'png' | 'jpeg' | 'webp', options: { alpha?: boolean } = {}): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = Math.min(2, Math.floor((y * 3) / height));
    for (let x = 0; x < width; x++) {
      const column = Math.min(1, Math.floor((x * 2) / width));
      const [r, g, b] = GRID_TILE_COLOURS[row * 2 + column];
      const k = (y * width + x) * 4;
      const shade = ((x + y) % 16) * 2;
      data[k] = Math.min(255, r + shade);
      data[k + 1] = Math.min(255, g + shade);
      data[k + 2] = Math.min(255, b + shade);
      data[k + 3] = options.alpha && (x % (width / 2) < 8 || y % (height / 3) < 8) ? 0 : 255;
    }
  }
  const image = sharp()(data, { raw: { width, height, channels: 4 } });
  return format === 'png' ? image.png().toBuffer() : format === 'jpeg' ? image.jpeg({ quality: 90 }).toBuffer() : image.webp({ quality: 90 }).toBuffer();
}
