/**
 * "Make Views Transparent", in the worker: the saved grid decoded once, each view cut out of the model's grey
 * backdrop (viewCutout.ts), and written back as six RGBA PNGs plus the transparent grid they make together (the
 * 3D service's `multi_image` input is a grid). Nothing is spent: no request leaves the machine.
 */
import { encodePngAsync } from '../codecs/pngFast';
import type { WasmCodecs } from '../codecs/wasm';
import { decodeImage } from '../decode';
import { cropRgba, type RgbaImage } from '../raster';
import { viewRects } from '../../shared/gridGeometry';
import { cutOutView, type ViewCutoutStats } from './viewCutout';

/** As the views are saved: two deflates at once (and the grid's) keep both cores busy without taking the thread pool over. */
const ENCODED_AT_ONCE = 2;

export interface TransparentViewsResult {
  /** The transparent grid, the same size as the saved one. */
  grid: Uint8Array;
  /** Six RGBA PNGs, row-major, cut by `viewRects` as the views were. */
  views: Uint8Array[];
  /** What each view's cut-out found (the backdrop, its noise, the subject's share), row-major. */
  stats: ViewCutoutStats[];
}

/**
 * Runs the cut-out on a small made-up view a few times, so that V8 has compiled it before the real views come: the
 * first cut in a fresh worker is several times slower than the next ones. Called while a grid downloads, when its
 * views are to be made transparent right after they are saved.
 */
export function warmUpViewCutout(): void {
  const side = 160;
  const data = new Uint8Array(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const inside = (x - side / 2) ** 2 + (y - side / 2) ** 2 < (side / 4) ** 2;
      const grain = (x * 7 + y * 13) % 5;
      data.set(inside ? [200, 60 + grain, 40, 255] : [125 + grain, 125 + grain, 126 + grain, 255], (y * side + x) * 4);
    }
  }
  for (let round = 0; round < 3; round++) cutOutView({ width: side, height: side, data });
}

export async function makeViewsTransparent(gridBytes: Uint8Array, codecs: WasmCodecs): Promise<TransparentViewsResult> {
  const { image } = decodeImage(gridBytes, codecs);
  const rects = viewRects(image.width, image.height);
  const grid: RgbaImage = { width: image.width, height: image.height, data: new Uint8Array(image.data.length) };
  const cut = rects.map((rect) => {
    const { image: view, stats } = cutOutView(cropRgba(image, rect));
    for (let y = 0; y < view.height; y++) {
      grid.data.set(view.data.subarray(y * view.width * 4, (y + 1) * view.width * 4), ((rect.y + y) * grid.width + rect.x) * 4);
    }
    return { view, stats };
  });
  // The grid (the largest) deflates on a thread of its own while the views take two more.
  const encodedGrid = encodePngAsync(grid, false);
  const views: Uint8Array[] = [];
  for (let i = 0; i < cut.length; i += ENCODED_AT_ONCE) {
    views.push(...(await Promise.all(cut.slice(i, i + ENCODED_AT_ONCE).map(({ view }) => encodePngAsync(view, false)))));
  }
  return { grid: await encodedGrid, views, stats: cut.map(({ stats }) => stats) };
}
