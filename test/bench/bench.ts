/**
 * `npm run bench`: every performance figure the issues ask for, each beside its budget and beside the reference a
 * user would pick (sharp for the pixel work, a bare HTTP client for the download, the `yo code` template for
 * activation, a bare three.js page for the 3D view). A report, not a test: it exits 0 when a figure misses its
 * budget and non-zero only when a figure could not be measured.
 * Expects `npm run package` (dist/, dist/meta.json, multiview.vsix) and `npm run compile-tests` (out/) first; the 3D
 * viewer's figures need chromium and playwright-core (`bash test/host/install-tools.sh`).
 *
 * Where the budgets come from: bundle, activation, overhead and polling from the speed-budget issue (#4); the .vsix,
 * the image engine and "grid shown / views saved" from the image-engine issue (#9); modules in two bundles from the
 * codebase issue (#10); the viewer's size and first frame from the 3D issue (#11, figures without a budget); framing,
 * the views' cut-out and its accuracy from issue #15; each export's time and the turntable formats from issue #17.
 */
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PNG } from 'pngjs';
import { MultiviewClient } from '../../src/api/client';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { corpusFile } from '../support/imageCorpus';
import { measureViewer } from '../viewer/viewerBench';
import { cutoutBench } from './cutoutBench';
import { exportsBench } from './exportsBench';
import { framingBench } from './framingBench';
import { startContractServerProcess } from './contractServerProcess';
import { imageBench } from './imageBench';
import { resultExportsBench } from './resultExportsBench';
import { soakBench } from './soakBench';
import { turntableBench } from './turntableBench';
import type { RunFigures } from './product-run';
import { startTimedJobServer } from './timed-job-server';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const KB = 1024;
const ACTIVATION_SAMPLES = 20;
/** Generations per grid size with the answer at once (the worker still warm from the upload). */
const WARM_RESULT_RUNS = 15;
/** Generations per grid size whose answer comes after the worker stopped idle (as in a real job of a minute). */
const COLD_RESULT_RUNS = 5;
/** The contract server's eta for queued jobs: answered after eta + one 2 s poll, past the worker's 5 s idle stop. */
const QUEUED_ETA_SECONDS = 4;
const VIEWER_RUNS = 5;
const API_KEY = 'bench-key-0123456789';

interface Row {
  figure: string;
  value: string;
  /** The same figure for the reference a user would pick, when there is one. */
  reference?: string;
  budget: string;
  /** undefined: no budget (information only), or not measured. */
  pass?: boolean;
  error?: boolean;
}

const rows: Row[] = [];
const details: string[] = [];

// ---- statistics and formatting ----------------------------------------------------------------------

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const median = (values: number[]): number => quantile(values, 0.5);
const kb = (bytes: number): string => `${(bytes / KB).toFixed(1)} KB`;
const msText = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

function printTable(): void {
  const cells = rows.map((row) => [row.figure, row.value, row.reference ?? '-', row.budget, row.error ? 'ERROR' : row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'MISS']);
  const header = ['Figure', 'Measured', 'Reference', 'Budget', 'Result'];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell: string[]): string => cell.map((text, column) => text.padEnd(widths[column])).join(' | ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  cells.forEach((cell) => console.log(line(cell)));
}

// ---- sizes -------------------------------------------------------------------------------------------

/** Which JavaScript realm each bundle runs in: a module in two bundles of one realm would exist twice there. */
const REALMS: Record<string, string> = {
  'dist/extension.js': 'extension host',
  'dist/main.js': 'extension host',
  'dist/imageWorker.js': 'image worker',
  // A page loads one of the two (src/vscode/panel/resultPage.ts): the panel's script alone, or the viewer's bundle,
  // which runs the panel's script beside the viewer when the page shows a model.
  'dist/webview.js': 'a result panel without a model',
  'dist/viewer.js': 'a page with a 3D model (result panel or model editor)',
};

/**
 * dist/extension.js (what activation loads) against 150 KB; the bundles loaded later beside it, and all the
 * extension's JavaScript together, so that splitting can never hide growth. Largest contributors and modules that
 * are in two bundles of one realm, from esbuild's metafile.
 */
function bundleSize(): void {
  const size = (file: string): number => statSync(path.join(ROOT, file)).size;
  const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8')) as {
    outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const outputs = Object.keys(meta.outputs).filter((output) => output.endsWith('.js'));
  const bytes = size('dist/extension.js');
  rows.push({ figure: 'Bundle dist/extension.js, loaded at activation (onStartupFinished)', value: kb(bytes), budget: '150 KB', pass: bytes <= 150 * KB });
  const loadedWhen: Record<string, string> = {
    'dist/main.js': 'every feature, loaded at the first use of one',
    'dist/imageWorker.js': 'the image worker (worker thread), started for pixel work',
    'dist/webview.js': "the result panel's script",
    'dist/viewer.js': 'the 3D viewer, loaded by a panel showing a model',
  };
  for (const output of outputs.filter((name) => name !== 'dist/extension.js' && name !== 'dist/viewer.js')) {
    rows.push({ figure: `  ${output}, ${loadedWhen[output] ?? 'loaded later'}`, value: kb(size(output)), budget: '-' });
  }
  const total = outputs.reduce((sum, output) => sum + size(output), 0);
  rows.push({ figure: '  all JavaScript of the extension together (dist/viewer.js below, with the 3D view)', value: kb(total), budget: '-' });
  const wasm = readdirSync(path.join(ROOT, 'dist', 'wasm')).filter((file) => file.endsWith('.wasm'));
  const wasmBytes = wasm.reduce((sum, file) => sum + size(path.join('dist', 'wasm', file)), 0);
  rows.push({ figure: `  the image worker's WebAssembly (dist/wasm/: ${wasm.join(', ')})`, value: kb(wasmBytes), budget: '-' });

  // A module in two bundles of one realm exists twice there: two copies of its classes and of its state.
  const ownModules = (output: string) => Object.entries(meta.outputs[output].inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input);
  const byRealm = new Map<string, Map<string, string[]>>();
  for (const output of outputs) {
    const realm = REALMS[output] ?? output;
    const modules = byRealm.get(realm) ?? new Map<string, string[]>();
    byRealm.set(realm, modules);
    for (const input of ownModules(output)) modules.set(input, [...(modules.get(input) ?? []), output]);
  }
  const twice = [...byRealm.values()].flatMap((modules) => [...modules].filter(([, inOutputs]) => inOutputs.length > 1).map(([input, inOutputs]) => `${input} (${inOutputs.join(', ')})`));
  rows.push({ figure: 'Modules in two bundles of one realm (from dist/meta.json)', value: twice.length === 0 ? 'none' : String(twice.length), budget: 'none', pass: twice.length === 0 });
  if (twice.length > 0) details.push(`Modules in two bundles of one realm: ${twice.join('; ')}`);

  for (const [output, { bytes: outputBytes, inputs }] of Object.entries(meta.outputs)) {
    if (!output.endsWith('.js')) continue;
    const groups = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      const group = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, input.startsWith('src/') ? 2 : 1).join('/');
      groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
    }
    const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 8);
    details.push(`${output} (${kb(outputBytes)}), largest contributors: ${top.map(([group, size]) => `${group} ${kb(size)} (${Math.round((100 * size) / outputBytes)}%)`).join(', ')}`);
  }
}

/** Issue #9 allows the WebAssembly codecs "under 2 MB" (#4's 400 KB was set for a .vsix without them). */
function vsixSize(): void {
  const bytes = statSync(path.join(ROOT, 'multiview.vsix')).size;
  rows.push({ figure: 'Package multiview.vsix (one for every platform)', value: kb(bytes), budget: '2 MB', pass: bytes <= 2 * KB * KB });
  details.push(`multiview.vsix: ${kb(bytes)}; the image-engine issue's budget is "under 2 MB"; the older 400 KB of the speed-budget issue, set before the WebAssembly codecs and three.js, ${bytes <= 400 * KB ? 'is met too' : 'is exceeded'}.`);
}

// ---- activation --------------------------------------------------------------------------------------

interface ActivationSample {
  requireMs: number;
  activateMs: number;
  firstInputMs: number;
  mainRequireMs: number;
  activateFeaturesMs: number;
  firstInput: string;
}

/**
 * require(bundle) + activate() and command -> first quick input, each sample in a fresh Node process, for Multiview
 * (dist/extension.js; its first command loads dist/main.js) and for the reference, a `yo code`-shaped hello world.
 */
async function activation(): Promise<void> {
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-bench-activation-'));
  const image = path.join(workspace, 'shoe.png');
  await fs.writeFile(image, PNG.sync.write(new PNG({ width: 64, height: 64 })));
  const run = (count: number, which: 'multiview' | 'hello', preload = false): ActivationSample[] =>
    Array.from({ length: count }, () => {
      const child = spawnSync(process.execPath, [path.join(__dirname, 'activation-sample.js'), ROOT, workspace, image, which], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, BENCH_PRELOAD: preload ? '1' : '0' },
      });
      if (child.status !== 0) throw new Error(`activation sample (${which}) failed: ${child.stderr || child.error?.message}`);
      return JSON.parse(child.stdout.trim().split('\n').pop()!) as ActivationSample;
    });
  let samples: ActivationSample[];
  let preloaded: ActivationSample[];
  let hello: ActivationSample[];
  try {
    run(1, 'multiview'); // warms the disk cache
    run(1, 'hello');
    samples = [];
    hello = [];
    // Interleaved, so that a noisy moment of the machine falls on both.
    for (let i = 0; i < ACTIVATION_SAMPLES; i++) {
      samples.push(...run(1, 'multiview'));
      hello.push(...run(1, 'hello'));
    }
    preloaded = run(ACTIVATION_SAMPLES / 2, 'multiview', true);
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
  const total = (sample: ActivationSample) => sample.requireMs + sample.activateMs;
  const stub = '(stub host, outside VS Code)';
  const helloText = (q: number, pick: (sample: ActivationSample) => number) => `hello world ${msText(quantile(hello.map(pick), q))}`;
  rows.push({ figure: `Activation: require + activate() median ${stub}`, value: msText(median(samples.map(total))), reference: helloText(0.5, total), budget: '15 ms', pass: median(samples.map(total)) <= 15 });
  rows.push({ figure: `Activation: require + activate() p90 ${stub}`, value: msText(quantile(samples.map(total), 0.9)), reference: helloText(0.9, total), budget: '15 ms', pass: quantile(samples.map(total), 0.9) <= 15 });
  const first = (sample: ActivationSample) => sample.firstInputMs;
  rows.push({ figure: `First command -> first quick input shown, median ${stub}`, value: msText(median(samples.map(first))), reference: helloText(0.5, first), budget: '-' });
  rows.push({ figure: `First command -> first quick input shown, p90 ${stub}`, value: msText(quantile(samples.map(first), 0.9)), reference: helloText(0.9, first), budget: '-' });
  rows.push({ figure: '  of which: require(dist/main.js), median', value: msText(median(samples.map((sample) => sample.mainRequireMs))), budget: '-' });
  rows.push({ figure: '  of which: activateFeatures(), median', value: msText(median(samples.map((sample) => sample.activateFeaturesMs))), budget: '-' });
  rows.push({
    figure: '  of which: the command up to its first question, median',
    value: msText(median(samples.map((sample) => sample.firstInputMs - sample.mainRequireMs - sample.activateFeaturesMs))),
    budget: '-',
  });
  details.push(
    `Activation, ${samples.length} fresh Node ${process.version} processes each, measured OUTSIDE VS Code with a stub \`vscode\` module: ` +
      `require(dist/extension.js) median ${msText(median(samples.map((s) => s.requireMs)))}, activate() median ${msText(median(samples.map((s) => s.activateMs)))}; ` +
      `VS Code's own costs (extension host IPC, reading the manifest) are not included. The reference is test/bench/hello-extension.ts (one command showing a quick pick, ` +
      `the shape of \`yo code\`'s template), timed the same way, its runs interleaved with Multiview's. ` +
      `With the Node built-ins and undici (global fetch, which axios probes at load) loaded beforehand, as a host that already uses them would have: ` +
      `Multiview's require + activate() median ${msText(median(preloaded.map(total)))}, its first command -> first quick input ${msText(median(preloaded.map(first)))} (${preloaded.length} processes).`,
  );
  details.push(
    `First quick input: from calling the 'multiview.generateFromExplorer' handler with a PNG Uri (key already in SecretStorage) to show() of "${samples[0].firstInput}": ` +
      `the shim loads dist/main.js and calls activateFeatures() (the first use of any command pays this once), then the command inspects the image, starts the image worker's warm-up and asks. ` +
      `On a cold start VS Code activates first, so the user waits activation + this: median ${msText(median(samples.map((s) => total(s) + s.firstInputMs)))}.`,
  );
}

// ---- final answer -> grid shown -> views saved, through the product, against a bare HTTP client ------------

/** product-run.js in a fresh process: `runs` generations of IMAGE at this grid size; its figures per run. */
function productRuns(workspace: string, image: string, baseUrl: string, width: number, height: number, runs: number, warmups: number): Promise<RunFigures[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'product-run.js'), ROOT, workspace, image, baseUrl, String(width), String(height), String(runs), String(warmups)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill(), 180_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve((JSON.parse(stdout.trim().split('\n').pop()!) as { runs: RunFigures[] }).runs);
      } catch (error) {
        reject(new Error(`product run ${width}x${height} failed (${(error as Error).message}): ${stderr.slice(0, 800)}`));
      }
    });
  });
}

/**
 * The issue's "final answer -> panel showing the grid <= 1.25x a bare download of the grid; the six views saved
 * <= 100 ms after that", through the shipped bundles (product-run.ts), for one grid size: with the answer at once
 * (the worker still running from the upload) and with the answer after the job was queued past the worker's idle
 * stop, as a real generation of a minute is.
 */
async function resultFigures(baseUrl: string, workspace: string, image: string, width: number, height: number): Promise<void> {
  const warm = await productRuns(workspace, image, `${baseUrl}/scenario/success`, width, height, WARM_RESULT_RUNS, 2);
  const cold = await productRuns(workspace, image, `${baseUrl}/scenario/queued`, width, height, COLD_RESULT_RUNS, 0);
  const size = `${width}x${height}`;
  const bare = median(warm.map((run) => run.bareDownloadMs));
  const shown = median(warm.map((run) => run.answerToGridShownMs));
  const ratio = shown / bare;
  const gridKb = kb(median(warm.map((run) => run.gridBytes)));
  rows.push({
    figure: `Final answer -> grid saved and shown, ${size} grid (${gridKb}), median of ${warm.length}: ${msText(shown)}`,
    value: `${ratio.toFixed(2)}x bare`,
    reference: `bare download ${msText(bare)}`,
    budget: '1.25x bare',
    pass: ratio <= 1.25,
  });
  const coldShown = median(cold.map((run) => run.answerToGridShownMs));
  const coldBare = median(cold.map((run) => run.bareDownloadMs));
  rows.push({
    figure: `  the same after a queued job (worker stopped idle), median of ${cold.length}: ${msText(coldShown)}`,
    value: `${(coldShown / coldBare).toFixed(2)}x bare`,
    reference: `bare download ${msText(coldBare)}`,
    budget: '1.25x bare',
    pass: coldShown / coldBare <= 1.25,
  });
  const views = median(warm.map((run) => run.gridShownToViewsSavedMs));
  const sharpViews = median(warm.map((run) => run.sharpViewsMs));
  rows.push({ figure: `Six views saved after the grid is shown, ${size}, worker running, median of ${warm.length}`, value: msText(views), reference: `sharp ${msText(sharpViews)}`, budget: '100 ms', pass: views <= 100 });
  const coldViews = median(cold.map((run) => run.gridShownToViewsSavedMs));
  const coldSharp = median(cold.map((run) => run.sharpViewsMs));
  rows.push({ figure: `  the same after a queued job (worker started again), median of ${cold.length}`, value: msText(coldViews), reference: `sharp ${msText(coldSharp)}`, budget: '100 ms', pass: coldViews <= 100 });
  const stillWarm = cold.filter((run) => !run.workerColdAtAnswer).length;
  details.push(
    `Result ${size} (grid ${gridKb} from the contract server with photo-like grain; ${warm.length} answered at once + ${cold.length} queued, each a whole "Generate Multiview..." from the Explorer through dist/ in a fresh stub host, Enter on every question): ` +
      `answer -> grid downloaded (checked as it arrived) ${msText(median(warm.map((run) => run.answerToDownloadedMs)))}, -> the check's verdict and free names, grid written from ${msText(median(warm.map((run) => run.answerToGridWriteMs)))}, in place ${msText(median(warm.map((run) => run.answerToGridSavedMs)))}, -> its panel's HTML set ${msText(shown)}; ` +
      `-> six views and the sidecar saved ${msText(views)} later, the panel updated ${msText(median(warm.map((run) => run.viewsSavedToShownMs)))} after that. ` +
      `Queued: answer -> grid shown ${msText(coldShown)} (downloaded after ${msText(median(cold.map((run) => run.answerToDownloadedMs)))}), views ${msText(coldViews)} after it` +
      (stillWarm > 0 ? `; WARNING: in ${stillWarm} of ${cold.length} queued runs the worker had not stopped before the answer.` : '; the worker had stopped idle before every queued answer and started again for the views.') +
      ` "Shown" is the extension host handing the panel its HTML (ResultPanels.showSaved from onGridSaved); VS Code drawing the page is not included (no workbench here).` +
      ` References in the same process after each run: http.get + fs.writeFile of the same grid URL; sharp cutting the saved grid into six PNG files (deflate level 2, as the product's views).`,
  );
}

// ---- polling ----------------------------------------------------------------------------------------

/** Jobs that become ready at a known moment, polled with the client's default intervals, in parallel. */
async function polling(): Promise<void> {
  const cases = {
    // The budgeted figure: the server announces the moment (its eta) and keeps to it.
    'eta-right': { label: 'eta 8 s, ready at 8 s', etaSeconds: 8, readyAfterMs: 8_000, budgeted: true },
    // How the client copes when the server's estimate is wrong, shown beside it without a budget.
    'later-than-eta': { label: 'eta 4 s, ready at 20 s', etaSeconds: 4, readyAfterMs: 20_000, budgeted: false },
    'earlier-than-eta': { label: 'eta 30 s, ready at 6 s', etaSeconds: 30, readyAfterMs: 6_000, budgeted: false },
  };
  const server = await startTimedJobServer(cases);
  try {
    const endpoints = endpointsFromBaseUrls(server.baseUrl, server.baseUrl);
    const results = await Promise.all(
      Object.keys(cases).map(async (id) => {
        const client = new MultiviewClient({ apiKey: API_KEY, endpoints }); // default poll intervals: the product's settings
        const started = performance.now();
        await client.generate({ prompt: id, negative_prompt: '', image: `${server.baseUrl}/in.png`, width: 640, height: 960, temp: 'no', num_inference_steps: 50, guidance_scale: 4, seed: null, webhook: null, track_id: null });
        const seenAt = performance.now();
        const job = server.jobs.get(id)!;
        return { id, delayMs: seenAt - job.readyAt, polls: job.polls, perSecond: job.polls / ((seenAt - started) / 1000) };
      }),
    );
    for (const result of results) {
      const { label, budgeted } = cases[result.id as keyof typeof cases];
      rows.push(
        budgeted
          ? { figure: `Polling: ready -> client sees success (${label})`, value: msText(result.delayMs), budget: '1 s', pass: result.delayMs <= 1000 }
          : { figure: `  the same when the eta is wrong (${label})`, value: msText(result.delayMs), budget: '-' },
      );
      details.push(`Polling, ${label}: ${result.polls} ${result.polls === 1 ? 'poll' : 'polls'} after the submission, ${result.perSecond.toFixed(2)} requests/s while waiting, success seen ${msText(result.delayMs)} after the job was ready.`);
    }
    const busiest = Math.max(...results.map((result) => result.perSecond));
    rows.push({ figure: 'Polling: requests per second of waiting (busiest case)', value: `${busiest.toFixed(2)}/s`, budget: '1/s', pass: busiest <= 1 });
  } finally {
    await server.close();
  }
}

// ---- main -------------------------------------------------------------------------------------------

async function measure(name: string, figure: () => void | Promise<void>): Promise<void> {
  try {
    await figure();
  } catch (error) {
    rows.push({ figure: name, value: 'not measured', budget: '', error: true });
    details.push(`${name} could not be measured: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** dist/viewer.js against a bare three.js GLB page, and each one's first frame in headless chromium. */
async function viewer(): Promise<void> {
  const bytes = statSync(path.join(ROOT, 'dist', 'viewer.js')).size;
  const figures = await measureViewer({ runs: VIEWER_RUNS });
  const { reference } = figures;
  rows.push({
    figure: 'Bundle dist/viewer.js (the 3D view, three.js; loaded only by a page showing a model), minified (gzip)',
    value: `${kb(bytes)} (${kb(figures.bundleGzipBytes)})`,
    reference: `three.js GLB page ${kb(reference.bundleBytes)} (${kb(reference.bundleGzipBytes)})`,
    budget: '-',
  });
  rows.push({
    figure: `3D view: opening the page -> first frame of the model, median of ${figures.firstFrameRunsMs.length} (headless chromium, software WebGL)`,
    value: msText(figures.firstFrameMs),
    reference: `three.js GLB page ${msText(reference.firstFrameMs)}`,
    budget: '-',
  });
  details.push(
    `3D view: a textured GLB of ${figures.triangles} triangles, handed to the page as the result panel does (bytes in a message); from navigation start to the viewer's first-frame mark (after its first render() with the model): ` +
      `runs ${figures.firstFrameRunsMs.join(', ')} ms; the reference (three.js + GLTFLoader + OrbitControls, two lights, the same GLB decoded in the page): runs ${reference.firstFrameRunsMs.join(', ')} ms. ` +
      `Not included: VS Code creating the webview and the extension host reading the model file and posting it.`,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  await measure('Bundle size', bundleSize);
  await measure('Package size', vsixSize);
  await measure('Activation', activation);
  await measure('Image engine', async () => {
    const image = await imageBench({ shipped: true });
    rows.push(...image.rows);
    details.push(...image.details);
  });
  // The issue of framing and transparent views (#15) and the exports issue (#17): each module's own figures.
  for (const [name, bench] of [
    ['Subject framing', framingBench],
    ['View cut-out', cutoutBench],
    ['Turntable formats', turntableBench],
    ['Sprite sheet', exportsBench],
    ['Result exports', resultExportsBench],
    // The long-day issue (#18): 200 generations and 20 models in one window of the stub host.
    ['Long day', soakBench],
  ] as const) {
    await measure(name, async () => {
      const figures = await bench();
      rows.push(...figures.rows);
      details.push(...figures.details);
    });
  }
  await measure('Final answer -> grid shown -> views saved', async () => {
    const server = await startContractServerProcess(ROOT, ['--textured-grids', '--eta', String(QUEUED_ETA_SECONDS)]);
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-bench-result-'));
    try {
      // A real photo of the size the model uses, so that nothing is prepared before the upload but what a user's is.
      const image = path.join(workspace, 'shoe.jpg');
      await fs.copyFile((await corpusFile('squareJpeg')).file, image);
      await resultFigures(server.baseUrl, workspace, image, 640, 960);
      await resultFigures(server.baseUrl, workspace, image, 1024, 1024);
    } finally {
      server.stop();
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
  await measure('3D viewer', viewer);
  await measure('Polling', polling);

  console.log(`\nMultiview benchmark (Node ${process.version}, ${os.cpus().length} cores, ${os.platform()}; ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  console.log(
    'Reference: the same figure for what a user would pick instead: sharp (libvips) for the pixel work, a bare http.get + fs.writeFile for the grid, ' +
      "a hello-world extension (the shape of `yo code`'s template) for activation, a bare three.js GLB page for the 3D view.\n",
  );
  printTable();
  console.log('');
  details.forEach((detail) => console.log(`- ${detail}`));
  process.exitCode = rows.some((row) => row.error) ? 1 : 0;
}

void main();
