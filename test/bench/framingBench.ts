/**
 * Framing a cut-out for the upload (frameSubject 0.85), beside sharp doing the same work, each figure in a fresh
 * child process (so peak memory is that job's alone): the 12 MP 8-bit cut-out with a small off-centre subject
 * (budget 2x sharp) and the 48 MP 16-bit studio cut-out (budget 3x sharp and 400 MB extra memory), plus how exactly
 * the subject lands (its longer side against 85% of the square, its centre against the square's).
 *
 * sharp is handed the subject's box the engine found (sharp's trim() goes by colour, not alpha), then extract,
 * resize, extend on the grey, flatten, JPEG q90: its time does not include finding the box, ours does.
 *
 * `framingBench()` for a report; alone: `node out/test/bench/framingBench.js`.
 */
import { execFile } from 'node:child_process';
import { ImageEngine } from '../../src/image/engine';
import type { UploadStep } from '../../src/image/ops/prepareUpload';
import { corpusFile, type CorpusName } from '../support/imageCorpus';
import { testEngineOptions } from '../support/imageEngine';
import { maxRssMB, rssMB, withStallMonitor, type ImageBenchRow } from './imageBench';

type SharpFactory = (input?: unknown, options?: unknown) => import('sharp').Sharp;
const sharp = (): SharpFactory => require('sharp') as SharpFactory;

const SHARE = 0.85;
const SIDE = 1024;
const GREY = { r: 127, g: 127, b: 127 };
const RUNS = 3;
const MEMORY_BUDGET_MB = 400;
const INPUTS: ReadonlyArray<{ name: CorpusName; timeBudget: number; memoryBudgeted: boolean }> = [
  { name: 'cutout12mp', timeBudget: 2, memoryBudgeted: false },
  { name: 'cutout48mp16', timeBudget: 3, memoryBudgeted: true },
];

type Box = Extract<UploadStep, { step: 'framed' }>['box'];

interface FramingFigures {
  ms: number;
  extraMB: number;
  bytes: number;
  box?: Box;
  /** The subject's visible longer side in the upload, and its centre's distance from the square's (px). */
  longSide: number;
  centreOffset: number;
}

/** The box of the pixels clearly unlike the grey, measured on the upload decoded by sharp. */
async function landing(jpeg: Buffer): Promise<{ longSide: number; centreOffset: number }> {
  const { data, info } = await sharp()(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const k = (y * info.width + x) * 3;
      if (Math.max(Math.abs(data[k] - 127), Math.abs(data[k + 1] - 127), Math.abs(data[k + 2] - 127)) > 30) {
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
      }
    }
  }
  const centreOffset = Math.hypot((x0 + x1) / 2 - info.width / 2, (y0 + y1) / 2 - info.height / 2);
  return { longSide: Math.max(x1 - x0, y1 - y0), centreOffset };
}

/** How long the worker may warm up before the upload (as imageBench's 'engine-warm'): the product starts it at file choice. */
const WARM_UP_GRACE_MS = 400;

async function childEngine(name: CorpusName, warm: boolean): Promise<FramingFigures> {
  const { file } = await corpusFile(name);
  const engine = new ImageEngine(testEngineOptions());
  try {
    if (warm) {
      engine.warmUp();
      await new Promise((resolve) => setTimeout(resolve, WARM_UP_GRACE_MS));
    }
    const before = rssMB();
    const { result, ms } = await withStallMonitor(() => engine.prepareUpload({ path: file }, { padToSquare: true, frameSubject: SHARE }));
    const extraMB = maxRssMB() - before;
    const framed = result.record.steps.find((step) => step.step === 'framed');
    const bytes = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
    return { ms, extraMB, bytes: bytes.length, ...(framed?.step === 'framed' ? { box: framed.box } : {}), ...(await landing(bytes)) };
  } finally {
    engine.dispose();
  }
}

/** sharp given the box: extract, resize the longer side to SHARE x SIDE, extend to the square on the grey, flatten, JPEG. */
async function childSharp(name: CorpusName, box: Box): Promise<FramingFigures> {
  const { file } = await corpusFile(name);
  const factory = sharp();
  const before = rssMB();
  const scale = Math.round(SHARE * SIDE) / Math.max(box.width, box.height);
  const width = Math.round(box.width * scale);
  const height = Math.round(box.height * scale);
  const left = Math.floor((SIDE - width) / 2);
  const top = Math.floor((SIDE - height) / 2);
  const { result, ms } = await withStallMonitor(() =>
    factory(file, { limitInputPixels: false })
      .extract({ left: box.x, top: box.y, width: box.width, height: box.height })
      .resize(width, height, { fit: 'fill' })
      .extend({ left, top, right: SIDE - width - left, bottom: SIDE - height - top, background: { ...GREY, alpha: 1 } })
      .flatten({ background: GREY })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  const extraMB = maxRssMB() - before;
  return { ms, extraMB, bytes: result.length, ...(await landing(result)) };
}

function runChild(args: string[]): Promise<FramingFigures> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [__filename, '--child', ...args], { maxBuffer: 1 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as FramingFigures);
      } catch {
        reject(new Error(`child ${args.join(' ')} failed: ${error?.message ?? ''} ${stderr.slice(0, 300)}`));
      }
    });
  });
}

async function median(args: string[]): Promise<FramingFigures> {
  const runs: FramingFigures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runChild(args));
  return runs.sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;

export async function framingBench(): Promise<{ rows: ImageBenchRow[]; details: string[] }> {
  const rows: ImageBenchRow[] = [];
  const details: string[] = [
    `Framing (frameSubject ${SHARE}, long side ${SIDE}): medians of ${RUNS} fresh processes each; engine = prepareUpload on a worker started at file choice (cold: started by the upload) (bounds found, cropped, scaled, centred on grey, JPEG); ` +
      'sharp = extract the box the engine found, resize, extend on #7f7f7f, flatten, JPEG q90. Memory: peak RSS of the process minus RSS before the work.',
  ];
  for (const { name, timeBudget, memoryBudgeted } of INPUTS) {
    const entry = await corpusFile(name);
    const engine = await median(['engine-warm', name]);
    const cold = await median(['engine', name]);
    if (!engine.box) {
      throw new Error(`${name} was not framed`);
    }
    const reference = await median(['sharp', name, JSON.stringify(engine.box)]);
    const ratio = engine.ms / reference.ms;
    const target = SHARE * SIDE;
    details.push(`  ${name}: ${entry.description}; box ${JSON.stringify(engine.box)}; uploads ${(engine.bytes / 1000).toFixed(0)} kB (sharp ${(reference.bytes / 1000).toFixed(0)} kB)`);
    rows.push({ figure: `Framed upload-ready, ${name}, worker started at file choice: ${ms(engine.ms)} (cold: ${ms(cold.ms)})`, value: `${ratio.toFixed(2)}x sharp`, reference: `sharp ${ms(reference.ms)}`, budget: `${timeBudget}x sharp`, pass: ratio <= timeBudget });
    rows.push({
      figure: '  peak extra memory',
      value: `${engine.extraMB.toFixed(0)} MB`,
      reference: `sharp ${reference.extraMB.toFixed(0)} MB`,
      budget: memoryBudgeted ? `${MEMORY_BUDGET_MB} MB` : '-',
      ...(memoryBudgeted ? { pass: engine.extraMB <= MEMORY_BUDGET_MB } : {}),
    });
    const sideError = Math.abs(engine.longSide - target) / target;
    rows.push({
      figure: `  subject's longer side (target ${target.toFixed(0)} px) / centre offset`,
      value: `${engine.longSide} px (${(sideError * 100).toFixed(2)}%) / ${engine.centreOffset.toFixed(1)} px`,
      reference: `sharp ${reference.longSide} px / ${reference.centreOffset.toFixed(1)} px`,
      budget: '1% / 1% of the side',
      pass: sideError <= 0.01 && engine.centreOffset <= 0.01 * SIDE,
    });
  }
  return { rows, details };
}

if (require.main === module) {
  const [flag, tool, name, box] = process.argv.slice(2);
  if (flag === '--child') {
    const run = tool.startsWith('engine') ? childEngine(name as CorpusName, tool === 'engine-warm') : childSharp(name as CorpusName, JSON.parse(box) as Box);
    run.then(
      (figures) => {
        console.log(JSON.stringify(figures));
        process.exit(0);
      },
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else {
    framingBench().then(({ rows, details }) => {
      for (const row of rows) {
        console.log([row.figure, row.value, row.reference ?? '-', row.budget, row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'MISS'].join(' | '));
      }
      console.log('');
      details.forEach((line) => console.log(line));
    });
  }
}
