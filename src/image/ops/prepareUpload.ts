/**
 * The picture the user chose, made into what the model uses, inside the worker: decoded (a JPEG scaled while
 * decoding), turned upright, converted to 8-bit RGB, transparency composited onto the Zero123++ grey, fitted to the
 * long side, padded to a square, and encoded once in the smallest fitting format (JPEG for photos, an indexed PNG
 * when that is smaller; never an RGBA PNG for an opaque picture). When the original bytes are already that, they
 * are sent untouched. A cut-out can instead be framed (framing.ts): its subject cropped and scaled to fill a share of
 * the square. A PNG too big to decode whole is streamed (codecs/pngStream.ts). `record` says what was done, for the
 * sidecar.
 */
import { readFile } from 'node:fs/promises';
import { encodePalettePng, encodePng, paletteOf } from '../codecs/encode';
import type { JpegEncode } from '../codecs/mozjpeg';
import type { WasmCodecs } from '../codecs/wasm';
import { PngStreamError, readPngStreamLayout } from '../codecs/pngStream';
import { decodeImage, pngEndsWithIend, problemOf, tooBigToDecodeWhole, type Decoded } from '../decode';
import { readImageHeader, type ColourModel } from '../imageFormat';
import { inspectImageBytes, type ImageInfo } from '../inspect';
import type { ImageProblem } from '../problems';
import { applyExifOrientation, centreOnBackground, compositeInPlace, downscaleArea, hasTransparency, NEUTRAL_GREY, NEUTRAL_GREY_HEX, type RgbaImage } from '../raster';
import type { ImageMime } from '../../shared/imageMime';
import { boundsOfImage, boundsOfPng, finishFraming, MAX_FRAME_SHARE, MIN_FRAME_SHARE, planFraming, reduceBoxOfImage, reducePngBox, type Box, type FramingPlan } from './framing';
import { dataUriLength, DEFAULT_LONG_SIDE, MAX_UPLOAD_DATA_URI_CHARS, ORIGINAL_LONG_SIDE_CAP } from '../uploadLimits';

export { dataUriLength, DEFAULT_LONG_SIDE, MAX_UPLOAD_DATA_URI_CHARS, ORIGINAL_LONG_SIDE_CAP } from '../uploadLimits';

/** Fitting never goes below this (the model's own input size) while stepping down to fit the limit. */
const SMALLEST_LONG_SIDE = 320;
export const JPEG_QUALITY = 90;
/** Qualities tried in turn when the upload is still over the limit, before the size is reduced. */
const LOWER_JPEG_QUALITIES = [80, 70, 60, 50] as const;

export interface PrepareUploadOptions {
  padToSquare: boolean;
  /** Default DEFAULT_LONG_SIDE; 'original' keeps the picture's size (up to ORIGINAL_LONG_SIDE_CAP). */
  longSide?: number | 'original';
  /** Default MAX_UPLOAD_DATA_URI_CHARS (the data URI's length). */
  maxUploadBytes?: number;
  /** Keep transparent pixels (the background-removal input); default false: composite them onto #7f7f7f. */
  keepTransparency?: boolean;
  /**
   * Frame a cut-out (TripoSR and InstantMesh use 0.85, Zero123++'s demo 0.75): the share (MIN_FRAME_SHARE to
   * MAX_FRAME_SHARE) of a long side x long side square that the subject's longer side fills, the subject (its alpha
   * bounds) centred on the grey; always square. Only for a picture with real transparency (an opaque photo is sent as
   * without it), and not with keepTransparency (the background-removal input goes whole). false/undefined: the whole
   * canvas, as before.
   */
  frameSubject?: number | false;
}

export type UploadSource = { path: string } | { bytes: Uint8Array };

export type UploadStep =
  | { step: 'decoded'; scale: number; width: number; height: number }
  | { step: 'first-frame' }
  | { step: 'converted'; from: ColourModel | '16-bit'; to: 'rgb' }
  | { step: 'fitted'; from: Size; to: Size }
  | { step: 'oriented'; orientation: number; to: Size }
  | { step: 'composited'; background: string }
  | { step: 'padded'; from: Size; to: Size; background: string | null }
  /**
   * The subject's box (upright source pixels) scaled by `scale` (above 1: enlarged, bilinear) so its longer side
   * fills `share` of the `to` square, centred.
   */
  | { step: 'framed'; box: Box; scale: number; share: number; to: Size }
  /** `greyscale`: a one-channel JPEG (the picture has no colour). */
  | { step: 'encoded'; format: 'jpeg'; quality: number; greyscale: boolean }
  | { step: 'encoded'; format: 'png-palette'; colours: number }
  | { step: 'encoded'; format: 'png-rgba' }
  | { step: 'sent-untouched' };

export interface Size {
  width: number;
  height: number;
}

/** What goes into the sidecar as JSON: the source, each step in order, what was sent, and one English sentence. */
export interface UploadRecord {
  source: {
    mime: ImageMime;
    /** As a viewer shows it. */
    width: number;
    height: number;
    storedWidth: number;
    storedHeight: number;
    orientation: number;
    colourModel: ColourModel;
    bitDepth: number;
    hasAlpha: boolean;
    animated: boolean;
    bytes: number;
  };
  options: { padToSquare: boolean; longSide: number | 'original'; keepTransparency: boolean; maxUploadBytes: number; frameSubject?: number };
  steps: UploadStep[];
  sent: { mime: ImageMime; width: number; height: number; bytes: number; dataUriChars: number };
  note: string;
}

export interface PreparedUpload {
  bytes: Uint8Array;
  mime: ImageMime;
  width: number;
  height: number;
  record: UploadRecord;
}

export async function prepareUpload(source: UploadSource, options: PrepareUploadOptions, codecs: WasmCodecs): Promise<PreparedUpload> {
  const bytes = 'bytes' in source ? source.bytes : await readSource(source.path);
  const maxChars = options.maxUploadBytes ?? MAX_UPLOAD_DATA_URI_CHARS;
  const longSideOption = options.longSide ?? DEFAULT_LONG_SIDE;
  const keepTransparency = options.keepTransparency === true;
  const frameShare = options.frameSubject === false ? undefined : options.frameSubject;
  if (
    !(maxChars >= 1000) ||
    (longSideOption !== 'original' && !(Number.isInteger(longSideOption) && longSideOption >= 64)) ||
    (frameShare !== undefined && !(frameShare >= MIN_FRAME_SHARE && frameShare <= MAX_FRAME_SHARE))
  ) {
    throw new RangeError(`prepareUpload: invalid options ${JSON.stringify(options)}`);
  }
  const inspection = inspectImageBytes(bytes);
  if (!inspection.ok) {
    throw inspection.problem;
  }
  const info = inspection.info;
  const longSide = longSideOption === 'original' ? Math.min(Math.max(info.width, info.height), ORIGINAL_LONG_SIDE_CAP) : longSideOption;
  const recordBase = {
    source: {
      mime: info.mime,
      width: info.width,
      height: info.height,
      storedWidth: info.storedWidth,
      storedHeight: info.storedHeight,
      orientation: info.orientation,
      colourModel: info.colourModel,
      bitDepth: info.bitDepth,
      hasAlpha: info.hasAlpha,
      animated: info.animated,
      bytes: info.byteSize,
    },
    options: { padToSquare: options.padToSquare, longSide: longSideOption, keepTransparency, maxUploadBytes: maxChars, ...(frameShare !== undefined ? { frameSubject: frameShare } : {}) },
  };

  if (canSendUntouched(info, options.padToSquare, longSide) && dataUriLength(info.mime, bytes.byteLength) <= maxChars) {
    // Decoded all the same (a JPEG at 1/8: every byte of its data is still read) so that a truncated or damaged file
    // is refused here, in the user's words, rather than sent; the pixels are dropped.
    decodeImage(bytes, codecs, { targetLongSide: 1 });
    const steps: UploadStep[] = [{ step: 'sent-untouched' }];
    const sent = { mime: info.mime, width: info.width, height: info.height, bytes: bytes.byteLength, dataUriChars: dataUriLength(info.mime, bytes.byteLength) };
    return { bytes, mime: info.mime, width: info.width, height: info.height, record: { ...recordBase, steps, sent, note: describe(info, steps, sent) } };
  }

  // The encoder loads (first time: an async WASM compile) while this thread decodes.
  const encoderReady = codecs.encoder();
  const steps: UploadStep[] = [];
  // Framing needs the grey: with keepTransparency the picture goes whole.
  const share = keepTransparency ? undefined : frameShare;
  const header = readImageHeader(bytes);
  // A cut-out PNG to frame is streamed too: its alpha-only first pass and a second pass that stops after the subject
  // measured faster and smaller than decoding it whole (framingBench, 12 MP cut-out: 225 ms and 50 MB against 342 ms and 177 MB).
  const streamed = info.mime === 'image/png' && header !== undefined && !header.progressive && (tooBigToDecodeWhole(header) || (share !== undefined && info.hasAlpha));
  const decoded = streamed ? await streamPng(bytes, info, longSide, share) : decodeWhole(bytes, info, codecs, longSide, share);
  let image = decoded.image;
  steps.push({ step: 'decoded', scale: decoded.scale, ...decoded.decodedSize });
  if (decoded.firstFrameOnly) {
    steps.push({ step: 'first-frame' });
  }
  if (decoded.convertedFrom) {
    steps.push({ step: 'converted', from: decoded.convertedFrom, to: 'rgb' });
  }
  if (decoded.framed) {
    if (info.orientation !== 1) {
      steps.push({ step: 'oriented', orientation: info.orientation, to: { width: info.width, height: info.height } });
    }
    steps.push(decoded.framed, { step: 'composited', background: NEUTRAL_GREY_HEX });
    const jpeg: JpegEncoder = { encode: await encoderReady, greyscale: info.colourModel === 'grey' };
    return finish(encodeWithinLimit(image, false, maxChars, true, jpeg));
  }
  if (decoded.streamedFrom && (decoded.streamedFrom.width !== image.width || decoded.streamedFrom.height !== image.height)) {
    steps.push({ step: 'fitted', from: decoded.streamedFrom, to: size(image) });
  }
  const fitted = fitSize(image, longSide);
  if (fitted.width !== image.width || fitted.height !== image.height) {
    steps.push({ step: 'fitted', from: size(image), to: fitted });
    image = downscaleArea(image, fitted.width, fitted.height);
  }
  if (info.orientation !== 1) {
    image = applyExifOrientation(image, info.orientation);
    steps.push({ step: 'oriented', orientation: info.orientation, to: size(image) });
  }
  const transparent = info.hasAlpha && hasTransparency(image);
  if (transparent && !keepTransparency) {
    compositeInPlace(image, NEUTRAL_GREY);
    steps.push({ step: 'composited', background: NEUTRAL_GREY_HEX });
  }
  if (options.padToSquare && image.width !== image.height) {
    const side = Math.max(image.width, image.height);
    const background = transparent && keepTransparency ? null : NEUTRAL_GREY;
    steps.push({ step: 'padded', from: size(image), to: { width: side, height: side }, background: background ? NEUTRAL_GREY_HEX : null });
    image = centreOnBackground(image, side, side, background);
  }
  // An alpha channel that turned out fully opaque, and nothing else to do: the file itself is what the model uses.
  if (pixelsAsStored(info, decoded, steps) && dataUriLength(info.mime, bytes.byteLength) <= maxChars) {
    steps.push({ step: 'sent-untouched' });
    const sent = { mime: info.mime, width: info.width, height: info.height, bytes: bytes.byteLength, dataUriChars: dataUriLength(info.mime, bytes.byteLength) };
    return { bytes, mime: info.mime, width: info.width, height: info.height, record: { ...recordBase, steps, sent, note: describe(info, steps, sent) } };
  }
  const jpeg: JpegEncoder = { encode: await encoderReady, greyscale: info.colourModel === 'grey' };
  return finish(encodeWithinLimit(image, transparent && keepTransparency, maxChars, options.padToSquare, jpeg));

  function finish(encoded: Encoded): PreparedUpload {
    steps.push(...encoded.steps);
    const sent = { mime: encoded.mime, width: encoded.width, height: encoded.height, bytes: encoded.bytes.byteLength, dataUriChars: dataUriLength(encoded.mime, encoded.bytes.byteLength) };
    return { bytes: encoded.bytes, mime: encoded.mime, width: encoded.width, height: encoded.height, record: { ...recordBase, steps, sent, note: describe(info, steps, sent) } };
  }
}

/**
 * Any picture the worker can read, decoded at about `longSide` (a JPEG scaled while decoding, a PNG too big to hold
 * whole streamed and area-averaged), in its STORED orientation: for the frames made beside a result's views.
 */
export async function decodeNearLongSide(bytes: Uint8Array, codecs: WasmCodecs, longSide: number): Promise<{ image: RgbaImage; info: ImageInfo }> {
  const inspection = inspectImageBytes(bytes);
  if (!inspection.ok) {
    throw inspection.problem;
  }
  const { info } = inspection;
  const header = readImageHeader(bytes);
  const streamed = info.mime === 'image/png' && header !== undefined && tooBigToDecodeWhole(header);
  return { image: streamed ? (await streamPng(bytes, info, longSide, undefined)).image : decodeImage(bytes, codecs, { targetLongSide: longSide }).image, info };
}

/** The source's pixels for the upload: decoded (and, for a framed cut-out, already framed on the grey square). */
interface SourcePixels extends Pick<Decoded, 'image' | 'scale' | 'firstFrameOnly' | 'convertedFrom'> {
  /** The raster size the decoder produced (the stored size when streamed). */
  decodedSize: Size;
  /** Streamed and area-averaged while decoding, from this stored size. */
  streamedFrom?: Size;
  framed?: Extract<UploadStep, { step: 'framed' }>;
}

/** The whole picture decoded at once (decode.ts), then framed when asked and it is a cut-out. */
function decodeWhole(bytes: Uint8Array, info: ImageInfo, codecs: WasmCodecs, longSide: number, share: number | undefined): SourcePixels {
  const decoded = decodeImage(bytes, codecs, { targetLongSide: longSide });
  const base = { scale: decoded.scale, firstFrameOnly: decoded.firstFrameOnly, ...(decoded.convertedFrom ? { convertedFrom: decoded.convertedFrom } : {}), decodedSize: size(decoded.image) };
  if (share !== undefined && info.hasAlpha) {
    const bounds = boundsOfImage(decoded.image);
    const box = bounds.transparent ? bounds.box() : undefined;
    if (box) {
      const plan = planFraming(box, size(decoded.image), info.orientation, longSide, share);
      const image = finishFraming(reduceBoxOfImage(decoded.image, box, plan), info.orientation, plan);
      return { ...base, image, framed: framedStep(plan, share) };
    }
  }
  return { ...base, image: decoded.image };
}

/**
 * A PNG too big to decode whole, streamed: framed in two passes (where the subject is, then its box area-averaged to
 * its target size), or fitted to the long side in one. Memory: the reduced picture and a few rows.
 */
async function streamPng(bytes: Uint8Array, info: ImageInfo, longSide: number, share: number | undefined): Promise<SourcePixels> {
  try {
    const layout = readPngStreamLayout(bytes);
    const stored = { width: layout.width, height: layout.height };
    const convertedFrom: SourcePixels['convertedFrom'] = info.bitDepth === 16 ? '16-bit' : info.colourModel !== 'rgb' ? info.colourModel : undefined;
    const base = { scale: 1 as const, firstFrameOnly: false, ...(convertedFrom ? { convertedFrom } : {}), decodedSize: stored };
    if (share !== undefined && info.hasAlpha) {
      const bounds = await boundsOfPng(layout);
      const box = bounds.transparent ? bounds.box() : undefined;
      if (box) {
        const plan = planFraming(box, stored, info.orientation, longSide, share);
        const image = finishFraming(await reducePngBox(layout, box, plan.reduced), info.orientation, plan);
        return { ...base, image, framed: framedStep(plan, share) };
      }
    }
    const image = await reducePngBox(layout, { x: 0, y: 0, ...stored }, fitSize(stored, longSide));
    return { ...base, image, streamedFrom: stored };
  } catch (error) {
    if (error instanceof PngStreamError) {
      throw problemOf(pngEndsWithIend(bytes) ? 'damaged' : 'truncated', info);
    }
    throw error;
  }
}

function framedStep(plan: FramingPlan, share: number): Extract<UploadStep, { step: 'framed' }> {
  return { step: 'framed', box: plan.uprightBox, scale: Math.round(plan.scale * 10000) / 10000, share, to: { width: plan.side, height: plan.side } };
}

async function readSource(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const unreadable: ImageProblem = { reason: 'unreadable-file', details: { code: typeof code === 'string' ? code : 'EIO' } };
    throw unreadable;
  }
}

/**
 * The original bytes are already what the model uses: a JPEG or PNG of 8-bit RGB or grey samples (a palette PNG
 * without transparency too), upright as stored, with no alpha to composite, not animated, within the long side, and
 * square when padding is asked for. (The data URI limit is checked by the caller.)
 */
function canSendUntouched(info: ImageInfo, padToSquare: boolean, longSide: number): boolean {
  const plainSamples =
    (info.mime === 'image/jpeg' && (info.colourModel === 'rgb' || info.colourModel === 'grey') && info.bitDepth === 8) ||
    (info.mime === 'image/png' && info.bitDepth <= 8);
  return (
    plainSamples &&
    info.orientation === 1 &&
    !info.hasAlpha &&
    !info.animated &&
    Math.max(info.width, info.height) <= longSide &&
    (!padToSquare || info.width === info.height)
  );
}

/** Decoding changed nothing (full size, every frame's first, 8-bit samples) and no later step did either. */
function pixelsAsStored(info: ImageInfo, decoded: { scale: number; firstFrameOnly?: boolean; convertedFrom?: unknown }, steps: readonly UploadStep[]): boolean {
  return (
    (info.mime === 'image/png' || info.mime === 'image/jpeg') &&
    !info.animated &&
    decoded.scale === 1 &&
    !decoded.firstFrameOnly &&
    !decoded.convertedFrom &&
    steps.every((step) => step.step === 'decoded')
  );
}

function size(image: Size): Size {
  return { width: image.width, height: image.height };
}

/** The size of `image` with its longer side at most `longSide`, aspect kept (never enlarged). */
export function fitSize(image: Size, longSide: number): Size {
  const long = Math.max(image.width, image.height);
  if (long <= longSide) {
    return size(image);
  }
  const ratio = longSide / long;
  return { width: Math.max(1, Math.round(image.width * ratio)), height: Math.max(1, Math.round(image.height * ratio)) };
}

interface Encoded {
  bytes: Uint8Array;
  mime: ImageMime;
  width: number;
  height: number;
  steps: UploadStep[];
}

/**
 * The smallest good encoding of `image` under the limit. Opaque: JPEG at quality 90, or an indexed PNG when the
 * picture has at most 256 colours and that is smaller (graphics: lossless and tiny). Transparent (kept): an indexed
 * PNG with tRNS when possible, else RGBA PNG. Over the limit (a picture at 'original' size, or a tiny limit): lower
 * JPEG qualities, then smaller sizes, down to 320 px on the long side.
 */
/** The JPEG encoder, and whether the picture is grey throughout (a grey source on the neutral grey stays grey). */
interface JpegEncoder {
  encode: JpegEncode;
  greyscale: boolean;
}

function encodeWithinLimit(image: RgbaImage, keepAlpha: boolean, maxChars: number, padded: boolean, jpeg: JpegEncoder): Encoded {
  const reductions: UploadStep[] = [];
  let current = image;
  let smallest = Number.POSITIVE_INFINITY;
  for (;;) {
    // Candidates are encoded one at a time, in order, and the first under the limit is sent: lower JPEG qualities
    // cost nothing unless quality 90 is over the limit.
    for (const encode of candidatesFor(current, keepAlpha, jpeg)) {
      const candidate = encode();
      smallest = Math.min(smallest, candidate.bytes.byteLength);
      if (dataUriLength(candidate.mime, candidate.bytes.byteLength) <= maxChars) {
        return { ...candidate, steps: [...reductions, ...candidate.steps] };
      }
    }
    const long = Math.max(current.width, current.height);
    if (long <= SMALLEST_LONG_SIDE) {
      const cannotFit: ImageProblem = { reason: 'cannot-fit-limit', details: { maxUploadBytes: maxChars, smallestBytes: smallest } };
      throw cannotFit;
    }
    const next = fitSize(current, Math.max(SMALLEST_LONG_SIDE, Math.floor(long * 0.75)));
    const from = size(current);
    current = downscaleArea(current, next.width, next.height);
    if (padded && current.width !== current.height) {
      // Keep a padded picture square (rounding can leave it 1 px off).
      const side = Math.max(current.width, current.height);
      current = centreOnBackground(current, side, side, keepAlpha ? null : NEUTRAL_GREY);
    }
    reductions.push({ step: 'fitted', from, to: size(current) });
  }
}

/** The encodings to try at this size, best first, each encoded only when reached. */
function candidatesFor(image: RgbaImage, keepAlpha: boolean, jpegEncoder: JpegEncoder): Array<() => Encoded> {
  const at = { width: image.width, height: image.height };
  const palette = paletteOf(image);
  const { greyscale } = jpegEncoder;
  const jpegAt = (quality: number) => (): Encoded => ({
    bytes: jpegEncoder.encode(image, quality, { grey: greyscale }),
    mime: 'image/jpeg',
    ...at,
    steps: [{ step: 'encoded', format: 'jpeg', quality, greyscale }],
  });
  const indexed = palette && {
    bytes: encodePalettePng(image.width, image.height, palette),
    mime: 'image/png' as const,
    ...at,
    steps: [{ step: 'encoded', format: 'png-palette', colours: palette.colours.length } as const],
  };
  if (keepAlpha) {
    const rgba = (): Encoded => ({ bytes: encodePng(image, { effort: 'fast', opaque: false }), mime: 'image/png', ...at, steps: [{ step: 'encoded', format: 'png-rgba' }] });
    return [indexed ? () => indexed : rgba];
  }
  const jpeg = jpegAt(JPEG_QUALITY)();
  // An indexed PNG (lossless) wins when it is no bigger than the JPEG: graphics, stickers, flat logos.
  const first = indexed && indexed.bytes.byteLength <= jpeg.bytes.byteLength ? indexed : jpeg;
  return [() => first, ...LOWER_JPEG_QUALITIES.map(jpegAt)];
}

const FORMAT_WORDS: Record<string, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' };

function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : bytes >= 1000 ? `${Math.round(bytes / 1000)} KB` : `${bytes} bytes`;
}

/** One English sentence for the sidecar (data, like the other recorded notes: not translated). */
function describe(info: ImageInfo, steps: readonly UploadStep[], sent: UploadRecord['sent']): string {
  const what = `The ${info.width}×${info.height} ${FORMAT_WORDS[info.mime]} (${formatBytes(info.byteSize)})`;
  const done: string[] = [];
  for (const step of steps) {
    switch (step.step) {
      case 'sent-untouched':
        return `${what} was sent untouched: it is already what the model uses.`;
      case 'decoded':
        if (step.scale > 1) done.push(`decoded at 1/${step.scale}`);
        break;
      case 'first-frame':
        done.push('reduced to its first frame (it is animated)');
        break;
      case 'converted':
        done.push(`converted from ${step.from === '16-bit' ? '16-bit samples' : step.from} to 8-bit RGB`);
        break;
      case 'fitted':
        done.push(`fitted from ${step.from.width}×${step.from.height} to ${step.to.width}×${step.to.height}`);
        break;
      case 'oriented':
        done.push(`turned upright (EXIF orientation ${step.orientation})`);
        break;
      case 'composited':
        done.push(`its transparency composited onto ${step.background}`);
        break;
      case 'framed':
        done.push(
          `framed: its subject (${step.box.width}×${step.box.height} at ${step.box.x},${step.box.y}) ${step.scale > 1 ? 'enlarged' : 'scaled'} ×${step.scale} to fill ${Math.round(step.share * 100)}% of ${step.to.width}×${step.to.height}, centred`,
        );
        break;
      case 'padded':
        done.push(`padded to ${step.to.width}×${step.to.height} on ${step.background ?? 'transparency'}`);
        break;
      case 'encoded':
        done.push(
          step.format === 'jpeg' ? `encoded as ${step.greyscale ? 'a greyscale ' : ''}JPEG at quality ${step.quality}` : step.format === 'png-palette' ? `encoded as an indexed PNG of ${step.colours} colours` : 'encoded as an RGBA PNG',
        );
        break;
    }
  }
  return `${what} was ${done.join(', ')}: ${sent.width}×${sent.height}, ${formatBytes(sent.bytes)}.`;
}
