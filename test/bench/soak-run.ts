/**
 * "No leak over a long day", one window: the shipped extension (dist/) under the stub host (fake-vscode.ts, Enter on
 * every question), in a fresh Node process started with --expose-gc by soakBench.ts:
 *   node --expose-gc soak-run.js EXTENSION_ROOT WORKSPACE IMAGE BASE_URL GENERATIONS MODEL_EVERY IDLE_WAIT_MS
 * GENERATIONS times the Explorer's "Generate Multiview..." on IMAGE against the contract server at BASE_URL, each
 * ended by the user closing its panel; after every MODEL_EVERY-th one, "Make 3D Model" (multiview.makeModel with
 * that result's sidecar, as the panel's button runs it), whose panel the user closes too. After each job: two
 * global.gc(), then the heap, the process's active resources (sockets, file handles, timers...), its threads, the
 * image workers alive, the panels not disposed and the listeners left on closed panels, and the job's time.
 * Once all jobs are done: IDLE_WAIT_MS of nothing (past the worker's 5 s idle stop and the server's 5 s keep-alive),
 * then the same figures again. Prints one JSON line: SoakRunOutput.
 *
 * Only observes: the stub records panels; worker_threads.Worker is wrapped (before the bundle loads) to count the
 * threads started and exited; the stub's own records (log lines, panel HTML, messages) are emptied after each job so
 * that what grows is the extension's, not the bench's. SOAK_HEAP_SNAPSHOTS=20,200 (generation numbers) writes heap
 * snapshots into WORKSPACE, to find what grows.
 */
import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { installFakeVscode, type FakePanel } from './fake-vscode';

export interface SoakSample {
  kind: 'start' | 'generation' | 'model' | 'idle';
  /** 1-based within its kind (0 for start and idle). */
  index: number;
  /** The command's time, from calling it to its promise settling (the panel is shown by then). */
  ms: number;
  /** CPU time of the whole process (every thread, the image worker's too) over the same span: less moved by a busy machine. */
  cpuMs: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** process.getActiveResourcesInfo(), counted by type (TCPSocketWrap, FileHandle, Timeout...). */
  resources: Record<string, number>;
  /** Entries of /proc/self/task. */
  threads: number;
  /** worker_threads.Worker instances started and not yet exited. */
  liveWorkers: number;
  /** Panels created and neither closed by the user nor disposed by the extension. */
  openPanels: number;
  /** Listeners still subscribed to the events of panels already closed (the extension should have removed its own). */
  closedPanelListeners: number;
  /**
   * Panels closed by EARLIER jobs still reachable after the GC (held weakly by the bench: what holds them is the
   * extension). The panel this job closed is checked from the next sample on.
   */
  closedPanelsReachable: number;
}

export interface SoakRunOutput {
  samples: SoakSample[];
  /** The most of each kind of active resource seen at any moment of the jobs (read every 10 ms while they run). */
  peakResources: Record<string, number>;
  workersStarted: number;
  /** The engine's own log lines about its worker (started, stopped idle), counted. */
  workerLog: { started: number; stoppedIdle: number; other: string[] };
  panelsCreated: number;
  /** The extension's messages other than information (a failed job would say so). */
  problems: string[];
}

const gc = (): void => {
  const collect = (global as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
};

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** Counts every Worker the bundle starts, and those that exited. The bundle reads `.Worker` when it starts one. */
function countWorkers(): { live(): number; started(): number } {
  let started = 0;
  let exited = 0;
  // The module object itself (an `import * as` namespace is read-only), as the bundle's require() returns it.
  const module = require('node:worker_threads') as { Worker: typeof import('node:worker_threads').Worker };
  const Original = module.Worker;
  module.Worker = class CountedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      started++;
      this.once('exit', () => exited++);
    }
  };
  return { live: () => started - exited, started: () => started };
}

const cpuTotalMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const [extensionRoot, workspace, image, baseUrl, generations, modelEvery, idleWaitMs] = process.argv.slice(2);
  const workers = countWorkers();
  const host = installFakeVscode({
    extensionPath: extensionRoot,
    workspacePath: workspace,
    secrets: { 'multiview.apiKey': 'bench-key-0123456789' },
    autoAccept: true,
    settings: { apiBaseUrl: baseUrl, uploadBaseUrl: baseUrl, 'defaults.prompt': 'a red shoe' },
  });
  const extension = require(path.join(extensionRoot, 'dist', 'extension.js')) as { activate(context: unknown): unknown };
  await extension.activate(host.context);
  const generate = host.commands.get('multiview.generateFromExplorer');
  if (!generate) throw new Error("activate() did not register 'multiview.generateFromExplorer'");
  await fs.stat(image); // the libuv thread pool is started before the first sample, as it stays

  const open = new Set<FakePanel>();
  // Held weakly: a closed panel the extension let go of is collected (its record would otherwise keep its HTML alive
  // and be the bench's own growth); one still reachable after a GC is one the extension (or VS Code's stub) holds.
  const closed: WeakRef<FakePanel>[] = [];
  let panelsCreated = 0;
  const workerLog = { started: 0, stoppedIdle: 0, other: [] as string[] };
  const problems: string[] = [];
  /** Reads and empties the stub's records: new panels, the worker's log lines, messages. */
  const collectRecords = (): FakePanel[] => {
    const created = host.panels.splice(0);
    panelsCreated += created.length;
    created.forEach((panel) => open.add(panel));
    for (const { line } of host.log.splice(0)) {
      if (/^worker \d+ started/.test(line)) workerLog.started++;
      else if (/^worker \d+ stopped \(idle\)/.test(line)) workerLog.stoppedIdle++;
      else if (/^worker \d+ /.test(line) && workerLog.other.length < 20) workerLog.other.push(line);
    }
    for (const message of host.messages.splice(0)) {
      if (message.severity !== 'information' && problems.length < 20) problems.push(`${message.severity}: ${message.text}`);
    }
    return created;
  };
  const samples: SoakSample[] = [];
  const sample = (kind: SoakSample['kind'], index: number, ms: number, cpuMs = 0): void => {
    gc();
    const justClosed = [...open].filter((panel) => panel.disposed);
    justClosed.forEach((panel) => open.delete(panel));
    // Panels closed by earlier jobs: their WeakRefs were made in an earlier turn, so the GC above could collect them.
    const closedAlive = closed.map((ref) => ref.deref()).filter((panel) => panel !== undefined);
    const memory = process.memoryUsage();
    samples.push({
      kind,
      index,
      ms,
      cpuMs,
      heapUsed: memory.heapUsed,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      rss: memory.rss,
      resources: countResources(),
      threads: nodeFs.readdirSync('/proc/self/task').length,
      liveWorkers: workers.live(),
      openPanels: open.size,
      closedPanelListeners: [...justClosed, ...closedAlive].reduce((sum, panel) => sum + panel.listenerCount(), 0),
      closedPanelsReachable: closedAlive.length,
    });
    justClosed.forEach((panel) => closed.push(new WeakRef(panel)));
  };
  /** The user closes the job's one new panel; its HTML records are dropped (the bench's, not the extension's). */
  const closeNewPanel = (what: string): string => {
    const created = collectRecords();
    if (created.length !== 1) throw new Error(`${what}: expected one new result panel, got ${created.length}`);
    const [panel] = created;
    const html = panel.htmlSets[0]?.html ?? '';
    panel.htmlSets.length = 0;
    panel.close();
    return html;
  };

  sample('start', 0, 0);
  // While the jobs run: what they hold at their busiest, so that "back to the start" is seen to follow a real use.
  const peakResources: Record<string, number> = {};
  const watch = setInterval(() => {
    for (const [name, count] of Object.entries(countResources())) peakResources[name] = Math.max(peakResources[name] ?? 0, count);
  }, 10);
  const generationCount = Number(generations);
  const every = Number(modelEvery);
  // For finding what grows: SOAK_HEAP_SNAPSHOTS=20,200 writes a heap snapshot after those generations (after the GC).
  const snapshotAt = new Set((process.env.SOAK_HEAP_SNAPSHOTS ?? '').split(',').filter(Boolean).map(Number));
  let models = 0;
  for (let index = 1; index <= generationCount; index++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await generate(host.Uri.file(image));
    const ms = performance.now() - started;
    const cpuMs = cpuTotalMs(process.cpuUsage(cpu));
    const html = closeNewPanel(`generation ${index}`);
    if (problems.length > 0) throw new Error(`generation ${index} said: ${problems.join(' | ')}`);
    sample('generation', index, ms, cpuMs);
    if (snapshotAt.has(index)) process.stderr.write(`heap snapshot after generation ${index}: ${v8.writeHeapSnapshot(path.join(workspace, `soak-${index}.heapsnapshot`))}\n`);
    if (every > 0 && index % every === 0) {
      const sidecarPath = /data-sidecar-path="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
      if (!sidecarPath) throw new Error(`generation ${index}: its panel names no sidecar`);
      const makeModel = host.commands.get('multiview.makeModel');
      if (!makeModel) throw new Error("'multiview.makeModel' is not registered");
      const modelStarted = performance.now();
      const modelCpu = process.cpuUsage();
      await makeModel(host.Uri.file(sidecarPath));
      const modelMs = performance.now() - modelStarted;
      const modelCpuMs = cpuTotalMs(process.cpuUsage(modelCpu));
      const sidecar = JSON.parse(await fs.readFile(sidecarPath, 'utf8')) as { models?: { file: string }[] };
      if (sidecar.models?.length !== 1) throw new Error(`model ${models + 1}: the sidecar lists ${sidecar.models?.length ?? 0} models (${problems.join(' | ')})`);
      closeNewPanel(`model ${models + 1}`);
      if (problems.length > 0) throw new Error(`model ${models + 1} said: ${problems.join(' | ')}`);
      sample('model', ++models, modelMs, modelCpuMs);
    }
  }
  clearInterval(watch);
  await sleep(Number(idleWaitMs));
  collectRecords();
  sample('idle', 0, 0);
  await sleep(10);
  sample('idle', 1, 0); // the last job's panel too, its WeakRef from an earlier turn
  const output: SoakRunOutput = { samples, peakResources, workersStarted: workers.started(), workerLog, panelsCreated, problems };
  process.stdout.write(JSON.stringify(output) + '\n');
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
