/**
 * Framing a cut-out before it is sent (frameSubject), and the row-streaming PNG decoder that lets a 48 MP 16-bit
 * studio cut-out through: what a user notices is the subject filling the square, centred, on the grey; nothing else
 * changing when framing is off or the picture is opaque; and big or broken PNGs accepted or refused as they should be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { prepareUpload, type PreparedUpload, type PrepareUploadOptions, type UploadStep } from '../../src/image/ops/prepareUpload';
import { readPngStreamLayout, rowToRgba, streamPngRows } from '../../src/image/codecs/pngStream';
import { inspectImageBytes } from '../../src/image/inspect';
import { isImageProblem } from '../../src/image/problems';
import { corpusFile, CUTOUT_SUBJECTS, pngChunk, type CorpusName } from '../support/imageCorpus';
import { decodeWithSharp, pixelAt, type RawImage } from '../support/imageChecks';
import { testCodecs } from '../support/imageEngine';

const codecs = testCodecs();
const FRAMED: PrepareUploadOptions = { padToSquare: true, frameSubject: 0.85 };

async function upload(name: CorpusName, options: PrepareUploadOptions = FRAMED): Promise<PreparedUpload> {
  return prepareUpload({ path: (await corpusFile(name)).file }, options, codecs);
}

async function reasonFor(bytes: Uint8Array): Promise<string> {
  try {
    await prepareUpload({ bytes }, FRAMED, codecs);
  } catch (error) {
    assert.ok(isImageProblem(error), String(error));
    return error.reason;
  }
  return 'accepted';
}

/** The box of the pixels clearly unlike the grey (the subject as a person sees it on the upload). */
function visibleSubject(image: RawImage): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixelAt(image, x, y);
      if (Math.max(Math.abs(r - 127), Math.abs(g - 127), Math.abs(b - 127)) > 30) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

function framedStep(prepared: PreparedUpload): Extract<UploadStep, { step: 'framed' }> {
  const step = prepared.record.steps.find((candidate) => candidate.step === 'framed');
  assert.ok(step, `framed in ${JSON.stringify(prepared.record.steps)}`);
  return step;
}

/** The upload is a grey square at the long side with the subject's longer side at share x side and its centre at the centre, within 1%. */
async function assertFramed(prepared: PreparedUpload, share: number, side = 1024): Promise<void> {
  assert.deepEqual([prepared.width, prepared.height], [side, side]);
  assert.ok(prepared.mime === 'image/jpeg' || prepared.record.steps.some((step) => step.step === 'encoded' && step.format === 'png-palette'), 'opaque: JPEG or indexed PNG');
  const decoded = await decodeWithSharp(prepared.bytes);
  for (const [x, y] of [[2, 2], [side - 3, 2], [2, side - 3], [side - 3, side - 3]]) {
    assert.ok(pixelAt(decoded, x, y).every((c) => Math.abs(c - 127) <= 3), `grey corner at ${x},${y}: ${pixelAt(decoded, x, y)}`);
  }
  const seen = visibleSubject(decoded);
  const long = Math.max(seen.x1 - seen.x0, seen.y1 - seen.y0);
  assert.ok(Math.abs(long - share * side) <= 0.01 * share * side, `subject's longer side ${long}, expected ${share * side}`);
  const centre = { x: (seen.x0 + seen.x1) / 2, y: (seen.y0 + seen.y1) / 2 };
  assert.ok(Math.abs(centre.x - side / 2) <= 0.01 * side && Math.abs(centre.y - side / 2) <= 0.01 * side, `subject centred: ${JSON.stringify(centre)}`);
}

/** The ellipse's box where alpha passes 10% (the soft edge reaches a pixel or two further). */
function expectedBox(subject: { cx: number; cy: number; rx: number; ry: number }) {
  return { x: subject.cx - subject.rx, y: subject.cy - subject.ry, width: 2 * subject.rx, height: 2 * subject.ry };
}

function assertBoxNear(actual: { x: number; y: number; width: number; height: number }, expected: ReturnType<typeof expectedBox>, slack: number): void {
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    assert.ok(Math.abs(actual[key] - expected[key]) <= slack, `box ${JSON.stringify(actual)}, expected about ${JSON.stringify(expected)}`);
  }
}

test('a small off-centre cut-out is framed: square at the long side, on grey, its subject filling 85% and centred; the record says so', async () => {
  const prepared = await upload('cutout12mp');
  await assertFramed(prepared, 0.85);
  assert.deepEqual(prepared.record.steps.map((step) => step.step), ['decoded', 'framed', 'composited', 'encoded']);
  const framed = framedStep(prepared);
  assert.equal(framed.share, 0.85);
  assert.deepEqual(framed.to, { width: 1024, height: 1024 });
  assert.ok(Math.abs(framed.scale - 870 / Math.max(framed.box.width, framed.box.height)) < 0.001, `scale ${framed.scale}`);
  assert.equal(prepared.record.options.frameSubject, 0.85);
  assert.match(prepared.record.note, /framed: its subject \(\d+×\d+ at \d+,\d+\) scaled ×0\.\d+ to fill 85% of 1024×1024/);
});

test("the faint shadow, the near-transparent haze and isolated specks do not widen the subject's box", async () => {
  // The shadow (alpha 16) reaches 17% of the subject's height below it, the haze and specks reach the corners.
  assertBoxNear(framedStep(await upload('cutout12mp')).box, expectedBox(CUTOUT_SUBJECTS.cutout12mp), 3);
  const png = new PNG({ width: 200, height: 160 });
  png.data.fill(0);
  const put = (x: number, y: number, rgba: number[]) => png.data.set(rgba, (y * 200 + x) * 4);
  for (let y = 40; y < 80; y++) for (let x = 120; x < 180; x++) put(x, y, [30, 160, 60, 255]);
  for (let y = 80; y < 100; y++) for (let x = 110; x < 190; x++) put(x, y, [0, 0, 0, 20]); // soft shadow, alpha below 10%
  for (const [x, y] of [[3, 3], [10, 150], [100, 5]]) put(x, y, [0, 0, 0, 255]); // specks
  const prepared = await prepareUpload({ bytes: new Uint8Array(PNG.sync.write(png)) }, { padToSquare: false, frameSubject: 0.75, longSide: 512 }, codecs);
  assert.deepEqual(framedStep(prepared).box, { x: 120, y: 40, width: 60, height: 40 });
  assert.equal(framedStep(prepared).scale, 6.4, 'a small subject is enlarged to fill the frame');
  await assertFramed(prepared, 0.75, 512);
});

test('framing off sends what was sent before; an opaque photo is never framed', async () => {
  const plain = await upload('png16Rgba', { padToSquare: true });
  const off = await upload('png16Rgba', { padToSquare: true, frameSubject: false });
  assert.deepEqual(Buffer.from(off.bytes), Buffer.from(plain.bytes));
  assert.deepEqual(off.record.steps.map((step) => step.step), ['decoded', 'converted', 'fitted', 'composited', 'padded', 'encoded']);
  const photo = await upload('phone12mp', { padToSquare: true });
  const photoFramed = await upload('phone12mp', FRAMED);
  assert.deepEqual(Buffer.from(photoFramed.bytes), Buffer.from(photo.bytes), 'the opaque photo is sent as without the option');
  const opaque = new PNG({ width: 96, height: 128 });
  for (let i = 0; i < opaque.data.length; i += 4) opaque.data.set([200, 60 + (i % 97), 40, 255], i);
  const prepared = await prepareUpload({ bytes: new Uint8Array(PNG.sync.write(opaque)) }, { padToSquare: false, frameSubject: 0.85 }, codecs);
  assert.deepEqual(prepared.record.steps.map((step) => step.step), ['decoded', 'sent-untouched'], 'an RGBA PNG that is all opaque is not framed');
});

test('keepTransparency (the background-removal input) is never framed; a share outside 0.5-0.95 is refused', async () => {
  const kept = await upload('cutout12mp', { padToSquare: true, frameSubject: 0.85, keepTransparency: true });
  assert.ok(!kept.record.steps.some((step) => step.step === 'framed'));
  await assert.rejects(upload('cutout12mp', { padToSquare: true, frameSubject: 1.2 }), RangeError);
});

test('the 48 MP 16-bit RGBA cut-out (once refused as too many pixels) is accepted, streamed and framed', async () => {
  const { file } = await corpusFile('cutout48mp16');
  const bytes = new Uint8Array(fs.readFileSync(file));
  assert.ok(inspectImageBytes(bytes).ok, 'accepted at file choice');
  const prepared = await prepareUpload({ bytes }, FRAMED, codecs);
  await assertFramed(prepared, 0.85);
  assert.deepEqual(prepared.record.steps.map((step) => step.step), ['decoded', 'converted', 'framed', 'composited', 'encoded']);
  assertBoxNear(framedStep(prepared).box, expectedBox(CUTOUT_SUBJECTS.cutout48mp16), 3);
  const whole = await prepareUpload({ bytes }, { padToSquare: true }, codecs);
  assert.deepEqual([whole.width, whole.height], [1024, 1024]);
  assert.deepEqual(whole.record.steps.find((step) => step.step === 'fitted'), { step: 'fitted', from: { width: 8000, height: 6000 }, to: { width: 1024, height: 768 } });
});

test('a cut-short or damaged 48 MP 16-bit PNG is refused as truncated or damaged', async () => {
  const bytes = new Uint8Array(fs.readFileSync((await corpusFile('cutout48mp16')).file));
  assert.equal(await reasonFor(bytes.slice(0, Math.floor(bytes.length * 0.6))), 'truncated');
  const flipped = bytes.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0xff;
  assert.equal(await reasonFor(flipped), 'damaged');
});

/** A non-interlaced PNG of raw samples, each row with the next of the five filters (so every filter is exercised). */
function encodeRawPng(width: number, height: number, bitDepth: number, colourType: number, samples: (x: number, y: number, c: number) => number, extra: Buffer[]): Buffer {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType]!;
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const bpp = Math.max(1, (channels * bitDepth) >> 3);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const row = new Uint8Array(rowBytes);
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const value = samples(x, y, c);
        const index = x * channels + c;
        if (bitDepth === 16) {
          row[index * 2] = value >> 8;
          row[index * 2 + 1] = value & 255;
        } else if (bitDepth === 8) {
          row[index] = value;
        } else {
          const bit = index * bitDepth;
          row[bit >> 3] |= value << (8 - bitDepth - (bit & 7));
        }
      }
    }
    rows.push(row);
  }
  const filtered = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    const row = rows[y];
    const prior = y > 0 ? rows[y - 1] : new Uint8Array(rowBytes);
    filtered[y * (rowBytes + 1)] = filter;
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prior[i];
      const c = i >= bpp ? prior[i - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      filtered[y * (rowBytes + 1) + 1 + i] = (row[i] - predictor) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), ...extra, pngChunk('IDAT', deflateSync(filtered)), pngChunk('IEND', Buffer.alloc(0))]);
}

test("the streaming decoder's pixels equal pngjs's for every colour type and bit depth, with tRNS", async () => {
  const width = 13;
  const height = 11;
  const cases: Array<[number, number]> = [[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]];
  for (const [colourType, bitDepth] of cases) {
    const max = (1 << bitDepth) - 1;
    const entries = colourType === 3 ? Math.min(1 << bitDepth, 200) : 0;
    const sample = (x: number, y: number, c: number) => (colourType === 3 ? (x * 7 + y * 3) % entries : ((x * 37 + y * 91 + c * 53) * 977) % (max + 1));
    const extra: Buffer[] = [];
    if (colourType === 3) {
      extra.push(pngChunk('PLTE', Buffer.from(Array.from({ length: entries * 3 }, (_, i) => (i * 29) & 255))));
      extra.push(pngChunk('tRNS', Buffer.from(Array.from({ length: Math.min(entries, 5) }, (_, i) => i * 60))));
    } else if (colourType === 0 || colourType === 2) {
      // The colour of pixel (1, 0), made transparent.
      const values = Array.from({ length: colourType === 0 ? 1 : 3 }, (_, c) => sample(1, 0, c));
      const trns = Buffer.alloc(values.length * 2);
      values.forEach((value, c) => trns.writeUInt16BE(value, c * 2));
      extra.push(pngChunk('tRNS', trns));
    }
    const file = encodeRawPng(width, height, bitDepth, colourType, sample, extra);
    const expected = PNG.sync.read(file).data;
    const layout = readPngStreamLayout(new Uint8Array(file));
    const actual = Buffer.alloc(width * height * 4);
    const rgba = new Uint8Array(width * 4);
    await streamPngRows(layout, (row, y) => {
      rowToRgba(layout, row, rgba);
      actual.set(rgba, y * width * 4);
      return true;
    });
    assert.deepEqual(actual, expected, `colour type ${colourType}, ${bitDepth}-bit`);
  }
});
