/**
 * A paid result is never lost, and never paid twice: once the service says a job succeeded its links are handed
 * over (onPaid) before anything is downloaded; a save that fails on a full disk or a read-only folder throws
 * UnsavedResultError naming the cause, leaves no file and no temporary file, and saves later from those links
 * without a second submission. The faults are real: a 16 KB tmpfs and a read-only bind mount (Linux, as root, as CI
 * runs; skipped with the reason elsewhere).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { type GenerationJobInput, type PaidJob, resumeGenerationJob, runGenerationJob, UnsavedResultError } from '../../src/core/generationJob';
import { describeSaveFailure, outputStem, removeLeftoverTemporaryFiles, writeFileExclusive } from '../../src/core/outputFiles';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { ImageEngine } from '../../src/image/engine';
import { startContractServer, type ContractServer } from '../contract-server/server';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { testEngineOptions } from '../support/imageEngine';

const API_KEY = 'mvk-Paid-Results-7Hk2';
const engine = new ImageEngine(testEngineOptions());
let server: ContractServer;
let workspace: string;
let imagePath: string;

/** Why mounting cannot be tested here, or undefined when it can. */
function mountUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'mounting a tiny file system needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tiny file system needs root (CI runs as root)';
  const probe = path.join(os.tmpdir(), `mv-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', probe]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'this machine does not let the tests mount a file system';
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
}
const skipMounts = mountUnavailable();

const mounted: string[] = [];
function mountTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted.push(dir);
}

before(async () => {
  server = await startContractServer({ etaSeconds: 1 });
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mv-paid-'));
  imagePath = path.join(workspace, 'product.png');
  const png = new PNG({ width: 64, height: 64 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([30, 90, 200, 255], i);
  await fs.writeFile(imagePath, PNG.sync.write(png));
});

after(async () => {
  for (const dir of mounted.reverse()) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  engine.dispose();
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});

function input(folderName: string, paid: PaidJob[]): GenerationJobInput {
  return {
    imagePath,
    workspaceFolder: workspace,
    outputFolder: `\${workspaceFolder}/${folderName}`,
    parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a blue box', seed: 9001 },
    longSide: 1024,
    engine,
    connection: { apiKey: API_KEY, endpoints: endpointsFromBaseUrls(server.baseUrl, server.baseUrl), requestTimeoutMs: 3000, jobTimeoutMs: 10_000, pollIntervalMs: { min: 20, max: 100 } },
    extensionVersion: '0.0.0-test',
    cameraLayout: 'zero123plus-v1.2',
    saveViews: true,
    onPaid: (job) => paid.push(job),
  };
}

const submissions = () => server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/multiview')).length;

describe('a save that fails after the job is paid for', { skip: skipMounts }, () => {
  test('a full disk: the cause named, nothing half-written, then saved from the kept links with no second submission', async () => {
    const folder = path.join(workspace, 'full');
    await fs.mkdir(folder);
    mountTmpfs(folder, '16k');
    const paid: PaidJob[] = [];
    const before = submissions();
    const error = await runGenerationJob(input('full', paid)).then(
      () => assert.fail('a 16 KB disk cannot hold the result'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof UnsavedResultError, String(error));
    assert.match(error.message, /^The result of product\.png is paid for, but it could not be saved in .*full: the disk is full\.$/);
    assert.ok(!error.message.includes(API_KEY));
    assert.equal(paid.length, 1, 'the links were handed over as soon as the job succeeded');
    assert.deepEqual(paid[0].finished.outputUrls, error.job.finished.outputUrls);
    assert.ok(paid[0].finished.outputUrls.length > 0);
    assert.ok(!JSON.stringify(paid[0]).includes(API_KEY), 'what is kept holds no key');
    assert.deepEqual(await fs.readdir(folder), [], 'no file and no temporary file left');
    assert.equal(submissions() - before, 1);

    execFileSync('mount', ['-o', 'remount,size=64m', folder]);
    const saved = await resumeGenerationJob({ ...input('full', []), job: error.job });
    assert.equal(submissions() - before, 1, 'saving again submitted nothing');
    assert.equal(path.dirname(saved.gridPath), folder);
    assert.equal(saved.viewPaths.length, 6);
    for (const file of [saved.gridPath, ...saved.viewPaths, saved.sidecarPath]) await fs.access(file);
    assert.equal(saved.sidecar.jobId, error.job.finished.jobId);
  });

  test('a read-only folder: "permission" or "read-only" named, nothing written', async () => {
    const folder = path.join(workspace, 'readonly');
    await fs.mkdir(folder);
    // A read-only bind mount: as root, chmod would deny nothing.
    execFileSync('mount', ['--bind', folder, folder]);
    mounted.push(folder);
    execFileSync('mount', ['-o', 'remount,bind,ro', folder]);
    const error = await runGenerationJob(input('readonly', [])).then(
      () => assert.fail('a read-only folder cannot hold the result'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof UnsavedResultError, String(error));
    assert.match(error.message, /the folder is on a read-only disk\.$/);
  });
});

describe('temporary files', () => {
  test('a write that fails half way leaves no temporary file', { skip: skipMounts }, async () => {
    const folder = path.join(workspace, 'tiny');
    await fs.mkdir(folder);
    mountTmpfs(folder, '16k');
    await assert.rejects(writeFileExclusive(path.join(folder, 'big.png'), new Uint8Array(64 * 1024)), (error: NodeJS.ErrnoException) => error.code === 'ENOSPC');
    assert.deepEqual(await fs.readdir(folder), []);
  });

  test('the leftovers of a killed window are removed for that job only', async () => {
    const folder = await fs.mkdtemp(path.join(workspace, 'left-'));
    const stem = outputStem('product.png', '9001');
    const ours = [`.${stem}.png.0123456789ab.tmp`, `.${stem}-view-az150-el+20.png.fedcba987654.tmp`, `.${stem}-2.json.00aa11bb22cc.tmp`];
    const others = [`.${outputStem('product.png', '9002')}.png.0123456789ab.tmp`, `${stem}.png`, `.${stem}.png.notours.tmp`, 'notes.txt'];
    for (const name of [...ours, ...others]) await fs.writeFile(path.join(folder, name), 'x');
    assert.equal(await removeLeftoverTemporaryFiles(folder, stem), ours.length);
    assert.deepEqual((await fs.readdir(folder)).sort(), others.sort());
    assert.equal(await removeLeftoverTemporaryFiles(path.join(folder, 'gone'), stem), 0);
  });

  test('each cause a disk gives is named in words a person understands', () => {
    const named = (code: string) => describeSaveFailure(Object.assign(new Error('x'), { code }));
    assert.equal(named('ENOSPC'), 'the disk is full');
    assert.equal(named('EROFS'), 'the folder is on a read-only disk');
    assert.equal(named('EACCES'), 'permission to write there was denied');
    assert.equal(named('ENOENT'), 'the output folder was moved or deleted while saving');
    assert.equal(named('EBUSY'), 'a file there is in use by another program');
    assert.equal(named('ECONNRESET'), undefined);
  });
});

describe('a submission whose answer never came', () => {
  test('is announced before the request leaves (so a closed window can say what may have been charged), then replaced by what the service says', async () => {
    const announced: { awaitingAnswer?: boolean; jobId?: string; submissionsSeen: number }[] = [];
    const paid: PaidJob[] = [];
    const before = submissions();
    await runGenerationJob({
      ...input('announced', paid),
      onSubmitting: (job) => announced.push({ awaitingAnswer: job.awaitingAnswer, jobId: job.queued.jobId, submissionsSeen: submissions() - before }),
    });
    assert.deepEqual(announced, [{ awaitingAnswer: true, jobId: undefined, submissionsSeen: 0 }], 'once, before the service had the request, naming no job');
    assert.equal(paid.length, 1);
    assert.equal(paid[0].awaitingAnswer, undefined, 'the paid job is no longer awaiting an answer');
  });
});
