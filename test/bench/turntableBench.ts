/**
 * The turntable's formats side by side (a report, never a test): the GIF (256 colours) and the APNG (lossless) of
 * the same photo-like frames (gradients and grain, where GIF's banding shows), 7 frames of 512x512 (the views of a
 * 1024 px grid) and of 320x320: file size, export time (decoding the views and the input, then encoding; median of
 * 5, in this thread) and mean colour error against the source frames. Animated WebP cannot be made with what the
 * product ships (src/image/codecs/apng.ts says why); sharp's (libvips, a devDependency) is shown for reference.
 *
 * `turntableBench()` is for a caller that prints rows; alone: `node out/test/bench/turntableBench.js`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { encodeTurntable, type TurntableFormat } from '../../src/image/ops/turntable';
import type { RgbaImage } from '../../src/image/raster';
import { readApng } from '../support/apngReader';
import { photoPixels } from '../support/imageCorpus';
import { testCodecs } from '../support/imageEngine';
import type { ImageBenchRow } from './imageBench';

type SharpFactory = (input?: unknown, options?: unknown) => import('sharp').Sharp;

const FRAME_SIDES = [512, 320] as const;
/** The export of a 1024 px result's turntable (512 px frames) should not keep the user waiting. */
const EXPORT_BUDGET_MS = 300;
const RUNS = 5;
const FRAMES_PER_SECOND = 8;
const GRAIN = 14;

interface FormatFigures {
  bytes: number;
  ms: number;
  colourError: number;
}

/** The input and six views as RGBA frames, and as the PNG files the export reads (the input on disk). */
function sourceFrames(side: number): { frames: RgbaImage[]; views: Uint8Array[]; inputPath: string } {
  const frames = [7, 1, 2, 3, 4, 5, 6].map((seed) => {
    const { data } = photoPixels(side, side, GRAIN, { seed });
    const rgba = new Uint8Array(side * side * 4);
    for (let p = 0; p < side * side; p++) {
      rgba.set(data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    return { width: side, height: side, data: rgba };
  });
  // sync.write reads only width, height and data.
  const png = (frame: RgbaImage) => new Uint8Array(PNG.sync.write({ ...frame, data: Buffer.from(frame.data) } as unknown as PNG, { colorType: 2 }));
  const inputPath = path.join(os.tmpdir(), `multiview-turntable-bench-${side}.png`);
  fs.writeFileSync(inputPath, png(frames[0]));
  return { frames, views: frames.slice(1).map(png), inputPath };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(run: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array; ms: number }> {
  const times: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    bytes = await run();
    times.push(performance.now() - start);
  }
  return { bytes, ms: median(times) };
}

/** Mean absolute difference per channel (0-255) over the pixels opaque in the source, every frame. */
function colourError(sources: readonly RgbaImage[], decoded: readonly Uint8Array[]): number {
  let sum = 0;
  let count = 0;
  sources.forEach((source, frame) => {
    for (let i = 0; i < source.data.length; i += 4) {
      if (source.data[i + 3] === 255) {
        for (let c = 0; c < 3; c++) {
          sum += Math.abs(source.data[i + c] - decoded[frame][i + c]);
        }
        count += 3;
      }
    }
  });
  return sum / count;
}

function gifFrames(gif: Uint8Array, side: number): Uint8Array[] {
  const reader = new GifReader(Buffer.from(gif));
  return Array.from({ length: reader.numFrames() }, (_, frame) => {
    const pixels = new Uint8Array(side * side * 4);
    reader.decodeAndBlitFrameRGBA(frame, pixels);
    return pixels;
  });
}

async function formatFigures(format: TurntableFormat, side: number): Promise<FormatFigures> {
  const codecs = testCodecs();
  const { frames, views, inputPath } = sourceFrames(side);
  // Each run gets its own copies: the op owns what it is given, as through the worker.
  const { bytes, ms } = await timed(async () => (await encodeTurntable({ inputPath, views: views.map((view) => view.slice()), framesPerSecond: FRAMES_PER_SECOND, formats: [format] }, codecs))[format]);
  const decoded = format === 'gif' ? gifFrames(bytes, side) : readApng(bytes).frames.map((frame) => frame.image.data);
  return { bytes: bytes.byteLength, ms, colourError: colourError(frames, decoded) };
}

/** sharp's animated WebP of the same frames (lossy at its default quality 80, and lossless), for reference. */
async function sharpWebpFigures(side: number, lossless: boolean): Promise<FormatFigures> {
  const sharp = require('sharp') as SharpFactory;
  const { frames } = sourceFrames(side);
  const strip = new Uint8Array(frames.length * side * side * 4);
  frames.forEach((frame, index) => strip.set(frame.data, index * side * side * 4));
  const raw = { raw: { width: side, height: side * frames.length, channels: 4, pageHeight: side } };
  const { bytes, ms } = await timed(async () =>
    new Uint8Array(await sharp(strip, raw).webp({ lossless, loop: 0, delay: Array(frames.length).fill(1000 / FRAMES_PER_SECOND) }).toBuffer()),
  );
  const decodedStrip = await sharp(bytes, { pages: -1 }).ensureAlpha().raw().toBuffer();
  const decoded = frames.map((_, index) => new Uint8Array(decodedStrip.subarray(index * side * side * 4, (index + 1) * side * side * 4)));
  return { bytes: bytes.byteLength, ms, colourError: colourError(frames, decoded) };
}

function figureText(figures: FormatFigures): string {
  return `${(figures.bytes / 1024).toFixed(0)} KB, ${figures.ms.toFixed(0)} ms, colour error ${figures.colourError.toFixed(2)}`;
}

export async function turntableBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const rows: ImageBenchRow[] = [];
  const details: string[] = [
    `Turntable export, 7 photo-like frames (input + six views, grain ${GRAIN}), ${FRAMES_PER_SECOND} fps: size, time (decode + encode, median of ${RUNS}), mean colour error per channel (0-255) against the source frames.`,
  ];
  for (const side of FRAME_SIDES) {
    const budgeted = side === 512;
    for (const format of ['gif', 'apng'] as const) {
      const figures = await formatFigures(format, side);
      rows.push({
        figure: `Turntable ${format.toUpperCase()}, 7 frames of ${side}x${side}`,
        value: figureText(figures),
        budget: budgeted ? `<= ${EXPORT_BUDGET_MS} ms` : '-',
        ...(budgeted ? { pass: figures.ms <= EXPORT_BUDGET_MS } : {}),
      });
    }
    const [lossy, lossless] = [await sharpWebpFigures(side, false), await sharpWebpFigures(side, true)];
    rows.push({
      figure: `Turntable animated WebP, 7 frames of ${side}x${side} (not shippable: sharp only)`,
      value: '-',
      reference: `sharp lossy q80 ${figureText(lossy)}; lossless ${figureText(lossless)}`,
      budget: '-',
    });
  }
  return { rows, details };
}

if (require.main === module) {
  turntableBench().then(({ rows, details }) => {
    details.forEach((line) => console.log(line));
    rows.forEach((row) => console.log(`${row.figure}: ${row.value}${row.reference ? ` | reference: ${row.reference}` : ''} | budget ${row.budget}${row.pass === undefined ? '' : row.pass ? ' PASS' : ' MISS'}`));
  });
}
