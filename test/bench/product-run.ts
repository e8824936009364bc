/**
 * "Final answer -> grid shown -> views saved" through the product as it ships, in a fresh Node process (run by
 * bench.ts):
 *   node product-run.js EXTENSION_ROOT WORKSPACE IMAGE BASE_URL WIDTH HEIGHT RUNS WARMUPS
 * Loads dist/extension.js under the stub host (fake-vscode.ts, answering every question with Enter), so the shim
 * loads dist/main.js, whose engine runs dist/imageWorker.js with dist/wasm/, exactly as in VS Code. Each run is the
 * Explorer's "Generate Multiview..." on IMAGE against the contract server at BASE_URL (which decides whether the
 * answer comes at once or after the job was queued), then the user closes the panel. Timed from the stub's records:
 *   - the final answer: the client's log line of the last API response before the grid download;
 *   - grid shown: the result panel's first HTML (set by onGridSaved -> showSaved, right after the grid is written);
 *   - views saved: the log line "Saved ..., 6 views and ..." (written after the six views and the sidecar);
 *   - views shown: the panel's second HTML.
 * After each run, the references in the same process: a bare http.get + fs.writeFile of the same grid URL, and
 * sharp cutting the six views out of the saved grid into six PNG files.
 * Prints one JSON line: { runs: RunFigures[] }.
 */
import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { installFakeVscode, type LogLine } from './fake-vscode';

export interface RunFigures {
  answerToGridShownMs: number;
  /** Of which: until the client logged the grid's download as complete (checked as it arrived). */
  answerToDownloadedMs: number;
  /** Of which: until the grid's bytes started to be written (the download's check has its verdict, the names are free). */
  answerToGridWriteMs: number;
  /** Of which: until the grid file was in place (the hard link from its temporary name returned). */
  answerToGridSavedMs: number;
  gridShownToViewsSavedMs: number;
  viewsSavedToShownMs: number;
  /** The worker had stopped (idle) between the upload and the final answer, and was started again for the views. */
  workerColdAtAnswer: boolean;
  gridBytes: number;
  bareDownloadMs: number;
  sharpViewsMs: number;
}

type SharpFactory = (input?: unknown) => import('sharp').Sharp;

/** http.get the URL, then fs.writeFile it: what a bare client does with the grid. Milliseconds. */
export function bareDownload(url: string, target: string): Promise<number> {
  const started = performance.now();
  return new Promise<Buffer>((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      })
      .on('error', reject);
  }).then(async (bytes) => {
    await fs.writeFile(target, bytes);
    return performance.now() - started;
  });
}

/** sharp: the grid file -> six PNG files, 3 rows x 2 columns (the same rectangles as the product). Milliseconds. */
async function sharpViews(sharp: SharpFactory, grid: string, width: number, height: number, folder: string): Promise<number> {
  const started = performance.now();
  const cut = (size: number, parts: number) => Array.from({ length: parts + 1 }, (_, index) => Math.round((size * index) / parts));
  const xs = cut(width, 2);
  const ys = cut(height, 3);
  const source = await fs.readFile(grid);
  await Promise.all(
    Array.from({ length: 6 }, (_, index) => {
      const [row, column] = [Math.floor(index / 2), index % 2];
      const rect = { left: xs[column], top: ys[row], width: xs[column + 1] - xs[column], height: ys[row + 1] - ys[row] };
      return sharp(source).extract(rect).png().toFile(path.join(folder, `sharp-view-${index}.png`));
    }),
  );
  return performance.now() - started;
}

const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

/**
 * When each file reached its final name: the product writes every result file to a temporary name and hard-links it
 * into place (core/outputFiles.ts), through `fs.promises`, which the bundle shares with this process. Observing only.
 */
function recordFiles(): { inPlace: Map<string, bigint>; writeStarted: Map<string, bigint> } {
  const inPlace = new Map<string, bigint>();
  const writeStarted = new Map<string, bigint>();
  const promises = nodeFs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const writeFile = promises.writeFile;
  promises.writeFile = (...args: unknown[]) => {
    writeStarted.set(String(args[0]), process.hrtime.bigint());
    return writeFile(...args);
  };
  for (const name of ['link', 'rename']) {
    const original = promises[name];
    promises[name] = async (...args: unknown[]) => {
      const result = await original(...args);
      inPlace.set(String(args[1]), process.hrtime.bigint());
      return result;
    };
  }
  return { inPlace, writeStarted };
}

async function main(): Promise<void> {
  const [extensionRoot, workspace, image, baseUrl, width, height, runs, warmups] = process.argv.slice(2);
  const host = installFakeVscode({
    extensionPath: extensionRoot,
    workspacePath: workspace,
    secrets: { 'multiview.apiKey': 'bench-key-0123456789' },
    autoAccept: true,
    settings: { apiBaseUrl: baseUrl, uploadBaseUrl: baseUrl, 'defaults.width': Number(width), 'defaults.height': Number(height), 'defaults.prompt': 'a red shoe' },
  });
  const sharp = require('sharp') as SharpFactory;
  const files = recordFiles();
  const extension = require(path.join(extensionRoot, 'dist', 'extension.js')) as { activate(context: unknown): unknown };
  await extension.activate(host.context);
  const generate = host.commands.get('multiview.generateFromExplorer');
  if (!generate) throw new Error("activate() did not register 'multiview.generateFromExplorer'");
  const referenceFolder = await fs.mkdtemp(path.join(workspace, 'reference-'));

  const one = async (): Promise<RunFigures> => {
    const fromLog = host.log.length;
    const fromPanel = host.panels.length;
    const fromMessage = host.messages.length;
    await generate(host.Uri.file(image));
    const said = host.messages.slice(fromMessage).filter((message) => message.severity !== 'information');
    if (said.length > 0) throw new Error(`the generation said: ${said.map((message) => message.text).join(' | ')}`);
    const lines = host.log.slice(fromLog);
    const panel = host.panels[fromPanel];
    if (!panel || host.panels.length !== fromPanel + 1) throw new Error(`expected one new result panel, got ${host.panels.length - fromPanel}`);
    const [gridShown, viewsShown] = panel.htmlSets;
    if (!gridShown || !viewsShown || panel.htmlSets.length !== 2) throw new Error(`expected the panel's HTML twice (grid, then views), got ${panel.htmlSets.length}`);
    const download = lines.findIndex((entry) => /^GET \S+ -> 200/.test(entry.line) && !/\/api\//.test(entry.line));
    const answer = lines.slice(0, download).filter((entry) => /^(POST|GET) \S+\/api\/\S+ -> 200/.test(entry.line)).pop();
    const saved = lines.find((entry) => /^Saved .*, 6 views and /.test(entry.line));
    if (download < 0 || !answer || !saved) throw new Error(`the log does not show the answer, the download and the views saved:\n${lines.map((entry) => entry.line).join('\n')}`);
    const submit = lines.findIndex((entry) => /^POST \S+\/api\/v5\/multiview -> 200/.test(entry.line));
    const between = (from: number, to: bigint, pattern: RegExp) => lines.slice(from).some((entry: LogLine) => entry.at <= to && pattern.test(entry.line));
    const stoppedBeforeAnswer = between(submit, answer.at, /^worker \d+ stopped \(idle\)/);
    const startedAfterAnswer = lines.some((entry) => entry.at > answer.at && /^worker \d+ started/.test(entry.line));
    const gridFile = /src="([^"]*-multiview-[^"]*\.png)"/.exec(gridShown.html)?.[1];
    if (!gridFile) throw new Error('the first HTML of the panel shows no grid');
    const sidecarPath = /data-sidecar-path="([^"]+)"/.exec(gridShown.html)?.[1];
    const sidecar = JSON.parse(await fs.readFile(sidecarPath!.replace(/&amp;/g, '&'), 'utf8')) as { grid: string; output: { downloadedFrom: string }; views: unknown[] };
    if (sidecar.views.length !== 6) throw new Error(`the sidecar names ${sidecar.views.length} views`);
    const gridPath = path.join(path.dirname(sidecarPath!), sidecar.grid);
    const gridSavedAt = files.inPlace.get(gridPath);
    const temporaryPrefix = path.join(path.dirname(gridPath), `.${path.basename(gridPath)}.`);
    const gridWriteAt = [...files.writeStarted].find(([file]) => file.startsWith(temporaryPrefix))?.[1];
    if (gridSavedAt === undefined || gridWriteAt === undefined) throw new Error(`did not see ${gridPath} written and put in place`);
    panel.close(); // as a person closes the panel before the next run: each run opens a new one
    const bareDownloadMs = await bareDownload(sidecar.output.downloadedFrom, path.join(referenceFolder, 'bare-grid.png'));
    const sharpViewsMs = await sharpViews(sharp, gridPath, Number(width), Number(height), referenceFolder);
    return {
      answerToGridShownMs: ms(answer.at, gridShown.at),
      answerToDownloadedMs: ms(answer.at, lines[download].at),
      answerToGridWriteMs: ms(answer.at, gridWriteAt),
      answerToGridSavedMs: ms(answer.at, gridSavedAt),
      gridShownToViewsSavedMs: ms(gridShown.at, saved.at),
      viewsSavedToShownMs: ms(saved.at, viewsShown.at),
      workerColdAtAnswer: stoppedBeforeAnswer && startedAfterAnswer,
      gridBytes: (await fs.stat(gridPath)).size,
      bareDownloadMs,
      sharpViewsMs,
    };
  };

  for (let run = 0; run < Number(warmups); run++) await one(); // the server renders this size once; connections open
  const figures: RunFigures[] = [];
  for (let run = 0; run < Number(runs); run++) figures.push(await one());
  process.stdout.write(JSON.stringify({ runs: figures }) + '\n');
  process.exit(0); // the engine's idle timer and the stub's listeners would keep the process a while
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
