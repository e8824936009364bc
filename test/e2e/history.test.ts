/**
 * The History view in a real VS Code (code-server 4.100.3), with its own host and contract server:
 * the welcome view while there is nothing, then three generations (two of mug.png, one of photos/shoe.jpg) that
 * appear through the file watcher, grouped by image, newest first, with the grid as each row's thumbnail;
 * "Reveal in Explorer"; "Delete…" that asks and removes exactly that result's files.
 * Selecting a result opens its panel; "Generate Again" (same seed or a new one) writes a new result without asking.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/history.test.js
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { Host, type Locator, listFiles, log, sleep, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, chooseInContextMenu, clickDialogButton, dialog, GENERATE_MENU_TITLE, historyContainer, historyResultRow, historyRows, readDialog, readResultPanel, resetUi, showExplorer, showHistoryView } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, START_TIMEOUT, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvHist-${randomBytes(9).toString('hex')}`;

let contract: ContractServer;
let host: Host;

const ws = () => host.workspace.dir;
const mugOut = () => outputFolderFor(host);
const shoeOut = () => outputFolderFor(host, 'photos');

interface Generated {
  image: string;
  jobId: string;
  seed: number;
  stem: string;
  folder: string;
}
const generated: Generated[] = [];

const scenario = scenarioRunner(() => host, { timeoutMs: 150_000, prepare: async (started) => {
    await showExplorer(host); // resetUi focuses the workbench through an Explorer row
    await resetUi(started);
  } });

// ------------------------------------------------------------------------------------------ the view

interface Row {
  level: number;
  label: string;
  text: string;
}

async function readRows(): Promise<Row[]> {
  const rows = historyRows(host);
  const n = await rows.count();
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    out.push({
      level: Number(await row.getAttribute('aria-level')),
      label: (await row.getAttribute('aria-label')) ?? '',
      text: ((await row.textContent()) ?? '').trim(),
    });
  }
  return out;
}

const resultRow = (jobId: string): Locator => historyResultRow(host, jobId);

// ------------------------------------------------------------------------------------------ setup

before(async () => {
    ({ host, contract } = await startHostSuite('e2e-history'));
}, START_TIMEOUT);

after(() => stopHostSuite(host, contract), STOP_TIMEOUT);

async function generate(image: string, seed: number, first = false): Promise<Generated> {
  contract.setScenario('success');
  await host.step(`right-click ${image} → ${GENERATE_MENU_TITLE}`, () => host.contextMenu(image, GENERATE_MENU_TITLE));
  if (first) await answerApiKey(host, KEY);
  await answerParameters(host, { prompt: `history ${path.basename(image)} ${seed}`, seed });
  const panel = await readResultPanel(host, path.basename(image));
  const folder = image.includes('/') ? shoeOut() : mugOut();
  const sidecar = await waitFor(`sidecar of job ${panel.jobId}`, async () =>
    listFiles(folder).find((f) => f.endsWith('.json') && f.includes(`-multiview-${panel.jobId}`)),
  );
  const entry = { image, jobId: panel.jobId, seed, stem: sidecar.replace(/\.json$/, ''), folder };
  generated.push(entry);
  await host.closeAllEditors();
  // Distinct finish times to the second, so "newest first" is not a tie.
  await sleep(1100);
  return entry;
}

// ------------------------------------------------------------------------------------------ scenarios

scenario('(H1) nothing generated yet: the welcome view offers to generate', async () => {
  await showHistoryView(host);
  const welcome = historyContainer(host).locator('.welcome-view-content');
  await welcome.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match((await welcome.textContent()) ?? '', /No Multiview results/);
  assert.ok(await welcome.locator('.monaco-button', { hasText: 'Generate Multiview from Image' }).first().isVisible(), 'a Generate button');
});

scenario(
  '(H2) three generations appear through the watcher: grouped by image, newest first, with thumbnails',
  async () => {
    const mugOld = await generate('mug.png', 111, true);
    const shoe = await generate('photos/shoe.jpg', 333);
    const mugNew = await generate('mug.png', 222);
    await showHistoryView(host);

    // No refresh click: the file watcher (debounced) must have brought them in.
    const rows = await waitFor('five rows (two groups, three results)', async () => {
      const r = await readRows();
      return r.length === 5 ? r : undefined;
    }, 30_000);
    log(`  rows: ${JSON.stringify(rows)}`);
    const groups = rows.filter((r) => r.level === 1).map((r) => r.label);
    assert.equal(groups.length, 2, `two groups (${groups.join(' | ')})`);
    assert.deepEqual(groups.map((g) => g.split(',')[0]).sort(), ['mug.png', 'shoe.jpg']);
    const mugIndex = rows.findIndex((r) => r.level === 1 && r.label.startsWith('mug.png'));
    assert.match(rows[mugIndex].text, /2 results/);
    assert.deepEqual(
      [rows[mugIndex + 1], rows[mugIndex + 2]].map((r) => [r.level, /job (\S+)$/.exec(r.text)?.[1]]),
      [
        [2, mugNew.jobId],
        [2, mugOld.jobId],
      ],
      "mug's results, newest first",
    );
    const shoeIndex = rows.findIndex((r) => r.level === 1 && r.label.startsWith('shoe.jpg'));
    assert.match(rows[shoeIndex + 1].text, new RegExp(`seed 333 · job ${shoe.jobId}$`));

    await host.step("each result row shows its grid's thumbnail, and it loads", async () => {
      for (const g of generated) {
        const icon = resultRow(g.jobId).locator('.custom-view-tree-node-item-icon');
        const background: string = await icon.evaluate((el: { style: { backgroundImage: string } }) => el.style.backgroundImage);
        assert.ok(background.includes(encodeURIComponent(`${g.stem}.png`)) || background.includes(`${g.stem}.png`), `row of ${g.jobId} shows ${g.stem}.png (${background})`);
        const url = /url\("?(.*?)"?\)/.exec(background)?.[1] ?? '';
        const size = await host.page.evaluate(
          `new Promise((resolve) => { const img = new Image(); img.onload = () => resolve(img.naturalWidth); img.onerror = () => resolve(-1); img.src = ${JSON.stringify(url)}; })`,
        );
        assert.ok((size as number) > 0, `the thumbnail of ${g.jobId} loads (${url} → ${size})`);
      }
    });

    await host.step('the tooltip shows the grid larger', async () => {
      await resultRow(mugNew.jobId).hover();
      const img = host.page.locator('.monaco-hover img, .workbench-hover img').first();
      await img.waitFor({ state: 'visible', timeout: 15_000 });
      await waitFor('hover image loaded', async () => img.evaluate((el: { complete: boolean; naturalWidth: number }) => el.complete && el.naturalWidth > 0), 10_000);
      log(`  hover image src: ${await img.getAttribute('src')}`);
      // Kept for a person to look at (.test-output/ is not committed).
      await host.screenshot(path.join(host.artifactDir, 'history-view-with-tooltip.png'));
      await host.page.keyboard.press('Escape');
      await host.page.mouse.move(0, 0);
    });
  },
  360_000,
);

scenario('(H3) Reveal in Explorer selects the grid in the Explorer', async () => {
  const target = generated.find((g) => g.image === 'photos/shoe.jpg');
  assert.ok(target, 'shoe was generated in (H2)');
  await showHistoryView(host);
  await chooseInContextMenu(host, resultRow(target.jobId), 'Reveal in Explorer');
  const selected = host.page.locator(`.explorer-folders-view .monaco-list-row.selected[aria-label="${target.stem}.png"]`);
  await selected.waitFor({ state: 'visible', timeout: 15_000 });
});

scenario('(H4) Delete… asks, naming the files, then removes exactly that result', async () => {
  const victim = generated.find((g) => g.image === 'mug.png');
  assert.ok(victim, 'mug was generated in (H2)');
  // A turntable beside it (another module writes those) goes too; a look-alike of another stem stays.
  fs.writeFileSync(path.join(victim.folder, `${victim.stem}-turntable.gif`), 'GIF89a');
  fs.writeFileSync(path.join(victim.folder, `${victim.stem}-notes.txt`), 'mine, keep');
  const everything = () => listFiles(ws());
  const before = everything();
  const own = before.filter((f) => path.dirname(path.join(ws(), f)) === victim.folder && new RegExp(`^${victim.stem}(\\.png|\\.json|-view-.*\\.png|-turntable.*\\.gif)$`).test(path.basename(f)));
  assert.equal(own.length, 9, `grid, six views, sidecar and turntable (${own.join(', ')})`);

  await showHistoryView(host);
  await chooseInContextMenu(host, resultRow(victim.jobId), 'Delete...');
  const asked = await readDialog(host);
  log(`  confirmation: ${JSON.stringify(asked)}`);
  assert.match(asked.message, /Delete the Multiview result of mug\.png \(9 files\)/);
  for (const f of own) assert.ok(asked.detail.includes(path.basename(f)), `the confirmation names ${path.basename(f)}`);
  assert.ok(!asked.detail.includes('-notes.txt'), 'the confirmation does not name other files');

  await host.step('Cancel leaves everything', async () => {
    await clickDialogButton(host, 'Cancel');
    await dialog(host).waitFor({ state: 'hidden', timeout: 10_000 });
    await sleep(500);
    assert.deepEqual(everything(), before);
  });

  await chooseInContextMenu(host, resultRow(victim.jobId), 'Delete...');
  await readDialog(host);
  await clickDialogButton(host, 'Move to Trash');
  // code-server's remote file system has no trash: the view asks again before deleting permanently.
  const outcome = await waitFor('files gone, or asked about deleting permanently', async () => {
    if (await dialog(host).isVisible()) return 'asked';
    return own.every((f) => !fs.existsSync(path.join(ws(), f))) ? 'trashed' : undefined;
  }, 30_000);
  log(`  after "Move to Trash": ${outcome}`);
  if (outcome === 'asked') {
    const again = await readDialog(host);
    log(`  second confirmation: ${JSON.stringify(again)}`);
    assert.match(again.message, /could not be moved to the trash.*permanently/i);
    await clickDialogButton(host, 'Delete Permanently');
  }
  await waitFor('its files removed', async () => own.every((f) => !fs.existsSync(path.join(ws(), f))), 20_000);
  assert.deepEqual(everything(), before.filter((f) => !own.includes(f)), 'nothing else was removed');
  await waitFor('its row gone', async () => (await resultRow(victim.jobId).count()) === 0, 20_000);
  const others = generated.filter((g) => g !== victim);
  for (const g of others) assert.equal(await resultRow(g.jobId).count(), 1, `the row of ${g.jobId} stays`);
  generated.splice(generated.indexOf(victim), 1);
});

scenario('(H5) selecting a result opens its panel', async () => {
  const target = generated.find((g) => g.image === 'mug.png');
  assert.ok(target);
  await showHistoryView(host);
  // A row clicked while the tree re-renders (its watcher refreshing) can miss its command, as for a person: click
  // again until the panel is there.
  await waitFor('the panel opened from the row', async () => {
    if (await host.editorTab(/Multiview: mug\.png/).first().isVisible()) return true;
    await resultRow(target.jobId).click();
    await sleep(1500);
    return false;
  }, 30_000);
  const panel = await readResultPanel(host, 'mug.png');
  assert.equal(panel.jobId, target.jobId);
});

for (const newSeed of [false, true]) {
  const title = newSeed ? 'Generate Again with a New Seed' : 'Generate Again';
  scenario(`(H6${newSeed ? 'b' : 'a'}) "${title}" runs the recorded parameters again, without asking`, async () => {
    const target = generated.find((g) => g.image === 'mug.png');
    assert.ok(target);
    const sidecars = () => listFiles(target.folder).filter((f) => f.endsWith('.json'));
    const beforeSidecars = sidecars();
    await showHistoryView(host);
    await chooseInContextMenu(host, resultRow(target.jobId), title);
    await waitFor('a new result saved', async () => {
      assert.ok(!(await host.quickInputWidget().isVisible()), 'nothing is asked: the parameters are the recorded ones');
      return sidecars().length > beforeSidecars.length;
    }, 90_000);
    const added = sidecars().filter((f) => !beforeSidecars.includes(f));
    const json = JSON.parse(fs.readFileSync(path.join(target.folder, added[0]), 'utf8')) as { parameters: { prompt: string; seed: number | null }; seed: number | null };
    assert.equal(json.parameters.prompt, `history mug.png ${target.seed}`, 'the same prompt');
    if (newSeed) assert.notEqual(json.seed, target.seed, 'a new seed');
    else assert.equal(json.seed, target.seed, 'the same seed');
    const jobId = /-multiview-(.+?)(-\d+)?\.json$/.exec(added[0])?.[1] ?? '';
    await waitFor('the new result listed', async () => (await resultRow(jobId).count()) === 1, 30_000);
  }, 180_000);
}
