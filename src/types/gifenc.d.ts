// The part of gifenc (MIT, no dependencies) that the turntable export uses; the package ships no typings.
declare module 'gifenc' {
  export type Palette = number[][];
  export type PaletteFormat = 'rgb565' | 'rgb444' | 'rgba4444';
  export interface GifFrameOptions {
    palette?: Palette;
    /** Milliseconds; written in hundredths of a second. */
    delay?: number;
    /** -1 plays once, 0 loops forever. */
    repeat?: number;
    transparent?: boolean;
    /** The palette index drawn as transparent (with `transparent`). */
    transparentIndex?: number;
    dispose?: number;
  }
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): GifEncoder;
  export function quantize(rgba: Uint8Array, maxColors: number, options?: { format?: PaletteFormat; oneBitAlpha?: boolean | number }): Palette;
  export function applyPalette(rgba: Uint8Array, palette: Palette, format?: PaletteFormat): Uint8Array;
}
