/**
 * The result panel: the input image, the grid, the parameters used and buttons to open or reveal the saved
 * files. Content is rendered into the HTML (escaped) so it reads without scripts; one panel per source image.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signedDegrees } from '../core/grid';
import { html, type SafeHtml } from '../core/html';
import type { Sidecar } from '../core/sidecar';
import { isFromPanelMessage, type PanelFile } from '../shared/messages';

export const RESULT_PANEL_VIEW_TYPE = 'multiview.result';

export interface ResultPanelContent {
  imageUri: vscode.Uri;
  gridUri: vscode.Uri;
  sidecarUri: vscode.Uri;
  sidecar: Sidecar;
  /** The grid's folder, relative to the workspace, for display. */
  savedPath: string;
}

export class ResultPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(content: ResultPanelContent): void {
    const key = content.imageUri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.update(content);
      existing.reveal();
      return;
    }
    const panel = new ResultPanel(this.extensionUri, content, () => this.panels.delete(key));
    this.panels.set(key, panel);
  }

  dispose(): void {
    [...this.panels.values()].forEach((panel) => panel.dispose());
    this.panels.clear();
  }
}

class ResultPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private content: ResultPanelContent;

  constructor(
    private readonly extensionUri: vscode.Uri,
    content: ResultPanelContent,
    onDisposed: () => void,
  ) {
    this.content = content;
    this.panel = vscode.window.createWebviewPanel(
      RESULT_PANEL_VIEW_TYPE,
      panelTitle(content),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, enableForms: false, enableCommandUris: false, localResourceRoots: resourceRoots(extensionUri, content) },
    );
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
    this.panel.webview.options = { ...this.panel.webview.options, localResourceRoots: resourceRoots(this.extensionUri, content) };
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
    } else {
      await vscode.commands.executeCommand('vscode.open', this.fileUri(message.file), vscode.ViewColumn.Active);
    }
  }

  private fileUri(file: PanelFile): vscode.Uri {
    return file === 'grid' ? this.content.gridUri : this.content.sidecarUri;
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
    const views = [...(sidecar.views ?? [])]
      .sort((a, b) => a.azimuthDegrees - b.azimuthDegrees)
      .map((view) => ({
        ...view,
        uri: webview.asWebviewUri(vscode.Uri.joinPath(gridFolder, path.basename(view.file))),
        caption: vscode.l10n.t('azimuth {0}°, elevation {1}°', view.azimuthDegrees, signedDegrees(view.elevationDegrees)),
      }));
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
<body>
<main>
  <header>
    <h1>${vscode.l10n.t('Six views of {0}', path.basename(this.content.imageUri.fsPath))}</h1>
    <p class="subtitle">${vscode.l10n.t('3 rows × 2 columns, azimuth 30° to 330° around the object · saved in {0}', this.content.savedPath)}</p>
  </header>
  <section class="images">
    <figure class="input">
      <img id="input-image" src="${webview.asWebviewUri(this.content.imageUri)}" alt="${vscode.l10n.t('Input image {0}', sidecar.sourceImage)}">
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
function resourceRoots(extensionUri: vscode.Uri, content: ResultPanelContent): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, 'media'),
    vscode.Uri.joinPath(extensionUri, 'dist'),
    vscode.Uri.joinPath(content.imageUri, '..'),
    vscode.Uri.joinPath(content.gridUri, '..'),
  ];
}
