/**
 * What the quick input needs to know about the picked image before asking whether to pad it: its size as shown
 * (a JPEG's EXIF rotation applied) and whether it may have transparency, read from the header alone. No pixel is
 * decoded and no codec is loaded; the first few hundred kilobytes of the file are enough (see HEADER_BYTES).
 */
import { type ImageMime, readImageSize, readJpegExifOrientation, readPngHeader, sniffImageMime } from './imageFormat';

/** How much of the file to read first: the PNG chunks before the pixels, or a JPEG's EXIF, ICC and frame header. */
export const HEADER_BYTES = 256 * 1024;

export interface InputImageShape {
  mime: ImageMime;
  /** As a viewer shows it (a JPEG's EXIF orientation 5-8 swaps the stored sides). */
  width: number;
  height: number;
  square: boolean;
  /** A PNG with an alpha channel or a tRNS chunk; never a JPEG. Only the pixels can say whether some really are. */
  mayHaveTransparency: boolean;
  /** The image can be decoded here, so it can be padded (not WebP: no WebP decoder is bundled). */
  canPad: boolean;
}

/**
 * The shape of the image whose first bytes (or all of them) are `header`; `undefined` when the content is not a
 * readable PNG, JPEG or WebP header (the upload then explains why).
 */
export function readInputImageShape(header: Uint8Array): InputImageShape | undefined {
  const mime = sniffImageMime(header);
  const size = mime && readImageSize(header);
  if (!mime || !size || size.width === 0 || size.height === 0) {
    return undefined;
  }
  const swapped = mime === 'image/jpeg' && readJpegExifOrientation(header) >= 5;
  const width = swapped ? size.height : size.width;
  const height = swapped ? size.width : size.height;
  return {
    mime,
    width,
    height,
    square: width === height,
    mayHaveTransparency: mime === 'image/png' && (readPngHeader(header)?.mayHaveAlpha ?? true),
    canPad: mime !== 'image/webp',
  };
}

/** Padding changes something only for an image that is not square or may be transparent, and can be decoded. */
export function paddingMatters(shape: InputImageShape | undefined): shape is InputImageShape {
  return shape !== undefined && shape.canPad && (!shape.square || shape.mayHaveTransparency);
}
