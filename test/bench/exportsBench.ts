/**
 * The free exports' figures beside their budget (a report, never a test): the time to make a result's sprite sheet
 * (decode the six view PNGs, lay them out with extrusion, encode the atlas) for a 1024 px result (512 px
 * views) and for the default 640 x 960 result (320 px views). Photo-like (grained) views, as heavy to deflate as real
 * ones; the op called directly on this thread, as the worker calls it; median of several runs after a warm-up.
 *
 * `exportsBench()` is for bench.ts; alone: `node out/test/bench/exportsBench.js`.
 */
import { PNG } from 'pngjs';
import { encodePngAsync } from '../../src/image/codecs/pngFast';
import { encodeSpriteSheet } from '../../src/image/ops/spriteSheet';
import { cropRgba } from '../../src/image/raster';
import { viewRects } from '../../src/shared/gridGeometry';
import { gridPng } from '../contract-server/grid-image';
import { testCodecs } from '../support/imageEngine';
import type { ImageBenchRow } from './imageBench';

const SPRITE_SHEET_BUDGET_MS = 300;
const RUNS = 7;

/** The grid's six views as PNGs, cut the way the product cuts them. */
async function viewFrames(gridWidth: number, gridHeight: number): Promise<Array<{ name: string; png: Uint8Array }>> {
  const decoded = PNG.sync.read(gridPng(gridWidth, gridHeight, { textured: true }));
  const grid = { width: decoded.width, height: decoded.height, data: new Uint8Array(decoded.data) };
  const views = await Promise.all(viewRects(grid.width, grid.height).map((rect) => encodePngAsync(cropRgba(grid, rect), true)));
  return views.map((png, index) => ({ name: `view${index}`, png }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function exportsBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const codecs = testCodecs();
  const rows: ImageBenchRow[] = [];
  const details: string[] = [];
  for (const [label, gridWidth, gridHeight] of [['1024 px result (512 px views)', 1024, 1536], ['640 x 960 result (320 px views)', 640, 960]] as const) {
    const frames = await viewFrames(gridWidth, gridHeight);
    const sheet = await encodeSpriteSheet({ frames }, codecs);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      await encodeSpriteSheet({ frames }, codecs);
      times.push(performance.now() - start);
    }
    const ms = median(times);
    rows.push({ figure: `Sprite sheet, ${label}, 6 views`, value: `${ms.toFixed(0)} ms`, budget: `${SPRITE_SHEET_BUDGET_MS} ms`, pass: ms <= SPRITE_SHEET_BUDGET_MS });
    details.push(
      `Sprite sheet, ${label}: atlas ${sheet.width} x ${sheet.height}, ${(sheet.png.byteLength / 1e6).toFixed(2)} MB; median of ${RUNS} runs ` +
        `(${times.map((time) => time.toFixed(0)).join(', ')} ms)`,
    );
  }
  return { rows, details };
}

if (require.main === module) {
  exportsBench().then(({ rows, details }) => {
    for (const row of rows) {
      console.log(`${row.figure}: ${row.value} (budget ${row.budget}) ${row.pass ? 'ok' : 'OVER'}`);
    }
    details.forEach((line) => console.log(line));
  });
}
