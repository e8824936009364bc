/**
 * The free exports as the product runs them (runExport: files read, the image worker, files written, the sidecar
 * updated) on real saved results of 640x960 and 1024x1024 grids drawn as the model draws them: the time of each
 * export, the longest stall of the calling thread (the extension host's, in the product), and "six views made
 * transparent after the views are saved" both in a worker that just cut the views (as `multiview.views.background`
 * runs it) and in one started for it. Runnable alone: `node out/test/bench/resultExportsBench.js`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { runGenerationJob } from '../../src/core/generationJob';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readSavedResult, type SavedResult } from '../../src/core/readSidecar';
import { cameraPosesExport } from '../../src/core/results/exports/cameraPoses';
import { type ResultExport, runExport } from '../../src/core/results/exports/resultExport';
import { spriteSheetExport } from '../../src/core/results/exports/spriteSheet';
import { transparentViewsExport } from '../../src/core/results/exports/transparentViews';
import { turntableExport } from '../../src/core/results/exports/turntable';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer } from '../contract-server/server';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { testEngineOptions } from '../support/imageEngine';
import { type ImageBenchRow, withStallMonitor } from './imageBench';

const RUNS = 7;
const KEY = 'bench-key-exports';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

export async function resultExportsBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const rows: ImageBenchRow[] = [];
  const details: string[] = [];
  const server = await startContractServer({ subjectGrids: true });
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-bench-exports-'));
  const engine = new ImageEngine(testEngineOptions({ idleMs: 60_000 }));
  try {
    const image = path.join(workspace, 'mug.png');
    const png = new PNG({ width: 64, height: 64 });
    png.data.fill(200);
    await fs.writeFile(image, PNG.sync.write(png));
    const generate = async (width: number, height: number, withEngine: ImageEngine, viewsCutOutNext = false): Promise<SavedResult> => {
      const output = await runGenerationJob({
        imagePath: image,
        workspaceFolder: workspace,
        outputFolder: '${imageFolder}/multiview',
        parameters: { ...BUILT_IN_DEFAULTS, width, height, prompt: 'a mug', seed: 1 },
        longSide: 1024,
        engine: withEngine,
        connection: { apiKey: KEY, endpoints: endpointsFromBaseUrls(server.baseUrl, server.baseUrl), requestTimeoutMs: 5000, jobTimeoutMs: 20_000, pollIntervalMs: { min: 10, max: 50 } },
        extensionVersion: 'bench',
        cameraLayout: 'zero123plus-v1.2',
        saveViews: true,
        viewsCutOutNext,
      });
      return readSavedResult(output.sidecarPath, workspace);
    };
    const exportWith = <Options>(exporter: ResultExport<Options>, saved: SavedResult, options: Options, withEngine = engine) =>
      withStallMonitor(() => runExport(exporter, saved, options, { engine: withEngine, secret: KEY, workspaceFolder: workspace }));

    for (const [width, height] of [
      [640, 960],
      [1024, 1024],
    ] as const) {
      const size = `${width}x${height} result`;
      // Right after a generation, in the worker that cut its views; and in a worker started for it.
      const afterSaved: number[] = [];
      const freshWorker: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const fresh = new ImageEngine(testEngineOptions({ idleMs: 60_000 }));
        try {
          // As with `multiview.views.background: transparent`: the worker warms the cut-out while the grid downloads.
          afterSaved.push((await exportWith(transparentViewsExport, await generate(width, height, fresh, true), undefined, fresh)).ms);
        } finally {
          fresh.dispose();
        }
        const other = new ImageEngine(testEngineOptions({ idleMs: 60_000 }));
        try {
          freshWorker.push((await exportWith(transparentViewsExport, await generate(width, height, engine), undefined, other)).ms);
        } finally {
          other.dispose();
        }
      }
      rows.push({ figure: `Six views made transparent after the views are saved (the generation's worker), ${size}, median of ${RUNS}`, value: ms(median(afterSaved)), budget: '100 ms', pass: median(afterSaved) <= 100 });
      rows.push({ figure: `  the same in a worker started for it (History, a later session), median of ${RUNS}`, value: ms(median(freshWorker)), budget: '-' });

      const saved = (await exportWith(transparentViewsExport, await generate(width, height, engine), undefined)).result.result;
      const exports: [string, () => ReturnType<typeof exportWith>][] = [
        ['Make Views Transparent', () => exportWith(transparentViewsExport, saved, undefined)],
        ['Export Animation (GIF + APNG)', () => exportWith(turntableExport, saved, { framesPerSecond: 8 })],
        ['Export Sprite Sheet (atlas, JSON, .tres)', () => exportWith(spriteSheetExport, saved, { includeInput: true, framesPerSecond: 8 })],
        ['Export Camera Poses', () => exportWith(cameraPosesExport, saved, undefined)],
      ];
      for (const [name, run] of exports) {
        const times: number[] = [];
        const stalls: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const measured = await run();
          times.push(measured.ms);
          stalls.push(measured.stallMs);
        }
        rows.push({ figure: `${name}, ${size}, warm worker, median of ${RUNS}`, value: ms(median(times)), budget: '300 ms', pass: median(times) <= 300 });
        rows.push({ figure: `  longest stall of the calling thread (worst of ${RUNS})`, value: ms(Math.max(...stalls)), budget: '50 ms', pass: Math.max(...stalls) <= 50 });
      }
    }
    details.push('Result exports: each through runExport as the commands run it (read the files, the worker, write beside the grid, rewrite the sidecar), on grids of subjects on a noisy grey backdrop from the contract server.');
  } finally {
    engine.dispose();
    await server.close();
    await fs.rm(workspace, { recursive: true, force: true });
  }
  return { rows, details };
}

if (require.main === module) {
  void resultExportsBench().then(({ rows, details }) => {
    for (const row of rows) console.log(`${row.figure} | ${row.value} | ${row.budget} | ${row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'MISS'}`);
    details.forEach((detail) => console.log(`- ${detail}`));
  });
}
