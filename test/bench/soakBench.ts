/**
 * "No leak over a long day": 200 generations and 20 3D models in one window, through the shipped bundles (dist/)
 * under the stub host, against the contract server answering at once (no eta; a 3D model is still queued once, so
 * each waits the client's shortest poll of 2 s). The run itself is soak-run.ts, in a child Node process started with
 * --expose-gc; this file starts the contract server (a child too, so that its sockets are not counted), reads the
 * samples and turns them into rows beside the promise's budgets:
 *   - the heap after GC grows by <= 10 MB from generation 20 to generation 200;
 *   - the time per generation stays flat: the median of the last 20 within 10% of the median of generations 20-40;
 *   - sockets (TCPSocketWrap) and file handles (FileHandle) at the end (idle) as many as at the start;
 *   - the image worker is gone when idle (counted from worker_threads, the threads of the process and the engine's
 *     own log lines);
 *   - every panel the user closed is disposed with its listeners, and none is kept reachable.
 * A report, not a test: a figure over its budget is a MISS row, not an exception.
 *
 * `soakBench()` is for bench.ts; alone: `node out/test/bench/soakBench.js` (about 75 s on 2 cores), after
 * `npm run package && npx tsc -p .`.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpusFile } from '../support/imageCorpus';
import type { ImageBenchRow } from './imageBench';
import type { SoakRunOutput, SoakSample } from './soak-run';
import { startContractServerProcess } from './contractServerProcess';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GENERATIONS = 200;
/** A 3D model after every 10th generation: 20 in all. */
const MODEL_EVERY = 10;
/** Past the worker's 5 s idle stop and the contract server's 5 s keep-alive. */
const IDLE_WAIT_MS = 7_000;
const HEAP_FROM = 20;
const HEAP_BUDGET_BYTES = 10 * 1024 * 1024;
const TIME_BUDGET_RATIO = 1.1;
const RUN_TIMEOUT_MS = 8 * 60_000;

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(2)} MB`;
const signedMb = (bytes: number): string => `${bytes >= 0 ? '+' : '-'}${mb(Math.abs(bytes))}`;
const msText = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

/**
 * --eta 0: a queued job is polled after the client's shortest interval; --textured-grids: grids with photo-like
 * grain, of the size and weight of real ones (the pixel work and the buffers are what a leak would keep).
 */
function startContractServer(): Promise<{ baseUrl: string; stop(): void }> {
  return startContractServerProcess(ROOT, ['--eta', '0', '--textured-grids']);
}

function runSoak(workspace: string, image: string, baseUrl: string): Promise<SoakRunOutput> {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', path.join(__dirname, 'soak-run.js'), ROOT, workspace, image, baseUrl, String(GENERATIONS), String(MODEL_EVERY), String(IDLE_WAIT_MS)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill(), RUN_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as SoakRunOutput);
      } catch (error) {
        reject(new Error(`the soak run failed (${(error as Error).message}): ${stderr.slice(0, 1500)}`));
      }
    });
  });
}

const resourceText = (resources: Record<string, number>): string =>
  Object.keys(resources).length === 0
    ? 'none'
    : Object.entries(resources)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, count]) => `${name} ${count}`)
        .join(', ');

/** The rows and details from one run's samples. */
export function soakRows(output: SoakRunOutput, elapsedMs: number): { rows: ImageBenchRow[]; details: string[] } {
  const rows: ImageBenchRow[] = [];
  const details: string[] = [];
  const { samples } = output;
  const generations = samples.filter((sample) => sample.kind === 'generation');
  const models = samples.filter((sample) => sample.kind === 'model');
  const start = samples.find((sample) => sample.kind === 'start')!;
  const idle = samples.filter((sample) => sample.kind === 'idle');
  const end = idle[idle.length - 1];
  const at = (index: number): SoakSample => generations.find((sample) => sample.index === index)!;
  const last = generations[generations.length - 1];

  // Heap after GC.
  const growth = last.heapUsed - at(HEAP_FROM).heapUsed;
  rows.push({
    figure: `Long day: heap after GC, growth from generation ${HEAP_FROM} to ${last.index} (${models.length} 3D models between)`,
    value: `${signedMb(growth)} (${mb(at(HEAP_FROM).heapUsed)} -> ${mb(last.heapUsed)})`,
    budget: '<= 10 MB',
    pass: growth <= HEAP_BUDGET_BYTES,
  });
  const steady = generations.filter((sample) => sample.index >= HEAP_FROM);
  const perJob = slope(steady.map((sample) => [sample.index, sample.heapUsed]));
  const secondHalf = slope(steady.filter((sample) => sample.index > (HEAP_FROM + last.index) / 2).map((sample) => [sample.index, sample.heapUsed]));
  details.push(
    `Long day, heap after two global.gc() after each job: start ${mb(start.heapUsed)}, generation 1 ${mb(at(1).heapUsed)}, ${HEAP_FROM} ${mb(at(HEAP_FROM).heapUsed)}, ` +
      `${[50, 100, 150].filter((index) => index <= last.index).map((index) => `${index} ${mb(at(index).heapUsed)}`).join(', ')}, ${last.index} ${mb(last.heapUsed)}, ` +
      `idle at the end ${mb(end.heapUsed)}; least-squares slope over generations ${HEAP_FROM}-${last.index}: ${(perJob / 1024).toFixed(1)} KB per generation ` +
      `(second half alone ${(secondHalf / 1024).toFixed(1)} KB), which includes the bench's own record of each sample (two small objects and a few numbers, about 0.3 KB). ` +
      `Outside the JS heap: external ${mb(at(HEAP_FROM).external)} -> ${mb(last.external)}, array buffers ${mb(at(HEAP_FROM).arrayBuffers)} -> ${mb(last.arrayBuffers)}; ` +
      `RSS ${mb(start.rss)} at the start, ${mb(at(HEAP_FROM).rss)} at generation ${HEAP_FROM}, ${mb(last.rss)} at ${last.index}, ${mb(end.rss)} idle (the worker's memory and malloc's arenas; information only).`,
  );

  // Time per generation.
  const early = generations.filter((sample) => sample.index >= 20 && sample.index <= 40);
  const late = generations.slice(-20);
  const ratio = median(late.map((sample) => sample.ms)) / median(early.map((sample) => sample.ms));
  const cpuRatio = median(late.map((sample) => sample.cpuMs)) / median(early.map((sample) => sample.cpuMs));
  rows.push({
    figure: `Long day: time per generation, median of the last 20 vs generations 20-40 (CPU time: ${cpuRatio.toFixed(2)}x)`,
    value: `${ratio.toFixed(2)}x (${msText(median(early.map((sample) => sample.ms)))} -> ${msText(median(late.map((sample) => sample.ms)))})`,
    budget: `<= ${TIME_BUDGET_RATIO.toFixed(2)}x`,
    pass: ratio <= TIME_BUDGET_RATIO,
  });
  const timeSlope = slope(steady.map((sample) => [sample.index, sample.ms]));
  details.push(
    `Long day, time per generation (the Explorer's command from its call to its end, panel shown, six views and the sidecar saved; then the user closes the panel): ` +
      `generation 1 ${msText(at(1).ms)} (the worker and the codecs start), median of 20-40 ${msText(median(early.map((sample) => sample.ms)))}, of the last 20 ${msText(median(late.map((sample) => sample.ms)))}; ` +
      `least-squares slope over ${HEAP_FROM}-${last.index} ${timeSlope >= 0 ? '+' : ''}${(timeSlope * 100).toFixed(1)} ms per 100 generations. ` +
      `CPU time of the process per generation (all threads): ${msText(median(early.map((sample) => sample.cpuMs)))} -> ${msText(median(late.map((sample) => sample.cpuMs)))}. ` +
      `Wall time on a shared 2-core machine moves with whatever else runs; the CPU time shows whether the work itself grew. ` +
      `3D models (multiview.makeModel with the result's sidecar, every question answered with Enter; one poll after the client's 2 s minimum): ` +
      `median ${msText(median(models.map((sample) => sample.ms)))}, first 5 ${msText(median(models.slice(0, 5).map((sample) => sample.ms)))}, last 5 ${msText(median(models.slice(-5).map((sample) => sample.ms)))}; ` +
      `CPU ${msText(median(models.map((sample) => sample.cpuMs)))} each.`,
  );

  // Sockets and file handles, idle at the end vs the start.
  const count = (sample: SoakSample, name: string): number => sample.resources[name] ?? 0;
  const maxDuring = (name: string): number => Math.max(...samples.map((sample) => count(sample, name)));
  for (const [name, label] of [
    ['TCPSocketWrap', 'sockets'],
    ['FileHandle', 'file handles'],
  ] as const) {
    rows.push({
      figure: `Long day: ${label} (${name}) idle at the end vs the start (most at once during the jobs: ${output.peakResources[name] ?? 0})`,
      value: `${count(end, name)} vs ${count(start, name)}`,
      budget: 'equal',
      pass: count(end, name) === count(start, name),
    });
  }
  const kinds = new Set(samples.flatMap((sample) => Object.keys(sample.resources)));
  details.push(
    `Long day, process.getActiveResourcesInfo() at the start: ${resourceText(start.resources)}; after generation ${HEAP_FROM}: ${resourceText(at(HEAP_FROM).resources)}; ` +
      `after generation ${last.index}: ${resourceText(last.resources)}; idle ${IDLE_WAIT_MS / 1000} s after the last job: ${resourceText(end.resources)}. ` +
      `Most of each kind after any job: ${[...kinds].map((kind) => `${kind} ${maxDuring(kind)}`).join(', ')}; most at once while the jobs ran (read every 10 ms): ${resourceText(output.peakResources)}. ` +
      `PipeWrap is the process's stdout and stderr, opened by Node when the first worker thread starts (it pipes a worker's output to them); one Timeout while the jobs run is the bench's own 10 ms watcher.`,
  );

  // The image worker.
  const gone = end.liveWorkers === 0 && end.threads <= start.threads;
  rows.push({
    figure: `Long day: image worker gone when idle (${IDLE_WAIT_MS / 1000} s after the last job)`,
    value: gone ? 'yes' : `no (${end.liveWorkers} alive, ${end.threads} threads vs ${start.threads} at the start)`,
    budget: 'yes',
    pass: gone,
  });
  details.push(
    `Long day, image worker: ${output.workersStarted} worker thread(s) started in the whole run (the engine logged ${output.workerLog.started} start(s) and ${output.workerLog.stoppedIdle} idle stop(s)` +
      `${output.workerLog.other.length > 0 ? `; other worker lines: ${output.workerLog.other.join(' | ')}` : ''}); alive after each job: at most ${Math.max(...samples.map((sample) => sample.liveWorkers))}; ` +
      `threads of the process ${start.threads} at the start, ${last.threads} after the last job, ${end.threads} idle. ` +
      `Counted by wrapping worker_threads.Worker before the bundle loads (Node 20's getActiveResourcesInfo() does not list workers) and by /proc/self/task.`,
  );

  // Panels.
  const undisposed = end.openPanels;
  const listeners = Math.max(...samples.map((sample) => sample.closedPanelListeners));
  const reachable = end.closedPanelsReachable;
  rows.push({
    figure: `Long day: panels closed by the user left undisposed / their listeners left / still reachable after GC (${output.panelsCreated} panels)`,
    value: `${undisposed} / ${listeners} / ${reachable}`,
    budget: '0 / 0 / 0',
    pass: undisposed === 0 && listeners === 0 && reachable === 0,
  });
  details.push(
    `Long day, panels: ${output.panelsCreated} result panels created (one per generation, one per 3D model), each closed as a user closes it (the stub fires onDidDispose); ` +
      `after each job the stub counts the panels not disposed, the listeners still subscribed to the closed panels' events (onDidDispose, onDidChangeViewState, the webview's onDidReceiveMessage: ` +
      `the extension must remove its own) and, held only through WeakRefs, the closed panels still reachable after a GC (the extension keeping them). ` +
      `Most seen after any job: ${Math.max(...samples.map((sample) => sample.openPanels))} undisposed, ${listeners} listeners, ${Math.max(...samples.map((sample) => sample.closedPanelsReachable))} reachable.`,
  );
  details.push(
    `Long day: ${generations.length} generations ("Generate Multiview..." from the Explorer on a 900x900 JPEG, 640x960 grids with grain, Enter on every question) and ${models.length} 3D models ` +
      `through dist/ under the stub host (not VS Code: no workbench, no IPC) in one Node ${process.version} process, against the contract server in another; ${(elapsedMs / 1000).toFixed(0)} s in all.`,
  );
  return { rows, details };
}

export async function soakBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const started = performance.now();
  const server = await startContractServer();
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-bench-soak-'));
  try {
    const image = path.join(workspace, 'shoe.jpg');
    await fs.copyFile((await corpusFile('squareJpeg')).file, image);
    const output = await runSoak(workspace, image, server.baseUrl);
    return soakRows(output, performance.now() - started);
  } finally {
    server.stop();
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  soakBench().then(
    ({ rows, details }) => {
      const cells = rows.map((row) => [row.figure, row.value, row.budget, row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'MISS']);
      const header = ['Figure', 'Measured', 'Budget', 'Result'];
      const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
      const line = (cell: string[]): string => cell.map((text, column) => text.padEnd(widths[column])).join(' | ');
      console.log(line(header));
      console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
      cells.forEach((cell) => console.log(line(cell)));
      console.log('');
      details.forEach((detail) => console.log(`- ${detail}`));
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
