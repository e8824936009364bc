/**
 * In-host checks for @vscode/test-electron / @vscode/test-cli (`npm run test:electron`): the extension runs in a
 * real VS Code and is driven through its commands, with every API URL pointed at the local contract server.
 * The quick inputs are answered with VS Code's own "accept" command, as Enter would.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { PNG } from 'pngjs';
import * as vscode from 'vscode';
import { startContractServer, type ContractServer } from '../contract-server/server';

const EXTENSION_ID = 'multiview-tools.multiview';
const API_KEY = 'electron-Test-Key-8fQ2mZr4';

describe('Multiview in a real VS Code host', () => {
  let server: ContractServer;
  let workspace: string;
  let image: vscode.Uri;

  before(async () => {
    server = await startContractServer({ etaSeconds: 1, retryAfterSeconds: 1 });
    const config = vscode.workspace.getConfiguration('multiview');
    await config.update('apiBaseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
    await config.update('uploadBaseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const png = new PNG({ width: 96, height: 96 });
    png.data.fill(180);
    image = vscode.Uri.file(path.join(workspace, 'product.png'));
    await fs.writeFile(image.fsPath, PNG.sync.write(png));
  });

  after(async () => {
    await server.close();
  });

  it('is not active before it is used', () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, false);
  });

  it('generates from an image: grid and sidecar on disk, the panel open, the key in neither', async () => {
    await vscode.commands.executeCommand('multiview.setApiKey', API_KEY);
    server.setScenario('queued');
    const run = vscode.commands.executeCommand('multiview.generateFromExplorer', image);
    await acceptQuickInputsUntil(run);

    const folder = path.join(workspace, 'multiview');
    const files = (await fs.readdir(folder)).sort();
    assert.equal(files.length, 2, files.join(', '));
    assert.match(files[0], /^product-multiview-.+\.json$/);
    assert.match(files[1], /^product-multiview-.+\.png$/);
    for (const file of files) {
      assert.ok(!(await fs.readFile(path.join(folder, file))).includes(API_KEY), `${file} holds no key`);
    }
    const panelOpen = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('multiview.result'));
    assert.ok(panelOpen, 'the result panel is open');
  });

  it('a rejected key writes nothing', async () => {
    const folder = path.join(workspace, 'multiview');
    const before = (await fs.readdir(folder)).sort();
    await vscode.commands.executeCommand('multiview.setApiKey', 'invalid-key-electron');
    const uploadsBefore = server.requests.length;
    void vscode.commands.executeCommand('multiview.generateFromExplorer', image);
    await acceptQuickInputsUntil(waitFor(() => server.requests.length > uploadsBefore));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual((await fs.readdir(folder)).sort(), before);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });
});

/** Presses Enter on whatever quick input is showing, every 300 ms, until `done` settles. */
async function acceptQuickInputsUntil(done: Thenable<unknown>): Promise<void> {
  let settled = false;
  const finished = Promise.resolve(done).finally(() => (settled = true));
  while (!settled) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 300))]);
  }
  await finished;
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
