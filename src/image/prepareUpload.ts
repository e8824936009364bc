/**
 * Turning the image the user picked into a data URI the upload endpoint accepts (at most
 * `MAX_UPLOAD_DATA_URI_CHARS` characters, the whole `data:...;base64,...` string).
 *
 * Fast path (the usual case): the content is sniffed and its header read; if it fits, the original
 * bytes are sent untouched, nothing is decoded and no codec is loaded.
 *
 * Slow path: the image is decoded (pngjs / jpeg-js, loaded only here), turned upright if a JPEG's
 * EXIF says so, and shrunk by area averaging, step by step, until it fits: PNG (with alpha) when
 * the image has transparency, otherwise JPEG at quality 90, lower only once the long side is at
 * 512 px. It never goes below 512 px on the long side unless the limit leaves no other way.
 *
 * WebP can be sent as is when it fits; an oversize WebP cannot be shrunk here (no WebP decoder is
 * bundled) and is refused with a message that says what to do.
 *
 * Padding (option `padToSquare`, what Zero123++ wants: a square image, the object centred): an image that is not
 * square or has transparency is decoded, centred on an opaque grey square (the grey the model's own pipeline puts
 * behind transparent inputs), transparency composited onto it, and sent as PNG (or, when that is over the limit,
 * shrunk as above). A square opaque image is sent as it would be without the option. `preparation` records what
 * was done, or why nothing was.
 */

import * as l10n from '@vscode/l10n';
import type { ImageMime, ImageSize } from './imageFormat';
import { readImageSize, readJpegExifOrientation, readPngHeader, sniffImageMime } from './imageFormat';
import type { RgbaImage, RgbColor } from './pixels';
import { loadCodecs } from './loadCodecs';
import { applyExifOrientation, downscaleArea, hasTransparency, MAX_DECODE_PIXELS, NEUTRAL_GREY, padToSquare } from './pixels';

export type { ImageMime } from './imageFormat';

/** What can be decoded here: no WebP decoder is bundled. */
type DecodableMime = Exclude<ImageMime, 'image/webp'>;

export const MAX_UPLOAD_DATA_URI_CHARS = 5_000_000;

/** Larger than this on either side is not a picture a person picked for this (or a hostile header). */
export const MAX_IMAGE_SIDE = 16384;

/** The long side the shrinking stops at while quality is lowered instead (the model needs >= 320). */
export const MIN_LONG_SIDE = 512;

const JPEG_QUALITY = 90;
/** Qualities tried in turn once the long side is down to MIN_LONG_SIDE. */
const LOWER_JPEG_QUALITIES = [80, 70, 60, 50, 40] as const;
const MAX_ATTEMPTS = 40;

/** The background padding and transparency are put on (see NEUTRAL_GREY), and how the sidecar names it. */
export const PAD_BACKGROUND: RgbColor = NEUTRAL_GREY;
export const PAD_BACKGROUND_HEX = `#${[PAD_BACKGROUND.r, PAD_BACKGROUND.g, PAD_BACKGROUND.b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/** Why the image was not padded. */
export type PaddingSkippedReason =
  /** The user chose to send the image as it is. */
  | 'not-requested'
  /** Already square and without transparency: nothing to do. */
  | 'square-and-opaque'
  /** A WebP image cannot be decoded here, so it cannot be padded. */
  | 'webp'
  /** The padded square would have more pixels than can be decoded here (MAX_DECODE_PIXELS). */
  | 'too-large';

/** What was done to the image before upload to make it square and opaque (the sidecar's `inputPreparation`). */
export interface InputPreparation {
  /** The user's answer: pad to a square. */
  requested: boolean;
  /** The pixels were changed: centred on a square and/or transparency composited onto the background. */
  padded: boolean;
  /** The image as picked (upright: a JPEG's EXIF rotation applied). */
  fromSize: { width: number; height: number };
  /** After padding, before any shrinking to the upload limit; equal to `fromSize` when not padded. */
  toSize: { width: number; height: number };
  /** The background colour (hex), when padded. */
  background: string | null;
  /** Some pixels were not opaque and were composited onto the background. */
  compositedAlpha: boolean;
  /** Why the image was not padded; `null` when it was. */
  skipped: PaddingSkippedReason | null;
  /** One sentence for people reading the sidecar, kept in English like the other recorded reasons. */
  note: string;
}

export interface PreparedUpload {
  dataUri: string;
  mime: ImageMime;
  /** Pixel size of the uploaded image (as stored in its header). */
  width: number;
  height: number;
  /** Bytes of the file as picked. */
  originalBytes: number;
  /** Bytes of the image inside the data URI (equal to originalBytes when sent untouched). */
  uploadedBytes: number;
  /** Present only when the image had to be decoded and encoded again. */
  reencoded?: {
    reason: string;
    fromMime: ImageMime;
    toMime: ImageMime;
    fromSize: { width: number; height: number };
    toSize: { width: number; height: number };
  };
  /** Padding to a square: what was done, or why not. */
  preparation: InputPreparation;
}

export type UnsupportedImageReason =
  | 'not-an-image'
  | 'unreadable-size'
  | 'too-large-dimensions'
  | 'too-many-pixels'
  | 'corrupt'
  | 'webp-too-large';

/** The picked file cannot be uploaded as an image; `message` says why and what to do. */
export class UnsupportedImageError extends Error {
  readonly reason: UnsupportedImageReason;
  constructor(message: string, reason: UnsupportedImageReason = 'not-an-image', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsupportedImageError';
    this.reason = reason;
  }
}

const LABEL: Record<ImageMime, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP' };

/** Length of `data:<mime>;base64,<base64 of byteLength bytes>`. */
export function dataUriLength(mime: ImageMime, byteLength: number): number {
  return `data:${mime};base64,`.length + 4 * Math.ceil(byteLength / 3);
}

/** The most bytes whose data URI of type `mime` still fits in `maxChars` (may be <= 0). */
function maxBytesFor(mime: ImageMime, maxChars: number): number {
  return Math.floor((maxChars - `data:${mime};base64,`.length) / 4) * 3;
}

function toDataUri(mime: ImageMime, bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `data:${mime};base64,${buffer.toString('base64')}`;
}

/** For the sidecar's `reencoded.reason`: data, kept in English whatever the display language. */
function formatMB(bytes: number): string {
  if (bytes >= 1_000_000) {
    return `${(bytes / 1_000_000).toFixed(1)} MB`;
  }
  if (bytes >= 1_000) {
    return `${Math.round(bytes / 1_000)} KB`;
  }
  return `${bytes} bytes`;
}

/** The same, for messages shown to the user. */
function formatMBForUser(bytes: number): string {
  if (bytes >= 1_000_000) {
    return l10n.t('{0} MB', (bytes / 1_000_000).toFixed(1));
  }
  if (bytes >= 1_000) {
    return l10n.t('{0} KB', Math.round(bytes / 1_000));
  }
  return l10n.t('{0} bytes', bytes);
}

function formatSize(size: ImageSize): string {
  return `${size.width}×${size.height}`;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Check the picked file and return it as a data URI of at most `maxDataUriChars` characters
 * (default `MAX_UPLOAD_DATA_URI_CHARS`), padded to a square when asked, and shrunk or re-encoded when it is larger.
 *
 * @throws UnsupportedImageError when the content is not a PNG, JPEG or WebP image, its size
 *   cannot be read or is out of range, it cannot be decoded, or it is an oversize WebP.
 */
export interface PrepareUploadOptions {
  /** Default `MAX_UPLOAD_DATA_URI_CHARS`. */
  maxDataUriChars?: number;
  /** Centre the image on an opaque grey square (see the file's comment). Default false. */
  padToSquare?: boolean;
}

export async function prepareUpload(bytes: Uint8Array, options?: PrepareUploadOptions): Promise<PreparedUpload> {
  const maxChars = options?.maxDataUriChars ?? MAX_UPLOAD_DATA_URI_CHARS;
  if (!Number.isFinite(maxChars) || maxChars <= 0) {
    throw new RangeError(`maxDataUriChars must be a positive number, got ${maxChars}`);
  }

  const mime = sniffImageMime(bytes);
  if (!mime) {
    throw new UnsupportedImageError(
      l10n.t("The file's content is not a PNG, JPEG or WebP image (its content was checked, not its name). Choose a PNG, JPEG or WebP image."),
      'not-an-image',
    );
  }
  const label = LABEL[mime];
  const size = readImageSize(bytes);
  if (!size || size.width === 0 || size.height === 0) {
    throw new UnsupportedImageError(
      l10n.t(
        'The file starts like a {0} image but its header is damaged or incomplete, so its size cannot be read. Re-save or re-export the image and try again.',
        label,
      ),
      'unreadable-size',
    );
  }
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
    throw new UnsupportedImageError(
      l10n.t(
        'The image is {0} pixels; the most accepted is {1} on either side. Resize it (a long side of 1024 to 2048 pixels is plenty) and try again.',
        formatSize(size),
        MAX_IMAGE_SIDE,
      ),
      'too-large-dimensions',
    );
  }

  const requested = options?.padToSquare === true;
  const orientation = mime === 'image/jpeg' ? readJpegExifOrientation(bytes) : 1;
  const upright: ImageSize = orientation >= 5 ? { width: size.height, height: size.width } : size;
  const notPadded = (skipped: PaddingSkippedReason): InputPreparation => ({
    requested,
    padded: false,
    fromSize: { width: upright.width, height: upright.height },
    toSize: { width: upright.width, height: upright.height },
    background: null,
    compositedAlpha: false,
    skipped,
    note: PADDING_SKIPPED_NOTE[skipped],
  });

  if (requested) {
    const square = upright.width === upright.height;
    const side = Math.max(upright.width, upright.height);
    if (mime === 'image/webp') {
      return sendOrShrink(bytes, mime, size, maxChars, notPadded('webp'));
    }
    if (square && !(mime === 'image/png' && mayHaveAlpha(bytes))) {
      // Known from the header: nothing to pad, nothing to composite; no decoding needed.
      return sendOrShrink(bytes, mime, size, maxChars, notPadded('square-and-opaque'));
    }
    if (side * side > MAX_DECODE_PIXELS) {
      return sendOrShrink(bytes, mime, size, maxChars, notPadded('too-large'));
    }
    const decoded = await decodeUpright(bytes, mime, orientation);
    const transparent = mime === 'image/png' && hasTransparency(decoded);
    if (square && !transparent) {
      return sendOrShrink(bytes, mime, size, maxChars, notPadded('square-and-opaque'), decoded);
    }
    return padAndFit(bytes, mime, decoded, transparent, maxChars);
  }
  return sendOrShrink(bytes, mime, size, maxChars, notPadded('not-requested'));
}

/** For the sidecar: data, kept in English whatever the display language. */
const PADDING_SKIPPED_NOTE: Record<PaddingSkippedReason, string> = {
  'not-requested': 'Sent as it is: padding to a square was not asked for.',
  'square-and-opaque': 'Not padded: the image is already square and has no transparency.',
  webp: 'Not padded: WebP images cannot be decoded here, so it was sent as it is.',
  'too-large': `Not padded: the padded square would have more than ${MAX_DECODE_PIXELS / 1e6} megapixels, too many to decode here.`,
};

/** The original bytes when they fit (no decoding, no codec loaded), otherwise shrunk to fit. */
async function sendOrShrink(
  bytes: Uint8Array,
  mime: ImageMime,
  size: ImageSize,
  maxChars: number,
  preparation: InputPreparation,
  decoded?: RgbaImage,
): Promise<PreparedUpload> {
  if (dataUriLength(mime, bytes.byteLength) <= maxChars) {
    return {
      dataUri: toDataUri(mime, bytes),
      mime,
      width: size.width,
      height: size.height,
      originalBytes: bytes.byteLength,
      uploadedBytes: bytes.byteLength,
      preparation,
    };
  }
  return { ...(await shrinkToFit(bytes, mime, size, maxChars, decoded)), preparation };
}

/**
 * Pads the upright `image` to an opaque square and encodes it: as PNG (lossless) when that fits, otherwise through
 * the same shrinking as an oversize image, as JPEG (the padded image is opaque).
 */
async function padAndFit(
  bytes: Uint8Array,
  mime: ImageMime,
  image: RgbaImage,
  compositedAlpha: boolean,
  maxChars: number,
): Promise<PreparedUpload> {
  const label = LABEL[mime];
  const fromSize = { width: image.width, height: image.height };
  const padded = padToSquare(image, PAD_BACKGROUND);
  await yieldToEventLoop();
  const toSize = { width: padded.width, height: padded.height };
  const what =
    fromSize.width === toSize.width && fromSize.height === toSize.height
      ? `composited onto a grey (${PAD_BACKGROUND_HEX}) background`
      : `padded from ${formatSize(fromSize)} to ${formatSize(toSize)} on a grey (${PAD_BACKGROUND_HEX}) background` +
        (compositedAlpha ? ', its transparency composited onto it' : '');
  const preparation: InputPreparation = {
    requested: true,
    padded: true,
    fromSize,
    toSize,
    background: PAD_BACKGROUND_HEX,
    compositedAlpha,
    skipped: null,
    note: `The ${label} image was ${what}.`,
  };
  const maxPngBytes = maxBytesFor('image/png', maxChars);
  // The PNG is tried only when it can plausibly fit: deflate rarely gets a photo below a third of its raw RGBA
  // bytes, and encoding megapixels at the highest compression takes seconds.
  if (padded.width * padded.height * 4 <= maxPngBytes * 3) {
    const png = loadCodecs().encodePng(padded);
    await yieldToEventLoop();
    if (png.byteLength <= maxPngBytes) {
      return {
        dataUri: toDataUri('image/png', png),
        mime: 'image/png',
        width: toSize.width,
        height: toSize.height,
        originalBytes: bytes.byteLength,
        uploadedBytes: png.byteLength,
        reencoded: {
          reason: `${preparation.note.slice(0, -1)}; sent as PNG, ${formatMB(png.byteLength)}.`,
          fromMime: mime,
          toMime: 'image/png',
          fromSize,
          toSize,
        },
        preparation,
      };
    }
  }
  // The flat background costs next to nothing, so the original's bytes are as good a guide as without padding.
  const fitted = await fitPixels(padded, false, firstScale(bytes, mime, 'image/jpeg', maxBytesFor('image/jpeg', maxChars)), maxChars);
  const q = ` (quality ${fitted.quality})`;
  const resized = fitted.size.width !== toSize.width ? ` at ${formatSize(fitted.size)}` : '';
  return {
    dataUri: toDataUri(fitted.mime, fitted.encoded),
    mime: fitted.mime,
    width: fitted.size.width,
    height: fitted.size.height,
    originalBytes: bytes.byteLength,
    uploadedBytes: fitted.encoded.byteLength,
    reencoded: {
      reason: `${preparation.note.slice(0, -1)}; as PNG it is above the upload limit (${formatMB(maxChars)} as a data URI), so it was converted to JPEG${resized}${q}, ${formatMB(fitted.encoded.byteLength)}.`,
      fromMime: mime,
      toMime: fitted.mime,
      fromSize,
      toSize: fitted.size,
    },
    preparation,
  };
}

// ---------------------------------------------------------------------------------------------
// Slow path

/** `decoded`: the upright pixels, when the caller has already decoded them. */
async function shrinkToFit(
  bytes: Uint8Array,
  mime: ImageMime,
  size: ImageSize,
  maxChars: number,
  decoded?: RgbaImage,
): Promise<Omit<PreparedUpload, 'preparation'>> {
  const label = LABEL[mime];
  const originalChars = dataUriLength(mime, bytes.byteLength);
  if (mime === 'image/webp') {
    throw new UnsupportedImageError(
      l10n.t(
        'This WebP image is {0}, too large to upload (the limit is about {1}), and WebP images cannot be shrunk here. Convert it to PNG or JPEG (or make it smaller) and try again.',
        formatMBForUser(bytes.byteLength),
        formatMBForUser(maxBytesFor(mime, maxChars)),
      ),
      'webp-too-large',
    );
  }
  if (size.width * size.height > MAX_DECODE_PIXELS) {
    throw new UnsupportedImageError(
      l10n.t(
        'This {0} image is {1} and {2} pixels ({3} megapixels): too large to upload as it is, and too large to shrink here (at most {4} megapixels). Resize it to a long side of about 2048 pixels and try again.',
        label,
        formatMBForUser(bytes.byteLength),
        formatSize(size),
        (size.width * size.height / 1e6).toFixed(0),
        MAX_DECODE_PIXELS / 1e6,
      ),
      'too-many-pixels',
    );
  }

  assertUsableLimit(maxChars);
  const image = decoded ?? (await decodeUpright(bytes, mime, mime === 'image/jpeg' ? readJpegExifOrientation(bytes) : 1));
  const keepAlpha = mime === 'image/png' && mayHaveAlpha(bytes) && hasTransparency(image);
  const toMime: ImageMime = keepAlpha ? 'image/png' : 'image/jpeg';
  const fitted = await fitPixels(image, keepAlpha, firstScale(bytes, mime, toMime, maxBytesFor(toMime, maxChars)), maxChars);
  const { encoded, size: target, quality } = fitted;
  const kind = toMime === mime ? `re-encoded as ${LABEL[toMime]}` : `converted to ${LABEL[toMime]}`;
  const resized = target.width !== size.width || target.height !== size.height ? ` at ${formatSize(target)}` : '';
  const q = toMime === 'image/jpeg' ? ` (quality ${quality})` : '';
  return {
    dataUri: toDataUri(toMime, encoded),
    mime: toMime,
    width: target.width,
    height: target.height,
    originalBytes: bytes.byteLength,
    uploadedBytes: encoded.byteLength,
    reencoded: {
      reason: `The ${label} image (${formatSize(size)}, ${formatMB(bytes.byteLength)}) is above the upload limit (${formatMB(originalChars)} as a data URI, limit ${formatMB(maxChars)}); it was ${kind}${resized}${q}, ${formatMB(encoded.byteLength)}.`,
      fromMime: mime,
      toMime,
      fromSize: { width: size.width, height: size.height },
      toSize: { width: target.width, height: target.height },
    },
  };
}

/** The smallest possible image (1x1) still takes a few hundred bytes: refuse an impossible limit early. */
function assertUsableLimit(maxChars: number): void {
  const smallestUseful = 1_000;
  if (maxChars < smallestUseful) {
    throw new RangeError(`maxDataUriChars ${maxChars} is too small to hold any re-encoded image (use at least ${smallestUseful}).`);
  }
}

async function decodeUpright(bytes: Uint8Array, mime: DecodableMime, orientation: number): Promise<RgbaImage> {
  const image = decode(bytes, mime);
  await yieldToEventLoop();
  return orientation === 1 ? image : applyExifOrientation(image, orientation);
}

interface Fitted {
  encoded: Uint8Array;
  mime: ImageMime;
  size: ImageSize;
  /** The JPEG quality used (meaningless for PNG). */
  quality: number;
}

/**
 * Encodes `image` (PNG with alpha when `keepAlpha`, else JPEG) starting at `startScale`, shrinking step by step
 * until its data URI fits in `maxChars`: the long side first, down to MIN_LONG_SIDE, then a JPEG's quality, then
 * below the floor only if nothing else is left.
 */
async function fitPixels(image: RgbaImage, keepAlpha: boolean, startScale: number, maxChars: number): Promise<Fitted> {
  assertUsableLimit(maxChars);
  const toMime: ImageMime = keepAlpha ? 'image/png' : 'image/jpeg';
  const maxBytes = maxBytesFor(toMime, maxChars);
  const codecs = loadCodecs();
  const encode = (pixels: RgbaImage, quality: number): Uint8Array => (keepAlpha ? codecs.encodePng(pixels) : codecs.encodeJpeg(pixels, quality));

  const fromLong = Math.max(image.width, image.height);
  const floorLong = Math.min(MIN_LONG_SIDE, fromLong);
  let scale = Math.max(startScale, floorLong / fromLong);
  let quality = JPEG_QUALITY;
  let lowerQualityStep = 0;
  let lastBytes = 0;
  let lastSize: ImageSize = { width: image.width, height: image.height };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const target = scaledSize(image, scale);
    const pixels = target.width === image.width && target.height === image.height ? image : downscaleArea(image, target.width, target.height);
    await yieldToEventLoop();
    const encoded = encode(pixels, quality);
    await yieldToEventLoop();
    lastBytes = encoded.byteLength;
    lastSize = target;
    if (encoded.byteLength <= maxBytes) {
      return { encoded, mime: toMime, size: target, quality };
    }
    // Too big: choose the next step.
    const currentLong = Math.max(target.width, target.height);
    if (currentLong > floorLong) {
      // Bytes grow roughly with the pixel count: aim just under the limit, always shrinking by
      // at least 10% and at most 50% a step, and not below the floor yet.
      const estimate = scale * Math.sqrt(maxBytes / encoded.byteLength) * 0.95;
      const next = Math.min(scale * 0.9, Math.max(scale * 0.5, estimate));
      scale = Math.max(next, floorLong / fromLong);
    } else if (toMime === 'image/jpeg' && lowerQualityStep < LOWER_JPEG_QUALITIES.length) {
      quality = LOWER_JPEG_QUALITIES[lowerQualityStep++];
    } else if (target.width > 1 || target.height > 1) {
      // Unavoidable: below the floor.
      scale = scale * Math.max(0.05, Math.min(0.8, Math.sqrt(maxBytes / encoded.byteLength)));
    } else {
      break;
    }
  }
  throw new RangeError(
    l10n.t('Could not fit the image in {0} data-URI characters (smallest try: {1}, {2} bytes).', maxChars, formatSize(lastSize), lastBytes),
  );
}

/**
 * Where to start, to spare a full-size encode that cannot fit (jpeg-js takes ~0.1 s a megapixel).
 * Encoded bytes grow roughly with the pixel count, so the side scales with the square root of
 * the byte ratio, with a margin for a re-encode that comes out smaller than the original:
 * - JPEG -> JPEG at quality 90: up to ~2.5x smaller than a quality-100 original;
 * - PNG -> JPEG: a photo is typically 5-10x smaller as JPEG; count on 4x;
 * - PNG -> PNG (8-bit RGBA): a 16-bit original halves.
 * A first try that still does not fit costs one more step, nothing else.
 */
function firstScale(bytes: Uint8Array, fromMime: ImageMime, toMime: ImageMime, maxBytes: number): number {
  let expectedShrink = 1;
  if (fromMime === 'image/jpeg') {
    expectedShrink = 2.5;
  } else if (toMime === 'image/jpeg') {
    expectedShrink = 4;
  } else if (readPngHeader(bytes)?.bitDepth === 16) {
    expectedShrink = 2;
  }
  return Math.min(1, Math.sqrt((maxBytes * expectedShrink) / bytes.byteLength));
}

function scaledSize(image: ImageSize, scale: number): ImageSize {
  if (scale >= 1) {
    return { width: image.width, height: image.height };
  }
  return {
    width: Math.min(image.width, Math.max(1, Math.round(image.width * scale))),
    height: Math.min(image.height, Math.max(1, Math.round(image.height * scale))),
  };
}

function mayHaveAlpha(bytes: Uint8Array): boolean {
  return readPngHeader(bytes)?.mayHaveAlpha ?? true;
}

function decode(bytes: Uint8Array, mime: DecodableMime): RgbaImage {
  const label = LABEL[mime];
  let image: RgbaImage;
  try {
    image = loadCodecs().decodeImage(bytes, mime);
  } catch (error) {
    throw new UnsupportedImageError(
      l10n.t(
        'The {0} image could not be read ({1}); the file may be damaged or use a variant that cannot be decoded here. Re-save it as a standard PNG or JPEG and try again.',
        label,
        error instanceof Error ? error.message : String(error),
      ),
      'corrupt',
      { cause: error },
    );
  }
  if (image.width < 1 || image.height < 1 || image.data.length < image.width * image.height * 4) {
    throw new UnsupportedImageError(
      l10n.t('The {0} image could not be read: it decoded to no pixels. Re-save it as a standard PNG or JPEG and try again.', label),
      'corrupt',
    );
  }
  return image;
}
