/**
 * Figures for the bench (never assertions): the viewer bundle's size and the time from opening a page with the
 * viewer to its first frame with a model on it, in headless chromium on SwiftShader (software WebGL: a desktop GPU is
 * faster). The page's stand-in host answers the viewer's "ready" with a textured GLB of the lathed vase, as the
 * result panel will (without the extension host's file read and message hop).
 *
 * Beside them, the reference a developer would pick: the smallest three.js page that shows a GLB (three.js with
 * its own GLTFLoader and OrbitControls, as in three.js's glTF loader example, bundled and minified by esbuild like
 * dist/viewer.js), fed the same GLB the same way (base64 in the page, decoded there), in the same browser, the runs
 * of the two interleaved; its first frame is the first render() after the model is in the scene.
 *
 *   import { measureViewer } from '../viewer/viewerBench';
 *   const { bundleBytes, firstFrameMs, reference } = await measureViewer();
 *
 * Run alone: npm run compile-tests && node out/test/viewer/viewerBench.js
 */
import * as fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import type * as Esbuild from 'esbuild';
import { VIEWER_FIRST_FRAME_MARK } from '../../src/shared/viewerMessages';
import { lathedVase, triangleCount, writeGlb } from '../support/modelFixtures';
import { buildViewer, launchBrowser, startViewerServer, VIEWER_BUNDLE } from './viewerPage';
import { REPO_ROOT } from '../host/harness';

/** The reference page's figures, measured like the viewer's. */
export interface ReferenceViewerFigures {
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
  readonly firstFrameMs: number;
  readonly firstFrameRunsMs: readonly number[];
}

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
  /** A bare three.js GLB page (see the header). */
  readonly reference: ReferenceViewerFigures;
}

const REFERENCE_FIRST_FRAME_MARK = 'reference-viewer:first-frame';

/** The reference page's script: three.js, GLTFLoader, OrbitControls, two lights, the model framed, one render. */
const REFERENCE_SOURCE = `
import { Box3, DirectionalLight, HemisphereLight, PerspectiveCamera, Scene, Sphere, Vector3, WebGLRenderer } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
const spec = JSON.parse(document.getElementById('model').textContent);
const binary = atob(spec.base64);
const bytes = new Uint8Array(binary.length);
for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
const container = document.getElementById('view');
const renderer = new WebGLRenderer({ antialias: true });
renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
renderer.setSize(container.clientWidth, container.clientHeight);
container.appendChild(renderer.domElement);
const scene = new Scene();
const camera = new PerspectiveCamera(35, container.clientWidth / container.clientHeight, 0.01, 1000);
scene.add(new HemisphereLight(0xffffff, 0x444444, 2));
const key = new DirectionalLight(0xffffff, 2);
key.position.set(3, 5, 4);
scene.add(key);
const controls = new OrbitControls(camera, renderer.domElement);
new GLTFLoader().parse(bytes.buffer, '', (gltf) => {
  scene.add(gltf.scene);
  const box = new Box3().setFromObject(gltf.scene);
  const center = box.getCenter(new Vector3());
  const radius = box.getBoundingSphere(new Sphere()).radius || 1;
  camera.position.copy(center).add(new Vector3(0, radius * 0.5, radius * 3));
  controls.target.copy(center);
  controls.update();
  requestAnimationFrame(() => {
    renderer.render(scene, camera);
    performance.mark('${REFERENCE_FIRST_FRAME_MARK}');
  });
}, (error) => { document.title = 'error: ' + error; });
`;

/** The reference script, bundled and minified for the browser like dist/viewer.js (scripts/build.mjs's WEBVIEW). */
async function buildReference(): Promise<Uint8Array> {
  const esbuild = require('esbuild') as typeof Esbuild;
  const result = await esbuild.build({
    stdin: { contents: REFERENCE_SOURCE, resolveDir: REPO_ROOT, loader: 'js', sourcefile: 'reference-viewer.js' },
    bundle: true,
    minify: true,
    legalComments: 'eof',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

function referencePage(origin: string, glb: Uint8Array): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><link rel="icon" href="data:,"><title>reference viewer</title>
<style>body { margin: 0; padding: 8px; background: #1f1f1f; } #view { width: 784px; height: 480px; }</style></head>
<body>
<div id="view"></div>
<script type="application/json" id="model">${JSON.stringify({ base64: Buffer.from(glb).toString('base64') })}</script>
<script src="${origin}/files/reference.js"></script>
</body>
</html>`;
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
  const reference = await buildReference();
  const server = await startViewerServer();
  server.addFile('reference.js', reference, 'text/javascript');
  const referenceUrl = server.addFile('reference.html', referencePage(server.origin, glb), 'text/html; charset=utf-8');
  const browser = await launchBrowser();
  const runs: number[] = [];
  const referenceRuns: number[] = [];
  /** Opens `url` in a fresh context and waits for `mark`: its time since navigation start. */
  const firstFrame = async (url: string, mark: string): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 800, height: 640 }, reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await page.goto(url);
      const handle = await page.waitForFunction((name: string) => performance.getEntriesByName(name)[0]?.startTime, mark, { timeout: 60_000, polling: 20 });
      return Math.round(await handle.jsonValue());
    } finally {
      await context.close();
    }
  };
  try {
    for (let run = 0; run < (options.runs ?? 3); run++) {
      runs.push(await firstFrame(server.addPage({ autoLoad: { format: 'glb', name: 'vase.glb', bytes: glb } }), VIEWER_FIRST_FRAME_MARK));
      referenceRuns.push(await firstFrame(referenceUrl, REFERENCE_FIRST_FRAME_MARK));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle).length,
    firstFrameMs: median(runs),
    firstFrameRunsMs: runs,
    triangles: triangleCount(vase),
    reference: { bundleBytes: reference.length, bundleGzipBytes: gzipSync(reference).length, firstFrameMs: median(referenceRuns), firstFrameRunsMs: referenceRuns },
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
