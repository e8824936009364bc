/**
 * The view cut-out's figures beside their budgets (a report, never a test), on the generated corpus of views with
 * known alpha (test/support/viewCutoutCorpus.ts): mask IoU, edge alpha error, and the time to cut a grid's six views,
 * on this thread, without the PNG decode and encode.
 *
 * `cutoutBench()` is for bench.ts; alone: `node out/test/bench/cutoutBench.js`.
 */
import { execFile } from 'node:child_process';
import { cutOutView } from '../../src/image/ops/viewCutout';
import { viewCutoutCorpus, type CutoutCase } from '../support/viewCutoutCorpus';
import type { ImageBenchRow } from './imageBench';

const MEAN_IOU_BUDGET = 0.97;
const WORST_IOU_BUDGET = 0.93;
const SIX_VIEWS_BUDGET_MS = 100;
const TIMED_RUNS = 9;

interface CaseFigures {
  iou: number;
  /** Mean |alpha - truth| over the pixels whose truth alpha is strictly between 0 and 1. */
  edgeErrorSum: number;
  edgePixels: number;
  ms: number;
}

function measureCase(c: CutoutCase): CaseFigures & { summary: string } {
  const started = performance.now();
  const { image, stats } = cutOutView(c.view);
  const ms = performance.now() - started;
  let both = 0;
  let either = 0;
  let edgeErrorSum = 0;
  let edgePixels = 0;
  for (let i = 0; i < c.truthAlpha.length; i++) {
    const truth = c.truthAlpha[i];
    const alpha = image.data[i * 4 + 3] / 255;
    if (alpha >= 0.5 && truth >= 0.5) both++;
    if (alpha >= 0.5 || truth >= 0.5) either++;
    if (truth > 0 && truth < 1) {
      edgeErrorSum += Math.abs(alpha - truth);
      edgePixels++;
    }
  }
  const summary =
    `backdrop ${stats.backdrop?.r},${stats.backdrop?.g},${stats.backdrop?.b} sigma ${stats.noiseSigma}, ` +
    `holes ${stats.holes}, shadow ${(stats.shadowFraction * 100).toFixed(1)}%, specks ${stats.specksRemoved}`;
  return { iou: either ? both / either : 1, edgeErrorSum, edgePixels, ms, summary };
}

/** Median time (ms) to cut `views` one after the other, after one warm-up pass. */
function timeViews(views: CutoutCase[]): number {
  for (const c of views) cutOutView(c.view);
  const runs: number[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) {
    const started = performance.now();
    for (const c of views) cutOutView(c.view);
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

/**
 * The first six 320 px views a fresh process cuts (a worker started for one grid): the JIT has not compiled the loops
 * yet. Measured in a child, after its corpus is rendered and its garbage collected.
 */
function coldSixViews(): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', __filename, '--cold'], (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout.trim()));
    });
  });
}

function childColdSixViews(): number {
  const views = sixOf(viewCutoutCorpus().filter((c) => c.view.width === 320));
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  for (const c of views) cutOutView(c.view);
  return performance.now() - started;
}

function sixOf(cases: CutoutCase[]): CutoutCase[] {
  return Array.from({ length: 6 }, (_, i) => cases[i % cases.length]);
}

export async function cutoutBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const corpus = viewCutoutCorpus();
  const details: string[] = [];
  const scored: Array<CaseFigures & { name: string; nearGrey: boolean }> = [];
  for (const c of corpus) {
    const figures = measureCase(c);
    scored.push({ ...figures, name: c.name, nearGrey: c.nearGrey === true });
    const edge = figures.edgePixels ? (figures.edgeErrorSum / figures.edgePixels).toFixed(3) : 'n/a (pixel-aligned)';
    details.push(`Cut-out ${c.name}: IoU ${figures.iou.toFixed(4)}, edge error ${edge}, first cut ${figures.ms.toFixed(1)} ms (${figures.summary})`);
  }
  const judged = scored.filter((s) => !s.nearGrey);
  const meanIou = judged.reduce((sum, s) => sum + s.iou, 0) / judged.length;
  const worst = judged.reduce((low, s) => (s.iou < low.iou ? s : low));
  const edgeError = judged.reduce((sum, s) => sum + s.edgeErrorSum, 0) / judged.reduce((sum, s) => sum + s.edgePixels, 0);
  const nearGrey = scored.find((s) => s.nearGrey);

  const small = timeViews(sixOf(corpus.filter((c) => c.view.width === 320)));
  const large = timeViews(sixOf(corpus.filter((c) => c.view.width === 512)));
  const cold = await coldSixViews();
  const largeBudget = SIX_VIEWS_BUDGET_MS * (512 * 512) / (320 * 320);
  const rows: ImageBenchRow[] = [
    { figure: `Cut-out: mean mask IoU (${judged.length} views)`, value: meanIou.toFixed(4), budget: `>= ${MEAN_IOU_BUDGET}`, pass: meanIou >= MEAN_IOU_BUDGET },
    { figure: 'Cut-out: worst view IoU', value: `${worst.iou.toFixed(4)} (${worst.name})`, budget: `>= ${WORST_IOU_BUDGET}`, pass: worst.iou >= WORST_IOU_BUDGET },
    { figure: 'Cut-out: mean alpha error on anti-aliased edge pixels (truth strictly between 0 and 1)', value: edgeError.toFixed(3), budget: 'information' },
    ...(nearGrey ? [{ figure: `Cut-out: IoU of the near-grey subject (${nearGrey.name}), not judged`, value: nearGrey.iou.toFixed(4), budget: 'information' }] : []),
    { figure: 'Cut-out: six 320 px views (median)', value: `${small.toFixed(1)} ms`, budget: `<= ${SIX_VIEWS_BUDGET_MS} ms`, pass: small <= SIX_VIEWS_BUDGET_MS },
    { figure: 'Cut-out: the first six 320 px views of a fresh process (JIT warm-up)', value: `${cold.toFixed(1)} ms`, budget: 'information' },
    { figure: 'Cut-out: six 512 px views (median)', value: `${large.toFixed(1)} ms`, budget: `<= ${largeBudget.toFixed(0)} ms (by area)`, pass: large <= largeBudget },
  ];
  return { rows, details };
}

if (require.main === module && process.argv[2] === '--cold') {
  console.log(childColdSixViews());
} else if (require.main === module) {
  cutoutBench().then(
    ({ rows, details }) => {
      for (const row of rows) {
        const verdict = row.pass === undefined ? '' : row.pass ? '  ok' : '  OVER BUDGET';
        console.log(`${row.figure}: ${row.value} (budget ${row.budget})${verdict}`);
      }
      for (const line of details) console.log(line);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
