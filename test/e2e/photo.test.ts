/**
 * A real phone photo in a real VS Code (code-server) against the local contract server, with the test-only Stall
 * Recorder (test/host/stall-recorder) running in the same extension host as Multiview (issue 9):
 *
 * (1) a 12 MP progressive JPEG with EXIF orientation 6, right-clicked in the Explorer → Generate Multiview… → Enter
 *     on every step (padding on, the default): no extension-host stall over MAX_STALL_MS during the whole job; the
 *     image the service receives is upright, square, at most MAX_UPLOAD_SIDE px and MAX_UPLOAD_BYTES; the grid and
 *     its six views are saved.
 * (2) a truncated JPEG: one clear message in the user's words, nothing written, nothing sent to be generated.
 *
 *   npm run package && npx tsc -p . --outDir out && node --test out/test/e2e/photo.test.js
 *
 * Its own contract server and Host, so it runs beside (not inside) the other real-host suites.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import sharp from 'sharp';
import { startContractServer } from '../contract-server/server';
import { Host, listFiles, log, REPO_ROOT, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, checkOutputFiles, GENERATE_MENU_TITLE, newFiles, readResultPanel, VIEW_SUFFIX } from './flows';
import { type ContractServer, OUTPUT_FOLDER_SETTING, outputFolderFor, scenarioRunner, START_TIMEOUT, STOP_TIMEOUT, stopHostSuite } from './suite';

/** The longest the extension host may be held at once during a whole job (the bench holds the tight 50 ms figure). */
const MAX_STALL_MS = 250;
/** What the model needs, with margin: the long side fitted to 1024 (the default), and a small upload. */
const MAX_UPLOAD_SIDE = 1024;
const MAX_UPLOAD_BYTES = 400 * 1024;
/**
 * What a user must read about a truncated photo. Coordinate with the image engine's wording: the message says the
 * file is damaged (or truncated / incomplete) ...
 */
const DAMAGED_FILE_MESSAGE = /\b(damaged|truncated|incomplete|cut off|corrupt(ed)?)\b/i;
/** ... and none of the decoder's own words (today: "marker was not found"). */
const DECODER_JARGON = /marker|huffman|premature end|\b(SOI|EOI|SOF|DHT|SOS)\b|out of bounds|offset/i;

const STALL_RECORDER_DIR = path.join(REPO_ROOT, 'test', 'host', 'stall-recorder');
const DEFAULT_PROMPT = 'make multiple images';
const PHOTO = 'IMG_4032.jpg';
const DAMAGED = 'IMG_4033.jpg';
const NEUTRAL_GREY = 127;

const KEY = `mvPhoto-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;
let keyAsked = false;
let stallDir: string;
let stallFile: string;

const scenario = scenarioRunner(() => host, { timeoutMs: 240_000 });

// ------------------------------------------------------------------------------------------------ inputs

const PHOTO_SIZE = { width: 4000, height: 3000 };
/** Where the red patch sits in the stored (sideways) pixels: the top-left 15 %; upright, it is the top-right. */
const MARKER_FRACTION = 0.15;

/**
 * A 12 MP phone photo as phones write it: 4000x3000 stored sideways with EXIF orientation 6 (shown as 3000x4000),
 * progressive, ~0.8 MB. Content: a gradient "room", an object, sensor noise, and a red patch that tells which way
 * is up.
 */
async function makePhonePhoto(): Promise<Buffer> {
  const { width, height } = PHOTO_SIZE;
  const rgb = Buffer.alloc(width * height * 3);
  let seed = 4032;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 90 + Math.floor((120 * y) / height);
      let g = 140 + Math.floor((60 * x) / width);
      let b = 200 - Math.floor((100 * y) / height);
      const dx = x - width * 0.55;
      const dy = y - height * 0.55;
      if (dx * dx + dy * dy < (height * 0.3) ** 2) [r, g, b] = [200, 170, 120];
      if (x < width * MARKER_FRACTION && y < height * MARKER_FRACTION) [r, g, b] = [220, 30, 30];
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const noise = (((seed >>> 24) - 128) * 6) / 128;
      const i = (y * width + x) * 3;
      rgb[i] = clampByte(r + noise);
      rgb[i + 1] = clampByte(g + noise);
      rgb[i + 2] = clampByte(b + noise);
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80, progressive: true }).withMetadata({ orientation: 6 }).toBuffer();
}

/** The first half of a 1600x1200 camera JPEG: its header is fine, its picture data stops in the middle. */
async function makeTruncatedJpeg(): Promise<Buffer> {
  const { data, info } = await sharp(await makePhonePhoto()).resize(1600, 1200).raw().toBuffer({ resolveWithObject: true });
  const whole = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 85 }).toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}

// ------------------------------------------------------------------------------------------ the recorder

interface StallReport {
  state: 'recording' | 'stopped';
  pid: number;
  durationMs?: number;
  maxStallMs?: number;
  /** The longest stall counting only the time the event loop ran code (not the machine failing to schedule it). */
  maxBusyStallMs?: number;
  over?: Record<string, number>;
  longest?: { ms: number; busyMs: number; fromMs: number; at: string }[];
  histogram?: { maxLateMs: number; meanLateMs: number; p99LateMs: number };
  error?: string;
}

async function recorderCommand(command: 'Start' | 'Stop', state: StallReport['state']): Promise<StallReport> {
  fs.rmSync(stallFile, { force: true });
  await host.runPaletteCommand(`Stall Recorder: ${command}`);
  return waitFor(`the stall recorder's "${state}" file`, () => {
    const report = fs.existsSync(stallFile) ? (JSON.parse(fs.readFileSync(stallFile, 'utf8')) as StallReport) : undefined;
    return report?.state === state ? report : undefined;
  }, 30_000);
}

// ------------------------------------------------------------------------------------------ the upload

interface UploadFigures {
  mime: string;
  bytes: number;
  width: number;
  height: number;
  orientationTag: number | undefined;
  /** Grey bars left and right (a portrait picture padded to a square), picture at the top and bottom. */
  portraitPadded: boolean;
  /** The red patch is at the picture's top right, where orientation 6 puts it. */
  markerTopRight: boolean;
}

/** The image the contract server received in this job's base64_to_url upload. */
function uploadedImage(requestsBefore: number): { mime: string; bytes: Buffer } {
  const uploads = contract.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/api/v6/base64_to_url'));
  assert.equal(uploads.length, 1, 'one upload');
  const dataUri = String((uploads[0].body as Record<string, unknown>).base64_string);
  const comma = dataUri.indexOf(',');
  return { mime: dataUri.slice(5, dataUri.indexOf(';')), bytes: Buffer.from(dataUri.slice(comma + 1), 'base64') };
}

async function measureUpload(mime: string, bytes: Buffer): Promise<UploadFigures> {
  const metadata = await sharp(bytes).metadata();
  // Decoded as stored (sharp does not apply EXIF orientation unless asked): the service will not either.
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (fx: number, fy: number) => {
    const i = (Math.min(info.height - 1, Math.floor(fy * info.height)) * info.width + Math.min(info.width - 1, Math.floor(fx * info.width))) * info.channels;
    return [data[i], data[i + 1], data[i + 2]];
  };
  const isGrey = (p: number[]) => p.every((c) => Math.abs(c - NEUTRAL_GREY) <= 8);
  const isRed = (p: number[]) => p[0] > 170 && p[1] < 90 && p[2] < 90;
  const column = (fx: number) => [0.1, 0.3, 0.5, 0.7, 0.9].map((fy) => at(fx, fy));
  const portraitPadded = [...column(0.02), ...column(0.98)].every(isGrey) && !isGrey(at(0.5, 0.02)) && !isGrey(at(0.5, 0.98));
  // 3000x4000 upright in a square: the picture spans the middle 75 %; the patch is in its top-right 15 %.
  const markerTopRight = isRed(at(0.82, 0.06)) && !isRed(at(0.18, 0.06)) && !isRed(at(0.18, 0.94)) && !isRed(at(0.82, 0.94));
  return {
    mime,
    bytes: bytes.length,
    width: metadata.width ?? 0,
    height: metadata.height ?? 0,
    orientationTag: metadata.orientation,
    portraitPadded,
    markerTopRight,
  };
}

// ------------------------------------------------------------------------------------------------ suite

before(async () => {
  // Outside the workspace (the Explorer must not change under the test), and given at start: the extension host
  // does not reliably see a setting changed later in time for the first command.
  stallDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-stalls-'));
  stallFile = path.join(stallDir, 'stall-recorder.json');
  contract = await startContractServer();
  host = await Host.start({
    vsix: process.env.MULTIVIEW_VSIX,
    label: 'photo',
    extraExtensions: [STALL_RECORDER_DIR],
    settings: {
      'multiview.apiBaseUrl': contract.baseUrl,
      'multiview.uploadBaseUrl': contract.baseUrl,
      'multiview.outputFolder': OUTPUT_FOLDER_SETTING,
      'multiview.timeouts.requestSeconds': 30,
      'multiview.timeouts.jobSeconds': 120,
      'stallRecorder.outputFile': stallFile,
    },
  });
  host.addArtifact('contract-requests.json', () => JSON.stringify(contract.requests.map(withoutImageBodies), null, 2));
  host.addArtifact('stall-recorder.json', () => (fs.existsSync(stallFile) ? fs.readFileSync(stallFile) : 'no recording'));
  fs.writeFileSync(path.join(host.workspace.dir, PHOTO), await makePhonePhoto());
  fs.writeFileSync(path.join(host.workspace.dir, DAMAGED), await makeTruncatedJpeg());
}, START_TIMEOUT);

after(async () => {
  await stopHostSuite(host, contract);
  fs.rmSync(stallDir, { recursive: true, force: true });
}, STOP_TIMEOUT);

/** The request log without the megabytes of base64 (the artefact stays readable). */
function withoutImageBodies(request: ContractServer['requests'][number]): unknown {
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return request;
  const trimmed = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' && v.length > 200 ? `${v.slice(0, 60)}… (${v.length} chars)` : v]));
  return { ...request, body: trimmed };
}

scenario(`(1) a 12 MP phone photo (EXIF orientation 6): no extension-host stall over ${MAX_STALL_MS} ms; an upright square upload of at most ${MAX_UPLOAD_SIDE} px and ${MAX_UPLOAD_BYTES / 1024} KB; grid and views saved`, async () => {
  contract.setScenario('success');
  const out = outputFolderFor(host);
  const filesBefore = listFiles(out);
  const requestsBefore = contract.requests.length;

  const recording = await recorderCommand('Start', 'recording');
  const cmdline = fs.readFileSync(`/proc/${recording.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  assert.match(cmdline, /--type=extensionHost/, `the recorder runs in the extension host (pid ${recording.pid}: ${cmdline})`);

  await host.step(`right-click ${PHOTO} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(PHOTO, GENERATE_MENU_TITLE));
  if (!keyAsked) {
    await answerApiKey(host, KEY);
    keyAsked = true;
  }
  const seen = await answerParameters(host, { prompt: DEFAULT_PROMPT });
  const lastEnter = Date.now();
  const panel = await readResultPanel(host, PHOTO, 120_000);
  const panelAfterMs = Date.now() - lastEnter;
  await waitFor('the six views saved', () => newFiles(out, filesBefore).filter((f) => VIEW_SUFFIX.test(f)).length === 6, 30_000);
  const viewsAfterMs = Date.now() - lastEnter;
  const report = await recorderCommand('Stop', 'stopped');

  const upload = uploadedImage(requestsBefore);
  const figures = await measureUpload(upload.mime, upload.bytes);
  const longestStallMs = Math.max(report.maxStallMs ?? 0, report.histogram?.maxLateMs ?? 0);
  log(`  FIGURES ${JSON.stringify({ steps: seen.totalSteps, panelAfterMs, viewsAfterMs, longestStallMs, busyMs: report.maxBusyStallMs, over: report.over, longest: report.longest?.slice(0, 5), histogram: report.histogram, recordedMs: report.durationMs, upload: figures })}`);
  checkOutputFiles(out, filesBefore, path.basename(PHOTO, '.jpg'), panel.jobId, KEY);

  assert.ok(
    longestStallMs < MAX_STALL_MS,
    `the extension host was never held for ${MAX_STALL_MS} ms or more (longest ${longestStallMs} ms; the longest five: ${JSON.stringify(report.longest?.slice(0, 5))})`,
  );
  assert.equal(figures.width, figures.height, `the upload is square (${figures.width}x${figures.height})`);
  assert.ok(figures.width <= MAX_UPLOAD_SIDE, `the upload is at most ${MAX_UPLOAD_SIDE} px (${figures.width}x${figures.height})`);
  assert.ok(figures.bytes <= MAX_UPLOAD_BYTES, `the upload is at most ${MAX_UPLOAD_BYTES} bytes (${figures.bytes} bytes of ${figures.mime})`);
  assert.ok(figures.orientationTag === undefined || figures.orientationTag === 1, `the pixels are upright, not left to an EXIF tag (${figures.orientationTag})`);
  assert.ok(figures.portraitPadded, 'the upright (portrait) picture is padded left and right with the neutral grey');
  assert.ok(figures.markerTopRight, 'the picture is turned the way orientation 6 says (the marker is at its top right)');
});

scenario('(2) a truncated JPEG: one clear message in the user’s words, nothing written, nothing sent', async () => {
  const workspaceBefore = listFiles(host.workspace.dir);
  const requestsBefore = contract.requests.length;
  const notifications = host.recordNotifications();

  await host.step(`right-click ${DAMAGED} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(DAMAGED, GENERATE_MENU_TITLE));
  // Refused when chosen, or after the questions: either is fine, the message is what counts.
  for (;;) {
    const next = await waitFor('the questions or a message', async () => {
      if ((await host.readNotifications()).some((n) => !n.progress && n.message)) return 'message';
      if (!(await host.quickInputWidget().isVisible())) return undefined;
      const title = await host.quickInputTitle();
      return /API Key/.test(title) ? 'key' : /Generate Multiview.*\(1\s*\/\s*\d\)/.test(title) ? 'questions' : undefined;
    }, 60_000);
    if (next === 'message') break;
    if (next === 'key') {
      await answerApiKey(host, KEY);
      keyAsked = true;
    } else {
      await answerParameters(host, { prompt: DEFAULT_PROMPT });
    }
  }
  const shown = await host.waitForNotification(DAMAGED_FILE_MESSAGE, 10_000).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a second message would come right after the first
  const messages = (await notifications.stop()).filter((n) => !n.progress).map((n) => n.message);
  log(`  messages: ${JSON.stringify(messages)}`);

  assert.equal(messages.length, 1, `one message (${JSON.stringify(messages)})`);
  assert.ok(shown, `the message says the file is damaged (${JSON.stringify(messages)})`);
  assert.deepEqual(listFiles(host.workspace.dir), workspaceBefore, 'nothing was written into the workspace');
  const generations = contract.requests.slice(requestsBefore).filter((r) => /multiview|base64_to_url|base64_crop/.test(r.path));
  assert.deepEqual(generations.map((r) => r.path), [], 'nothing was uploaded or sent to be generated');
  assert.doesNotMatch(messages[0], DECODER_JARGON, 'in the user’s words, not the decoder’s');
});
