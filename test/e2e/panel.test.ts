/**
 * The result panel in a real VS Code (code-server), against the local contract server: the turntable (keys, play,
 * speed), "Export Animation" (a real GIF beside the grid, never overwritten), the panel restored after a reload,
 * "Open Result" on a sidecar, and the notice shown when the result's files are gone. One host for the file; the
 * scenarios run in order and build on each other (one generation, then the same panel throughout).
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/panel.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { GifReader } from 'omggif';
import { Host, listFiles, log, sleep, waitFor } from '../host/harness';
import { readApng } from '../support/apngReader';
import { answerApiKey, answerParameters, checkOutputFiles, GENERATE_MENU_TITLE, newFiles, readResultPanel, type PanelContent } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvPanel-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;

const outDir = () => outputFolderFor(host);

/** What the scenarios share: the one generation's files and the panel as first read. */
const generated: { panel?: PanelContent; grid?: string; views?: string[]; sidecar?: string; gifs: string[] } = { gifs: [] };

const scenario = scenarioRunner(() => host, { timeoutMs: 150_000, prepare: async () => undefined });

const stage = () => host.webview().locator('#turntable-stage');
const valueText = async () => (await stage().getAttribute('aria-valuetext')) ?? '';
const valueNow = async () => Number(await stage().getAttribute('aria-valuenow'));
const currentFrameSrc = async () => (await host.webview().locator('#turntable-stage img.frame.current').getAttribute('src')) ?? '';

async function reloadWindow(): Promise<void> {
  await host.step('palette → Developer: Reload Window', async () => {
    await host.runPaletteCommand('Developer: Reload Window');
    // The old workbench goes away, then a new one comes up.
    await sleep(1500);
    await host.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await host.explorerRow('notes.txt').waitFor({ state: 'visible', timeout: 60_000 });
  });
  // Running a palette command clicks notes.txt first (harness focusWorkbench), which covers the panel's tab:
  // bring the panel to the front, as a person would, so VS Code restores its webview.
  await showPanelTab();
}

async function showPanelTab(): Promise<void> {
  await host.step('click the Multiview: mug.png tab', async () => {
    const tab = host.editorTab(/Multiview: mug\.png/).first();
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await tab.click();
  });
}

function readGif(file: string): { width: number; height: number; frames: number; loop: number | null; delays: number[] } {
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), 'GIF89a', `${path.basename(file)} starts with GIF89a`);
  const reader = new GifReader(bytes);
  const frames = reader.numFrames();
  return {
    width: reader.width,
    height: reader.height,
    frames,
    loop: reader.loopCount(),
    delays: Array.from({ length: frames }, (_, index) => reader.frameInfo(index).delay),
  };
}

before(async () => {
    ({ host, contract } = await startHostSuite('e2e-panel'));
    // The turntable plays by itself unless the system asks for reduced motion: ask, so frames stay put until turned.
    await host.page.emulateMedia({ reducedMotion: 'reduce' });
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

scenario('(1) generate; the turntable starts on the input, turns with the arrow keys, plays and pauses', async () => {
  contract.setScenario('success');
  const before = listFiles(outDir());
  await host.step(`right-click mug.png → ${GENERATE_MENU_TITLE}`, () => host.contextMenu('mug.png', GENERATE_MENU_TITLE));
  await answerApiKey(host, KEY);
  await answerParameters(host, { prompt: 'a mug on a turntable' });
  const panel = await readResultPanel(host, 'mug.png');
  Object.assign(generated, { panel }, checkOutputFiles(outDir(), before, 'mug', panel.jobId, KEY));

  await host.step('the input first, and it stays there (reduced motion: no autoplay)', async () => {
    assert.ok(await host.webview().locator('#turntable').isVisible(), 'the turntable is shown');
    assert.equal(await stage().getAttribute('role'), 'slider');
    assert.equal(await stage().getAttribute('tabindex'), '0');
    assert.match(await valueText(), /^input image, azimuth 0°$/);
    assert.equal(await currentFrameSrc(), await host.webview().locator('#input-image').getAttribute('src'), 'the frame shown is the input image');
    assert.equal(await host.webview().locator('#turntable-stage img.frame').count(), 7);
    await sleep(1200);
    assert.equal(await valueNow(), 0, 'still on the input');
    assert.equal((await host.webview().locator('#turntable-play').textContent())?.trim(), 'Play');
  });

  await host.step('ArrowRight turns to azimuth 30°, then 90°; ArrowLeft wraps round; Home goes back', async () => {
    await stage().focus();
    await stage().press('ArrowRight');
    await waitFor('azimuth 30', async () => /^azimuth 30°, elevation \+20°$/.test(await valueText()), 5000);
    assert.equal(await currentFrameSrc(), await host.webview().locator('#views figure.view img').first().getAttribute('src'), 'the 30° view is shown');
    await stage().press('ArrowRight');
    await waitFor('azimuth 90', async () => /^azimuth 90°, elevation [-−]10°$/.test(await valueText()), 5000);
    await stage().press('ArrowLeft');
    await stage().press('ArrowLeft');
    await stage().press('ArrowLeft');
    await waitFor('azimuth 330 (wrapped)', async () => /^azimuth 330°, elevation [-−]10°$/.test(await valueText()), 5000);
    await stage().press('Home');
    await waitFor('back on the input', async () => (await valueNow()) === 0, 5000);
  });

  await host.step('Play turns it by itself; Pause stops it', async () => {
    const play = host.webview().locator('#turntable-play');
    await host.webview().locator('#turntable-speed').fill('10');
    assert.equal((await host.webview().locator('#turntable-speed-value').textContent())?.trim(), '10 frames per second');
    await play.click();
    await waitFor('Pause shown', async () => (await play.textContent())?.trim() === 'Pause', 5000);
    assert.equal(await play.getAttribute('aria-pressed'), 'true');
    const seen = new Set<number>();
    await waitFor('several frames shown', async () => {
      seen.add(await valueNow());
      return seen.size >= 3;
    }, 10_000, 50);
    await play.click();
    await waitFor('Play shown', async () => (await play.textContent())?.trim() === 'Play', 5000);
    const stoppedAt = await valueNow();
    await sleep(800);
    assert.equal(await valueNow(), stoppedAt, 'paused: the frame no longer changes');
  });
});

scenario('(2) Export Animation writes a looping GIF and an animated PNG beside the grid; a second export does not overwrite them', async () => {
  const exportButton = host.webview().locator('#export-animation');
  let firstGif: Buffer | undefined;
  for (const [attempt, expectedName] of [
    [1, /^mug-multiview-.+-turntable\.gif$/],
    [2, /^mug-multiview-.+-turntable-2\.gif$/],
  ] as const) {
    await host.step(`export ${attempt}`, async () => {
      const before = listFiles(outDir());
      await showPanelTab();
      await waitFor('export button enabled', async () => exportButton.isEnabled(), 20_000);
      await exportButton.click();
      await waitFor('the new GIF and APNG', () => newFiles(outDir(), before).length >= 2, 30_000);
      // Read the notification in the notification center: a toast can be missed by polling in headless chromium
      // (it renders only when a frame is drawn), the center lists it for sure.
      const pattern = attempt === 1 ? /saved .*-turntable\.gif/ : /saved .*-turntable-2\.gif/;
      await host.runPaletteCommand('Notifications: Show Notifications');
      const shown = await host.waitForNotification(pattern, 15_000);
      await host.page.keyboard.press('Escape');
      log(`  notification: ${JSON.stringify(shown)}`);
      assert.deepEqual(shown.buttons, ['Open', 'Reveal in Explorer']);
      const added = newFiles(outDir(), before).sort();
      assert.equal(added.length, 2, `two files added (${added.join(', ')})`);
      assert.match(added[0], expectedName);
      assert.equal(added[1], added[0].replace(/\.gif$/, '.png'), 'the animated PNG beside the GIF, under the same name');
      const apng = readApng(fs.readFileSync(path.join(outDir(), added[1])));
      assert.equal(apng.frames.length, 7, 'the APNG: the input and the six views');
      assert.equal(apng.plays, 0, 'the APNG loops forever');
      assert.equal(path.dirname(path.join(outDir(), added[0])), path.dirname(generated.grid ?? ''), 'beside the grid');
      const gif = readGif(path.join(outDir(), added[0]));
      assert.equal(gif.frames, 7, 'the input and the six views');
      assert.equal(gif.loop, 0, 'loops forever');
      assert.deepEqual(gif.delays, Array(7).fill(10), 'at the speed chosen in the panel (10 fps)');
      const view = fs.readFileSync(generated.views?.[0] ?? '');
      assert.deepEqual([gif.width, gif.height], [view.readUInt32BE(16), view.readUInt32BE(20)], 'the views’ size');
      generated.gifs.push(...added.map((name) => path.join(outDir(), name)));
      firstGif ??= fs.readFileSync(generated.gifs[0]);
    });
  }
  assert.ok(fs.readFileSync(generated.gifs[0]).equals(firstGif ?? Buffer.alloc(0)), 'the first GIF is still there, untouched');
});

scenario('(3) after "Reload Window" the panel comes back with the same content and speed', async () => {
  const before = generated.panel;
  assert.ok(before, 'scenario 1 ran');
  await reloadWindow();
  const after = await readResultPanel(host, 'mug.png', 60_000);
  assert.deepEqual(after, before);
  assert.match(await valueText(), /^input image, azimuth 0°$/);
  assert.equal(await host.webview().locator('#turntable-speed').inputValue(), '10', 'the speed chosen before the reload');
  assert.equal(await host.webview().locator('#views figure.view').count(), 6);
});

scenario('(4) "Open Result" on the sidecar opens its panel', async () => {
  await host.closeAllEditors();
  const sidecar = path.relative(host.workspace.dir, generated.sidecar ?? '');
  await host.step(`right-click ${sidecar} → Open Result`, () => host.contextMenu(sidecar, 'Open Result'));
  const panel = await readResultPanel(host, 'mug.png', 30_000);
  assert.deepEqual(panel, generated.panel);
});

scenario('(5) its files deleted, the restored panel says the result was moved or deleted', async () => {
  for (const file of [generated.grid, generated.sidecar, ...(generated.views ?? []), ...generated.gifs]) {
    fs.rmSync(file ?? '', { force: true });
  }
  await reloadWindow();
  await host.editorTab(/Multiview: result not found/).first().waitFor({ state: 'visible', timeout: 60_000 });
  const heading = await waitFor('notice heading', async () => ((await host.webview().locator('h1').textContent({ timeout: 5000 })) ?? '').trim(), 30_000);
  assert.equal(heading, 'This result was moved or deleted');
  await host.assertWorkbenchUsable();
});
