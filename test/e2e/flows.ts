/**
 * What a person does with Multiview in the real workbench, as reusable steps for the e2e scenarios.
 * Not a test file itself (node --test only runs *.test.js).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Host, listFiles, type Locator, log, waitFor } from '../host/harness';

export const GENERATE_MENU_TITLE = 'Generate Multiview...';
export const GENERATE_PALETTE_TITLE = 'Multiview: Generate Multiview from Image...';
export const SET_KEY_TITLE = 'Multiview: Set API Key';
export const CLEAR_KEY_TITLE = 'Multiview: Clear API Key';

/** The quick input's title at step k of `total` ("(k/total)"); 7 steps, up to 9 with the background and preparation steps. */
const stepTitle = (k: number, total: number | string = 7) => new RegExp(`Generate Multiview.*\\(${k}\\s*/\\s*${total}\\)`);

/** `s` as a regular expression that matches it literally. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Answers {
  prompt: string;
  /** Typed when given; otherwise the pre-filled value is accepted with Enter. */
  negativePrompt?: string;
  /** Label of the size row, e.g. "640 × 960"; otherwise Enter accepts the active row. */
  size?: string;
  steps?: number;
  guidanceScale?: number;
  /** A fixed seed; 'random' picks "Random seed"; undefined accepts the active row. */
  seed?: number | 'random';
  /** Type an out-of-range value first in steps 4 and 5 and check the validation message. */
  checkValidation?: boolean;
  /**
   * Step 8, asked only for an image that is not square or may have transparency: 'pad' or 'as-is' picks that row;
   * undefined accepts the active row.
   */
  prepare?: 'pad' | 'as-is';
  /** The background step, asked only for a picture without transparency: true removes it first; undefined accepts the active row. */
  removeBackground?: boolean;
}

/** What the quick input showed, for the scenarios that check it. */
export interface ParametersSeen {
  /** 7, 8 or 9 with the background and image-preparation steps. */
  totalSteps: number;
  /** The background step, when it was asked. */
  background?: { placeholder: string; labels: string[]; active: string };
  /** The image-preparation step, when it was asked. */
  prepare?: { placeholder: string; labels: string[]; active: string };
}

export const PAD_ROW = /^(Pad to a square|Put it on a grey background)/;
export const AS_IS_ROW = /^Send as it is/;
export const REMOVE_BACKGROUND_ROW = /^Remove the background first/;
export const KEEP_BACKGROUND_ROW = /^Keep the background/;

/** Answers the "Generate Multiview" quick input (7 to 9 steps), acting on each step as a person would. */
export async function answerParameters(host: Host, a: Answers): Promise<ParametersSeen> {
  const seen: ParametersSeen = { totalSteps: 7 };
  await host.step('step 1 prompt', async () => {
    const title = await host.waitQuickInputTitle(stepTitle(1, '(?:7|8|9)'), 20_000);
    seen.totalSteps = Number(/\(1\s*\/\s*(\d+)\)/.exec(title)?.[1]);
    log(`  the quick input has ${seen.totalSteps} steps`);
    assert.equal(await host.quickInputType(), 'text', 'the prompt is a plain text input');
    await host.quickInputFill(a.prompt);
    await host.pressEnter();
  });
  await host.step('step 2 negative prompt', async () => {
    await host.waitQuickInputTitle(stepTitle(2, seen.totalSteps));
    if (a.negativePrompt !== undefined) await host.quickInputFill(a.negativePrompt);
    await host.pressEnter();
  });
  await host.step('step 3 output size', async () => {
    await host.waitQuickInputTitle(stepTitle(3, seen.totalSteps));
    const labels = await waitFor('size rows', async () => {
      const l = await host.quickPickLabels();
      return l.length > 1 ? l : undefined;
    });
    assert.match(labels[0], /^640 × 960/, `first size row is the model's native 640 × 960 (rows: ${labels.join(' | ')})`);
    if (a.size) await host.pickRow(new RegExp(`^${escapeRe(a.size)}(,|$)`));
    else await host.pressEnter();
  });
  await host.step('step 4 inference steps', async () => {
    await host.waitQuickInputTitle(stepTitle(4, seen.totalSteps));
    const prefilled = await host.quickInputValue();
    assert.match(prefilled, /^\d+$/, 'steps are pre-filled');
    if (a.checkValidation) {
      await host.quickInputFill('99');
      const msg = await host.waitQuickInputValidation(/\b1\b.*\b50\b/);
      log(`  validation: ${msg}`);
      await host.pressEnter(); // refused: still on step 4
      await host.waitQuickInputTitle(stepTitle(4, seen.totalSteps));
    }
    await host.quickInputFill(String(a.steps ?? prefilled));
    await host.pressEnter();
  });
  await host.step('step 5 guidance scale', async () => {
    await host.waitQuickInputTitle(stepTitle(5, seen.totalSteps));
    const prefilled = await host.quickInputValue();
    assert.match(prefilled, /^\d+(\.\d+)?$/, 'guidance scale is pre-filled');
    if (a.checkValidation) {
      await host.quickInputFill('25');
      const msg = await host.waitQuickInputValidation(/\b1\b.*\b20\b/);
      log(`  validation: ${msg}`);
    }
    await host.quickInputFill(String(a.guidanceScale ?? prefilled));
    await host.pressEnter();
  });
  await host.step('step 6 seed', async () => {
    await host.waitQuickInputTitle(stepTitle(6, seen.totalSteps));
    await waitFor('seed rows', async () => (await host.quickPickLabels()).length >= 2);
    if (a.seed === undefined) {
      const active = await host.quickPickActiveLabel();
      await host.pressEnter();
      if (/^Fixed seed/.test(active)) {
        await waitFor('seed input', async () => (await host.quickInputRows().count()) === 0 && /Seed/.test(await host.quickInputMessage()));
        await host.pressEnter();
      }
    } else if (a.seed === 'random') {
      await host.pickRow(/^Random seed/);
    } else {
      await host.pickRow(/^Fixed seed/);
      await waitFor('seed input', async () => (await host.quickInputRows().count()) === 0 && /Seed/.test(await host.quickInputMessage()));
      await host.quickInputFill(String(a.seed));
      await host.pressEnter();
    }
  });
  await host.step('step 7 proxy links', async () => {
    await host.waitQuickInputTitle(stepTitle(7, seen.totalSteps));
    await waitFor('proxy rows', async () => (await host.quickPickLabels()).length >= 2);
    await host.pressEnter();
    if (seen.totalSteps === 7) await host.quickInputHidden();
  });
  // Steps 8 and 9, asked only when they matter for the picture: its background (a picture without transparency),
  // then its preparation (not square, or may have transparency). Each is told apart by its placeholder.
  for (let k = 8; k <= seen.totalSteps; k++) {
    await host.step(`step ${k}/${seen.totalSteps}`, async () => {
      await host.waitQuickInputTitle(stepTitle(k, seen.totalSteps));
      const labels = await waitFor('rows', async () => {
        const l = await host.quickPickLabels();
        return l.length >= 2 ? l : undefined;
      });
      const active = await waitFor('an active row', async () => host.quickPickActiveLabel());
      const placeholder = (await host.quickInputBox().getAttribute('placeholder')) ?? '';
      if (/^Background/.test(placeholder)) {
        seen.background = { placeholder, labels, active };
        log(`  background step: ${JSON.stringify(seen.background)}`);
        if (a.removeBackground === true) await host.pickRow(REMOVE_BACKGROUND_ROW);
        else if (a.removeBackground === false) await host.pickRow(KEEP_BACKGROUND_ROW);
        else await host.pressEnter();
      } else {
        assert.match(placeholder, /^Prepare the image/, `step ${k} is the background or the preparation (placeholder: ${placeholder})`);
        seen.prepare = { placeholder, labels, active };
        log(`  prepare step: ${JSON.stringify(seen.prepare)}`);
        if (a.prepare === 'pad') await host.pickRow(PAD_ROW);
        else if (a.prepare === 'as-is') await host.pickRow(AS_IS_ROW);
        else await host.pressEnter();
      }
      if (k === seen.totalSteps) await host.quickInputHidden();
    });
  }
  return seen;
}

/** Answers the masked API-key input box. */
export async function answerApiKey(host: Host, key: string): Promise<void> {
  await host.step('API key input', async () => {
    await host.waitQuickInputTitle(/API Key/, 20_000);
    assert.equal(await host.quickInputType(), 'password', 'the key input is masked (type=password)');
    await host.quickInputTypeText(key);
    await host.pressEnter();
  });
}

/** Resets the UI between scenarios: no quick input, no notifications, no editors. */
export async function resetUi(host: Host): Promise<void> {
  await host.step('reset UI', async () => {
    for (let i = 0; i < 3 && (await host.quickInputWidget().isVisible()); i++) {
      await host.page.keyboard.press('Escape');
      await host.quickInputHidden(2000).catch(() => undefined);
    }
    await host.clearNotifications();
    await host.closeAllEditors();
  });
}

export interface PanelContent {
  jobId: string;
  params: Record<string, string>;
  seed: string;
  generationTime: string;
  savedPath: string;
}

/** Waits for the result panel of `imageName` and reads it. */
export async function readResultPanel(host: Host, imageName: string, timeoutMs = 90_000): Promise<PanelContent> {
  return host.step(`result panel for ${imageName}`, async () => {
    await host.editorTab(new RegExp(`Multiview: ${escapeRe(imageName)}`)).first().waitFor({ state: 'visible', timeout: timeoutMs });
    const view = host.webview();
    const jobId = await waitFor('job id in the panel', async () => ((await view.locator('#job-id').textContent({ timeout: 5000 })) ?? '').trim(), 30_000);
    // A framed cut-out's input is drawn as it was sent, in an SVG: its picture must load as the other images do.
    const framedInput = (await view.locator('svg#input-image').count()) > 0;
    for (const id of framedInput ? ['result-image'] : ['input-image', 'result-image']) {
      await waitFor(`img#${id} loaded`, async () => view.locator(`img#${id}`).evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0), 20_000);
    }
    if (framedInput) {
      await waitFor('the framed input’s picture loads', async () =>
        view.locator('svg#input-image image').evaluate(
          (image: { getAttribute(name: string): string | null }) =>
            new Promise<boolean>((resolve) => {
              const probe = new (globalThis as unknown as { Image: new () => { onload: () => void; onerror: () => void; src: string; naturalWidth: number } }).Image();
              probe.onload = () => resolve(probe.naturalWidth > 0);
              probe.onerror = () => resolve(false);
              probe.src = image.getAttribute('href') ?? '';
            }),
        ), 20_000);
    }
    const params: Record<string, string> = {};
    const dds = view.locator('dl#parameters dd[data-param]');
    const n = await dds.count();
    for (let i = 0; i < n; i++) {
      params[(await dds.nth(i).getAttribute('data-param')) ?? `?${i}`] = ((await dds.nth(i).textContent()) ?? '').trim();
    }
    const text = async (sel: string) => ((await view.locator(sel).textContent()) ?? '').trim();
    const content = { jobId, params, seed: await text('#seed'), generationTime: await text('#generation-time'), savedPath: await text('#saved-path') };
    for (const b of ['#open-grid', '#open-sidecar', '#reveal']) assert.ok(await view.locator(b).isVisible(), `${b} button shown`);
    log(`  panel: ${JSON.stringify(content)}`);
    return content;
  });
}

/** Files (relative to `dir`) that appeared since `before`. */
export function newFiles(dir: string, before: string[]): string[] {
  return listFiles(dir).filter((f) => !before.includes(f));
}

/** The six views saved beside each grid (setting multiview.saveViews, on by default), named by their pose. */
export const VIEW_SUFFIX = /-view-az\d{3}-el[+-]\d+\.png$/;

/**
 * Checks what one generation of `jobId` added to `outDir` (new since `before`): the grid PNG, its six views (in
 * azimuth order by name) and the JSON sidecar, nothing else, none holding the key. Returns their paths.
 */
export function checkOutputFiles(
  outDir: string,
  before: string[],
  imageStem: string,
  jobId: string,
  key: string,
): { grid: string; views: string[]; sidecar: string; sidecarJson: Record<string, unknown> } {
  const added = newFiles(outDir, before);
  const stem = new RegExp(`^${escapeRe(imageStem)}-multiview-${escapeRe(jobId.replace(/[^A-Za-z0-9._-]+/g, '-'))}(-\\d+)?(-view-az\\d{3}-el[+-]\\d+)?\\.(png|json)$`);
  assert.deepEqual(
    added.filter((f) => !stem.test(f)),
    [],
    `only the grid, its views and its sidecar were added to ${outDir} (added: ${added.join(', ')})`,
  );
  const grids = added.filter((f) => f.endsWith('.png') && !VIEW_SUFFIX.test(f));
  const views = added.filter((f) => VIEW_SUFFIX.test(f)).sort();
  const sidecars = added.filter((f) => f.endsWith('.json'));
  assert.equal(grids.length, 1, `one grid PNG added (${added.join(', ')})`);
  assert.equal(views.length, 6, `six view PNGs added (${added.join(', ')})`);
  assert.deepEqual(
    views.map((f) => Number(/-view-az(\d{3})/.exec(f)?.[1])),
    [30, 90, 150, 210, 270, 330],
    'the views sort by azimuth',
  );
  assert.equal(sidecars.length, 1, `one JSON sidecar added (${added.join(', ')})`);
  const grid = path.join(outDir, grids[0]);
  const sidecar = path.join(outDir, sidecars[0]);
  const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (const file of [grids[0], ...views]) {
    const png = fs.readFileSync(path.join(outDir, file));
    assert.ok(png.subarray(0, 8).equals(pngSignature), `${file} is a PNG`);
    assert.ok(!png.includes(Buffer.from(key)), `the key is not in ${file}`);
  }
  const json = fs.readFileSync(sidecar, 'utf8');
  const sidecarJson = JSON.parse(json) as Record<string, unknown>;
  assert.ok(json.includes(jobId), 'the sidecar names the job');
  assert.ok(!json.includes(key), 'the key is not in the sidecar');
  assert.deepEqual(added.filter((f) => /\.tmp$|\.part$|\.partial$|~$/.test(f)), [], 'no temporary files left');
  return { grid, views: views.map((f) => path.join(outDir, f)), sidecar, sidecarJson };
}

/** No temporary or partial files anywhere under `dir`. */
export function assertNoPartialFiles(dir: string): void {
  const bad = listFiles(dir).filter((f) => /\.(tmp|part|partial|download)$|~$|\.tmp-|\.partial-/.test(f));
  assert.deepEqual(bad, [], `no temporary/partial files under ${dir}`);
}

// ------------------------------------------------------------------------------------------ dialogs

/** The workbench's modal dialog (a confirmation). */
export const dialog = (host: Host) => host.page.locator('.monaco-dialog-box');

export async function readDialog(host: Host): Promise<{ message: string; detail: string; buttons: string[] }> {
  await dialog(host).waitFor({ state: 'visible', timeout: 15_000 });
  const text = async (selector: string) => ((await dialog(host).locator(selector).first().textContent().catch(() => '')) ?? '').trim();
  const buttons: string[] = (await dialog(host).locator('.dialog-buttons .monaco-button').allTextContents()).map((b: string) => b.trim());
  return { message: await text('.dialog-message-text'), detail: await text('.dialog-message-detail'), buttons };
}

export async function clickDialogButton(host: Host, label: string): Promise<void> {
  await dialog(host).locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
}

// ------------------------------------------------------------------------- the Explorer and the History view

/** Multiview's view container in the side bar (the History view). */
export const historyContainer = (host: Host): Locator => host.page.locator('[id="workbench.view.extension.multiview"]');

/** The History's rows (image groups and results). */
export const historyRows = (host: Host): Locator => historyContainer(host).locator('.monaco-list-row');

/** The History's rows of job `jobId` (a result row's description ends with its job). */
export const historyRowsOfJob = (host: Host, jobId: string): Locator => historyRows(host).filter({ hasText: new RegExp(`job ${escapeRe(jobId)}$`) });

/** The History's (first) result row of job `jobId`. */
export const historyResultRow = (host: Host, jobId: string): Locator => historyRowsOfJob(host, jobId).first();

/** Right-clicks `row` (of a tree or list) and chooses `title` in its context menu. */
export async function chooseInContextMenu(host: Host, row: Locator, title: string): Promise<void> {
  await row.click({ button: 'right' });
  await host.clickMenuItem(title);
}

/** Shows the Explorer, unless it is shown: clicking the active container's icon would close the side bar. */
export async function showExplorer(host: Host): Promise<void> {
  if (await host.page.locator('.explorer-folders-view').first().isVisible()) return;
  await host.page.locator('.part.activitybar .action-label[aria-label^="Explorer"]').first().click();
  await host.page.locator('.explorer-folders-view').first().waitFor({ state: 'visible', timeout: 10_000 });
}

export async function showHistoryView(host: Host): Promise<void> {
  await host.step('show the Multiview History view', async () => {
    if (await historyContainer(host).isVisible()) return;
    await host.runPaletteCommand('View: Show Multiview');
    await historyContainer(host).waitFor({ state: 'visible', timeout: 15_000 });
  });
}
