/**
 * `npm run pictures`: the README's pictures of what framing and the free exports make, made by the product's own
 * code (the image engine's worker, the exports as the commands run them) from a result of the local contract
 * server, whose grids are drawn like the model's: into media/exports/ (linked from the README, not in the .vsix).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { runGenerationJob } from '../../src/core/generationJob';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { readSavedResult } from '../../src/core/readSidecar';
import { runExport } from '../../src/core/results/exports/resultExport';
import { spriteSheetExport } from '../../src/core/results/exports/spriteSheet';
import { transparentViewsExport } from '../../src/core/results/exports/transparentViews';
import { turntableExport } from '../../src/core/results/exports/turntable';
import { transformsJson } from '../../src/core/results/formats/transformsJson';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer } from '../contract-server/server';
import { cutoutPixels } from '../support/imageCorpus';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { repoRoot, testEngineOptions } from '../support/imageEngine';

const OUT = path.join(repoRoot(), 'media', 'exports');
const CHECKER = [[236, 236, 236], [200, 200, 200]] as const;

/** `image` over a light checkerboard (how a transparent picture is shown), opaque. */
function onCheckerboard(png: PNG, square = 8): PNG {
  const out = new PNG({ width: png.width, height: png.height });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const back = CHECKER[(Math.floor(x / square) + Math.floor(y / square)) % 2];
      const a = png.data[i + 3] / 255;
      for (let c = 0; c < 3; c++) out.data[i + c] = Math.round(png.data[i + c] * a + back[c] * (1 - a));
      out.data[i + 3] = 255;
    }
  }
  return out;
}

/** Pictures side by side with a gap, on white. */
function sideBySide(pictures: PNG[], gap = 12): PNG {
  const height = Math.max(...pictures.map((p) => p.height));
  const width = pictures.reduce((sum, p) => sum + p.width, 0) + gap * (pictures.length - 1);
  const out = new PNG({ width, height });
  out.data.fill(255);
  let left = 0;
  for (const picture of pictures) {
    PNG.bitblt(picture, out, 0, 0, picture.width, picture.height, left, 0);
    left += picture.width + gap;
  }
  return out;
}

/** A top view of the six cameras around the object (the camera-poses export): blue above, orange below, the input's in black. */
function cameraDiagram(json: string, side = 240): PNG {
  const data = JSON.parse(json) as { frames: { transform_matrix: number[][] }[] };
  const out = new PNG({ width: side, height: side });
  out.data.fill(255);
  const dot = (cx: number, cy: number, radius: number, colour: readonly number[]) => {
    for (let y = Math.floor(cy - radius); y <= cy + radius; y++) {
      for (let x = Math.floor(cx - radius); x <= cx + radius; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= 0 && y >= 0 && x < side && y < side) out.data.set([...colour, 255], (y * side + x) * 4);
      }
    }
  };
  const scale = side / 10;
  dot(side / 2, side / 2, 0.9 * scale, [110, 110, 110]);
  // The input's camera (azimuth 0, on +Z), at the views' distance, in black.
  const [x0, , z0] = [0, 1, 2].map((row) => data.frames[0].transform_matrix[row][3]);
  dot(side / 2, side / 2 + Math.hypot(x0, z0) * scale, 5, [20, 20, 20]);
  for (const frame of data.frames) {
    const [x, y, z] = [frame.transform_matrix[0][3], frame.transform_matrix[1][3], frame.transform_matrix[2][3]];
    dot(side / 2 + x * scale, side / 2 - z * scale, 7, y > 0 ? [40, 110, 220] : [220, 110, 40]);
  }
  return out;
}

async function writePng(name: string, png: PNG): Promise<void> {
  await fs.writeFile(path.join(OUT, name), PNG.sync.write(png, { colorType: png.data.every((_, i) => i % 4 !== 3 || png.data[i] === 255) ? 2 : 6 }));
  console.log(`wrote media/exports/${name}`);
}

async function main(): Promise<void> {
  await fs.mkdir(OUT, { recursive: true });
  const server = await startContractServer({ subjectGrids: true });
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-pictures-'));
  const engine = new ImageEngine(testEngineOptions());
  try {
    // A studio cut-out with a small subject off centre, as it is, and as framing sends it.
    const cutout = cutoutPixels(1200, 900, { cx: 870, cy: 300, rx: 150, ry: 114 }, 31);
    const cutoutPath = path.join(workspace, 'cutout.png');
    const raw = new PNG({ width: 1200, height: 900 });
    raw.data.set(cutout);
    await fs.writeFile(cutoutPath, PNG.sync.write(raw));
    const framed = await engine.prepareUpload({ path: cutoutPath }, { padToSquare: true, longSide: 240, frameSubject: 0.85 });
    const padded = await engine.prepareUpload({ path: cutoutPath }, { padToSquare: true, longSide: 240 });
    const asJpeg = async (bytes: Uint8Array) => PNG.sync.read(Buffer.from(await (await import('sharp')).default(bytes).png().toBuffer()));
    await writePng('framing.png', sideBySide([await asJpeg(padded.bytes), await asJpeg(framed.bytes)]));

    const output = await runGenerationJob({
      imagePath: cutoutPath,
      workspaceFolder: workspace,
      outputFolder: '${imageFolder}/multiview',
      parameters: { ...BUILT_IN_DEFAULTS, width: 320, height: 480, prompt: 'a mug', seed: 3 },
      longSide: 1024,
      engine,
      connection: { apiKey: 'pictures', endpoints: endpointsFromBaseUrls(server.baseUrl, server.baseUrl), requestTimeoutMs: 5000, jobTimeoutMs: 20_000, pollIntervalMs: { min: 10, max: 50 } },
      extensionVersion: 'pictures',
      cameraLayout: 'zero123plus-v1.2',
      saveViews: true,
    });
    const saved = await readSavedResult(output.sidecarPath, workspace);
    const context = { engine, secret: 'pictures', workspaceFolder: workspace };
    const transparent = await runExport(transparentViewsExport, saved, undefined, context);
    const opaqueFirst = PNG.sync.read(await fs.readFile(saved.viewPaths[0]));
    const cutFirst = PNG.sync.read(await fs.readFile(transparent.paths[1]));
    await writePng('transparent-views.png', sideBySide([opaqueFirst, onCheckerboard(cutFirst)]));

    const sheet = await runExport(spriteSheetExport, transparent.result, { includeInput: false, framesPerSecond: 6 }, context);
    await writePng('sprite-sheet.png', onCheckerboard(PNG.sync.read(await fs.readFile(sheet.paths[0]))));

    const turntable = await runExport(turntableExport, transparent.result, { framesPerSecond: 6 }, context);
    await fs.copyFile(turntable.paths[1], path.join(OUT, 'turntable.png'));
    console.log('wrote media/exports/turntable.png (animated PNG)');

    await writePng('camera-poses.png', cameraDiagram(transformsJson({ layout: 'zero123plus-v1.2', width: 160, height: 160, viewFiles: saved.viewPaths.map((file) => path.basename(file)) }).json));
  } finally {
    engine.dispose();
    await server.close();
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
