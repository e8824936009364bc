/**
 * Figures for the bench (never assertions): the viewer bundle's size and the time from opening a page with the
 * viewer to its first frame with a model on it, in headless chromium on SwiftShader (software WebGL: a desktop GPU is
 * faster). The page's stand-in host answers the viewer's "ready" with a textured GLB of the lathed vase, as the
 * result panel will (without the extension host's file read and message hop).
 *
 *   import { measureViewer } from '../viewer/viewerBench';
 *   const { bundleBytes, firstFrameMs } = await measureViewer();
 *
 * Run alone: npm run compile-tests && node out/test/viewer/viewerBench.js
 */
import * as fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { VIEWER_FIRST_FRAME_MARK } from '../../src/shared/viewerMessages';
import { lathedVase, triangleCount, writeGlb } from '../support/modelFixtures';
import { buildViewer, launchBrowser, startViewerServer, VIEWER_BUNDLE } from './viewerPage';

export interface ViewerFigures {
  /** dist/viewer.js, minified. */
  readonly bundleBytes: number;
  /** The same, gzip-compressed (what it weighs inside the .vsix). */
  readonly bundleGzipBytes: number;
  /** Median over `runs` page loads: navigation start to the first frame that shows the model. */
  readonly firstFrameMs: number;
  readonly firstFrameRunsMs: readonly number[];
  /** The triangles of the model drawn. */
  readonly triangles: number;
}

export interface ViewerBenchOptions {
  /** Rebuild dist/viewer.js first (default: only when it is missing). */
  readonly build?: boolean;
  readonly runs?: number;
  /** Vertices around the vase (default 256: 102 400 triangles, about what the 3D service returns). */
  readonly segments?: number;
}

export async function measureViewer(options: ViewerBenchOptions = {}): Promise<ViewerFigures> {
  if (options.build ?? !fs.existsSync(VIEWER_BUNDLE)) {
    buildViewer();
  }
  const bundle = fs.readFileSync(VIEWER_BUNDLE);
  const segments = options.segments ?? 256;
  const vase = lathedVase({ segments, rings: Math.round(segments * 0.78) + 1 });
  const glb = writeGlb(vase, { texture: true });
  const server = await startViewerServer();
  const browser = await launchBrowser();
  const runs: number[] = [];
  try {
    for (let run = 0; run < (options.runs ?? 3); run++) {
      const context = await browser.newContext({ viewport: { width: 800, height: 640 }, reducedMotion: 'reduce' });
      try {
        const page = await context.newPage();
        await page.goto(server.addPage({ autoLoad: { format: 'glb', name: 'vase.glb', bytes: glb } }));
        const handle = await page.waitForFunction(
          (mark: string) => performance.getEntriesByName(mark)[0]?.startTime,
          VIEWER_FIRST_FRAME_MARK,
          { timeout: 60_000, polling: 20 },
        );
        runs.push(Math.round(await handle.jsonValue()));
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle).length,
    firstFrameMs: sorted[Math.floor(sorted.length / 2)],
    firstFrameRunsMs: runs,
    triangles: triangleCount(vase),
  };
}

if (require.main === module) {
  measureViewer({ build: true }).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
