/**
 * The result panel: the input image, the grid, the six views and a turntable of them, the parameters used and
 * buttons to open or reveal the saved files or export the turntable as a GIF. Content is rendered into the HTML
 * (escaped) so it reads without scripts; one panel per source image. Panels come back after a reload (the webview
 * keeps only the sidecar's path and the turntable's speed) and saved results open by their sidecar.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signedDegrees } from '../core/grid';
import { html, type SafeHtml } from '../core/html';
import { TURNTABLE_SUFFIX, writeNewFiles } from '../core/outputFiles';
import { readSavedResult } from '../core/readSidecar';
import type { Sidecar } from '../core/sidecar';
import { loadCodecs } from '../image/loadCodecs';
import {
  clampFramesPerSecond,
  DEFAULT_FRAMES_PER_SECOND,
  isFromPanelMessage,
  MAX_FRAMES_PER_SECOND,
  MIN_FRAMES_PER_SECOND,
  type PanelFile,
  parsePanelState,
  type ToPanelMessage,
} from '../shared/messages';

export const RESULT_PANEL_VIEW_TYPE = 'multiview.result';
export const OPEN_RESULT_COMMAND = 'multiview.openResult';

export interface ResultPanelContent {
  imageUri: vscode.Uri;
  gridUri: vscode.Uri;
  sidecarUri: vscode.Uri;
  sidecar: Sidecar;
  /** The grid's folder, relative to the workspace, for display. */
  savedPath: string;
}

/**
 * The result panels, their reload serializer and the "open a saved result" command, registered on `context`.
 * Returns the panels for the generate command (`panels.show(content)`).
 */
export function registerResultPanels(context: vscode.ExtensionContext): ResultPanels {
  const panels = new ResultPanels(context.extensionUri);
  context.subscriptions.push(
    panels,
    vscode.window.registerWebviewPanelSerializer(RESULT_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (webviewPanel, state) => panels.revive(webviewPanel, state),
    }),
    vscode.commands.registerCommand(OPEN_RESULT_COMMAND, (sidecar?: unknown) => panels.openSaved(sidecar)),
  );
  return panels;
}

export class ResultPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultPanel>();
  /** Restored panels whose result is gone: they show a short notice and are only closed. */
  private readonly notices = new Set<vscode.WebviewPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(content: ResultPanelContent): void {
    const existing = this.panels.get(panelKey(content));
    if (existing) {
      existing.update(content);
      existing.reveal();
      return;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      RESULT_PANEL_VIEW_TYPE,
      panelTitle(content),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(this.extensionUri, content),
    );
    this.adopt(webviewPanel, content, DEFAULT_FRAMES_PER_SECOND);
  }

  /** `multiview.openResult`: the panel of the result whose sidecar is `sidecar` (a .json file's Uri). */
  async openSaved(sidecar: unknown): Promise<void> {
    if (!(sidecar instanceof vscode.Uri)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: choose a result’s .json file to open it.'));
      return;
    }
    try {
      this.show(await loadSavedContent(sidecar));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: “{0}” cannot be opened as a result: {1}', path.basename(sidecar.fsPath), reason));
    }
  }

  /** A panel VS Code restores after a reload, from the state its webview saved. */
  async revive(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = parsePanelState(state);
    const content = saved && (await loadSavedContent(vscode.Uri.file(saved.sidecarPath)).catch(() => undefined));
    if (!saved || !content) {
      this.showNotice(webviewPanel, saved?.sidecarPath);
      return;
    }
    const existing = this.panels.get(panelKey(content));
    if (existing) {
      // Two restored panels of one image (not possible through show(), but a saved layout may have it): keep one.
      webviewPanel.dispose();
      existing.update(content);
      return;
    }
    webviewPanel.webview.options = webviewOptions(this.extensionUri, content);
    this.adopt(webviewPanel, content, saved.framesPerSecond);
  }

  dispose(): void {
    [...this.panels.values()].forEach((panel) => panel.dispose());
    this.panels.clear();
    [...this.notices].forEach((panel) => panel.dispose());
    this.notices.clear();
  }

  private adopt(webviewPanel: vscode.WebviewPanel, content: ResultPanelContent, framesPerSecond: number): void {
    const key = panelKey(content);
    const panel = new ResultPanel(this.extensionUri, webviewPanel, content, framesPerSecond, () => {
      if (this.panels.get(key) === panel) {
        this.panels.delete(key);
      }
    });
    this.panels.set(key, panel);
  }

  private showNotice(webviewPanel: vscode.WebviewPanel, sidecarPath: string | undefined): void {
    this.notices.add(webviewPanel);
    webviewPanel.onDidDispose(() => this.notices.delete(webviewPanel));
    // No script: the state the webview saved stays as it was, so the panel comes back if the files do.
    webviewPanel.webview.options = { enableScripts: false, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] };
    webviewPanel.title = vscode.l10n.t('Multiview: result not found');
    const webview = webviewPanel.webview;
    const name = sidecarPath ? path.basename(sidecarPath) : '';
    const language = vscode.l10n.bundle ? vscode.env.language : 'en';
    webview.html = html`<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource};">
<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'))}">
<title>${vscode.l10n.t('Multiview: result not found')}</title>
</head>
<body>
<main id="result-missing">
  <h1>${vscode.l10n.t('This result was moved or deleted')}</h1>
  <p>${name ? vscode.l10n.t('Its files ({0} and the images beside it) are no longer where they were saved. Generate again, or open the result from its new place.', name) : vscode.l10n.t('Generate again, or open the result from its new place.')}</p>
</main>
</body>
</html>`.value;
  }
}

/**
 * A saved result's panel content, read from its sidecar (which must be in a workspace folder: the source image
 * path it records is relative to that folder). Throws when the sidecar or its grid is gone or unreadable.
 */
async function loadSavedContent(sidecarUri: vscode.Uri): Promise<ResultPanelContent> {
  const folder = sidecarUri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(sidecarUri) : undefined;
  if (!folder) {
    throw new Error(vscode.l10n.t('it is not in a folder of this workspace.'));
  }
  const saved = await readSavedResult(sidecarUri.fsPath, folder.uri.fsPath);
  await fs.access(saved.gridPath);
  return {
    imageUri: vscode.Uri.file(saved.sourceImagePath),
    gridUri: vscode.Uri.file(saved.gridPath),
    sidecarUri,
    sidecar: saved.sidecar,
    savedPath: vscode.workspace.asRelativePath(path.dirname(saved.gridPath), false),
  };
}

function panelKey(content: ResultPanelContent): string {
  return content.imageUri.toString();
}

class ResultPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private content: ResultPanelContent;
  private exporting = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    content: ResultPanelContent,
    private framesPerSecond: number,
    onDisposed: () => void,
  ) {
    this.content = content;
    this.panel.title = panelTitle(content);
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'panel-icon.svg');
    this.panel.onDidDispose(() => {
      onDisposed();
      this.dispose();
    }, undefined, this.disposables);
    this.panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message), undefined, this.disposables);
    this.render();
  }

  update(content: ResultPanelContent): void {
    this.content = content;
    this.panel.title = panelTitle(content);
    this.panel.webview.options = webviewOptions(this.extensionUri, content);
    this.render();
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel.dispose();
    this.disposables.splice(0).forEach((disposable) => disposable.dispose());
  }

  private async handleMessage(message: unknown): Promise<void> {
    if (!isFromPanelMessage(message)) {
      return;
    }
    if (message.type === 'reveal') {
      await vscode.commands.executeCommand('revealInExplorer', this.content.gridUri);
    } else if (message.type === 'open') {
      await vscode.commands.executeCommand('vscode.open', this.fileUri(message.file), vscode.ViewColumn.Active);
    } else {
      this.framesPerSecond = clampFramesPerSecond(message.framesPerSecond);
      await this.exportAnimation();
    }
  }

  private fileUri(file: PanelFile): vscode.Uri {
    return file === 'grid' ? this.content.gridUri : this.content.sidecarUri;
  }

  /** "Export Animation": the turntable as `<stem>-turntable.gif` beside the grid, never over an existing file. */
  private async exportAnimation(): Promise<void> {
    if (this.exporting) {
      return;
    }
    this.exporting = true;
    try {
      const written = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Multiview: exporting the turntable…') },
        () => this.writeAnimation(),
      );
      void this.announceAnimation(written.uri, written.inputSkipped);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(vscode.l10n.t('Multiview: the animation could not be exported: {0}', reason));
    } finally {
      this.exporting = false;
      void this.panel.webview.postMessage({ type: 'exportFinished' } satisfies ToPanelMessage);
    }
  }

  private async writeAnimation(): Promise<{ uri: vscode.Uri; inputSkipped?: string }> {
    const { gridUri, imageUri, sidecar } = this.content;
    const folder = path.dirname(gridUri.fsPath);
    const viewPaths = sortedViews(sidecar).map((view) => path.join(folder, path.basename(view.file)));
    const views = await Promise.all(viewPaths.map((file) => fs.readFile(file)));
    const input = await fs.readFile(imageUri.fsPath).catch(() => undefined);
    const turntable = loadCodecs().encodeTurntableGif({ input, views, framesPerSecond: this.framesPerSecond });
    const stem = path.basename(gridUri.fsPath, path.extname(gridUri.fsPath)) + TURNTABLE_SUFFIX;
    const [written] = await writeNewFiles(folder, stem, [{ suffix: '.gif', content: turntable.gif }]);
    return { uri: vscode.Uri.file(written), inputSkipped: turntable.inputSkipped };
  }

  private async announceAnimation(uri: vscode.Uri, inputSkipped: string | undefined): Promise<void> {
    const name = path.basename(uri.fsPath);
    const saved =
      inputSkipped === 'webp'
        ? vscode.l10n.t('Multiview: saved {0} with the six views only: a WebP input cannot be decoded here.', name)
        : inputSkipped
          ? vscode.l10n.t('Multiview: saved {0} with the six views only: the input image could not be read.', name)
          : vscode.l10n.t('Multiview: saved {0}.', name);
    const open = vscode.l10n.t('Open');
    const reveal = vscode.l10n.t('Reveal in Explorer');
    const action = await vscode.window.showInformationMessage(saved, open, reveal);
    if (action === open) {
      await vscode.commands.executeCommand('vscode.open', uri, vscode.ViewColumn.Active);
    } else if (action === reveal) {
      await vscode.commands.executeCommand('revealInExplorer', uri);
    }
  }

  private render(): void {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const media = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments));
    const { sidecar } = this.content;
    const parameters = sidecar.parameters;
    const rows: [string, keyof typeof parameters, unknown][] = [
      [vscode.l10n.t('Prompt'), 'prompt', parameters.prompt],
      [vscode.l10n.t('Negative prompt'), 'negative_prompt', parameters.negative_prompt || '—'],
      [vscode.l10n.t('Width'), 'width', parameters.width],
      [vscode.l10n.t('Height'), 'height', parameters.height],
      [vscode.l10n.t('Inference steps'), 'num_inference_steps', parameters.num_inference_steps],
      [vscode.l10n.t('Guidance scale'), 'guidance_scale', parameters.guidance_scale],
      [vscode.l10n.t('Proxy links'), 'temp', parameters.temp],
    ];
    const notReported = vscode.l10n.t('not reported');
    const generationTime =
      sidecar.serverGenerationSeconds === null
        ? notReported
        : vscode.l10n.t('{0} s on the server', sidecar.serverGenerationSeconds.toFixed(1));
    // The saved views, beside the grid (the sidecar names them), in azimuth order; none when they were not saved.
    const gridFolder = vscode.Uri.joinPath(this.content.gridUri, '..');
    const views = sortedViews(sidecar)
      .map((view) => ({
        ...view,
        uri: webview.asWebviewUri(vscode.Uri.joinPath(gridFolder, path.basename(view.file))),
        caption: vscode.l10n.t('azimuth {0}°, elevation {1}°', view.azimuthDegrees, signedDegrees(view.elevationDegrees)),
      }));
    const inputUri = webview.asWebviewUri(this.content.imageUri);
    // The turntable's frames: the input (azimuth 0°), then the views by azimuth.
    const frames = [
      { uri: inputUri, valueText: vscode.l10n.t('input image, azimuth 0°') },
      ...views.map((view) => ({ uri: view.uri, valueText: view.caption })),
    ];
    // The page's language is the one its texts are in: English unless VS Code loaded a translation.
    const language = vscode.l10n.bundle ? vscode.env.language : 'en';
    const page: SafeHtml = html`<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; connect-src 'none'; form-action 'none';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('media', 'panel.css')}">
<title>${panelTitle(this.content)}</title>
</head>
<body data-sidecar-path="${this.content.sidecarUri.fsPath}">
<main>
  <header>
    <h1>${vscode.l10n.t('Six views of {0}', path.basename(this.content.imageUri.fsPath))}</h1>
    <p class="subtitle">${vscode.l10n.t('3 rows × 2 columns, azimuth 30° to 330° around the object · saved in {0}', this.content.savedPath)}</p>
  </header>
  <section class="images">
    <figure class="input">
      <img id="input-image" src="${inputUri}" alt="${vscode.l10n.t('Input image {0}', sidecar.sourceImage)}">
      <figcaption>${vscode.l10n.t('Input: {0}', sidecar.sourceImage)}</figcaption>
    </figure>
    <figure class="result">
      <img id="result-image" src="${webview.asWebviewUri(this.content.gridUri)}" alt="${vscode.l10n.t('Six generated views in a grid of 3 rows and 2 columns')}">
      <figcaption>${vscode.l10n.t('Views: {0}', sidecar.grid)}</figcaption>
    </figure>
  </section>
  <section id="views"${views.length === 0 ? ' hidden' : ''} aria-label="${vscode.l10n.t('The six views, by azimuth')}">
    ${views.map(
      (view) => html`<figure class="view" data-azimuth="${view.azimuthDegrees}" data-elevation="${view.elevationDegrees}">
      <img src="${view.uri}" alt="${view.caption}">
      <figcaption>${view.caption}</figcaption>
    </figure>`,
    )}
  </section>
  <section id="turntable"${views.length === 0 ? ' hidden' : ''} aria-labelledby="turntable-title">
    <h2 id="turntable-title">${vscode.l10n.t('Turntable')}</h2>
    <div id="turntable-stage" class="stage" tabindex="0" role="slider" aria-labelledby="turntable-title"
      aria-valuemin="0" aria-valuemax="${frames.length - 1}" aria-valuenow="0" aria-valuetext="${frames[0].valueText}"
      title="${vscode.l10n.t('Drag or use the arrow keys to turn')}">
      ${frames.map((frame, index) => html`<img class="frame${index === 0 ? ' current' : ''}" src="${frame.uri}" alt="" data-valuetext="${frame.valueText}">`)}
    </div>
    <div class="turntable-controls">
      <button id="turntable-play" type="button" aria-controls="turntable-stage" data-play-label="${vscode.l10n.t('Play')}" data-pause-label="${vscode.l10n.t('Pause')}">${vscode.l10n.t('Play')}</button>
      <label for="turntable-speed">${vscode.l10n.t('Speed')}</label>
      <input id="turntable-speed" type="range" min="${MIN_FRAMES_PER_SECOND}" max="${MAX_FRAMES_PER_SECOND}" step="1" value="${this.framesPerSecond}">
      <output id="turntable-speed-value" for="turntable-speed" data-template="${vscode.l10n.t('{0} frames per second', '{0}')}">${vscode.l10n.t('{0} frames per second', this.framesPerSecond)}</output>
      <button id="export-animation" type="button" class="secondary" data-action="exportAnimation">${vscode.l10n.t('Export Animation')}</button>
    </div>
  </section>
  <section class="details">
    <h2>${vscode.l10n.t('Parameters')}</h2>
    <dl id="parameters">
      ${rows.map(([label, name, value]) => html`<dt>${label}</dt><dd data-param="${name}">${value}</dd>`)}
    </dl>
    <dl>
      <dt>${vscode.l10n.t('Seed')}</dt><dd id="seed">${sidecar.seed ?? notReported}</dd>
      <dt>${vscode.l10n.t('Generation time')}</dt><dd id="generation-time">${generationTime}</dd>
      <dt>${vscode.l10n.t('Job')}</dt><dd id="job-id">${sidecar.jobId}</dd>
      <dt>${vscode.l10n.t('Saved in')}</dt><dd id="saved-path">${this.content.savedPath}</dd>
    </dl>
    <details id="server-meta">
      <summary>${vscode.l10n.t('Details from the server')}</summary>
      <dl>
        ${Object.entries(sidecar.meta).map(([name, value]) => html`<dt>${name}</dt><dd data-meta="${name}">${typeof value === 'string' ? value : JSON.stringify(value)}</dd>`)}
      </dl>
    </details>
    <div class="actions">
      <button id="open-grid" data-action="open" data-file="grid">${vscode.l10n.t('Open Image')}</button>
      <button id="open-sidecar" data-action="open" data-file="sidecar" class="secondary">${vscode.l10n.t('Open Metadata')}</button>
      <button id="reveal" data-action="reveal" class="secondary">${vscode.l10n.t('Reveal in Explorer')}</button>
    </div>
  </section>
</main>
<script nonce="${nonce}" src="${media('dist', 'webview.js')}"></script>
</body>
</html>`;
    webview.html = page.value;
  }
}

function panelTitle(content: ResultPanelContent): string {
  return vscode.l10n.t('Multiview: {0}', path.basename(content.imageUri.fsPath));
}

/** Only what the page shows: the extension's assets, the input image's folder and the output folder. */
function webviewOptions(extensionUri: vscode.Uri, content: ResultPanelContent): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableForms: false,
    enableCommandUris: false,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'media'),
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(content.imageUri, '..'),
      vscode.Uri.joinPath(content.gridUri, '..'),
    ],
  };
}

/** The saved views in azimuth order (the turntable's order); none when they were not saved. */
function sortedViews(sidecar: Sidecar): Sidecar['views'] {
  return [...(sidecar.views ?? [])].sort((a, b) => a.azimuthDegrees - b.azimuthDegrees);
}
