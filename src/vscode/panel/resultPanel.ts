/**
 * One result panel: its webview's options, its page (resultPage.ts renders it), the user's actions from the page
 * (open or reveal a file, export the turntable) and its life until the user closes it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SavedResult } from '../../core/readSidecar';
import { listedTransparentViews, viewsByAzimuth } from '../../core/results/resultViews';
import { COMMANDS, EXPORT_COMMANDS } from '../../commands';
import type { ExportKind } from '../../shared/exportKinds';
import { clampFramesPerSecond, isFromPanelMessage, type PanelFile, type ToPanelMessage } from '../../shared/messages';
import { type FromViewerMessage, isFromViewerMessage, type ToViewerMessage } from '../../shared/viewerMessages';
import { modelsNewestFirst, type PageEnvironment, renderResultPage } from './resultPage';

export class ResultPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly panel: vscode.WebviewPanel,
    private result: SavedResult,
    private framesPerSecond: number,
    onDisposed: () => void,
  ) {
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'panel-icon.svg');
    this.panel.onDidDispose(
      () => {
        onDisposed();
        this.dispose();
      },
      undefined,
      this.disposables,
    );
    this.panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message), undefined, this.disposables);
    this.render();
  }

  static titleOf(result: SavedResult): string {
    return vscode.l10n.t('Multiview: {0}', path.basename(result.sourceImagePath));
  }

  get sidecarPath(): string {
    return this.result.sidecarPath;
  }

  update(result: SavedResult): void {
    this.result = result;
    this.panel.webview.options = webviewOptions(this.extensionUri, result);
    this.render();
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.panel.dispose();
    this.disposables.splice(0).forEach((disposable) => disposable.dispose());
  }

  private async handleMessage(message: unknown): Promise<void> {
    if (isFromViewerMessage(message)) {
      await this.answerViewer(message);
      return;
    }
    if (!isFromPanelMessage(message)) {
      return;
    }
    switch (message.type) {
      case 'reveal':
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(this.result.gridPath));
        break;
      case 'open':
        await vscode.commands.executeCommand('vscode.open', this.fileUri(message.file), vscode.ViewColumn.Active);
        break;
      case 'makeModel':
        await vscode.commands.executeCommand(COMMANDS.makeModel, vscode.Uri.file(this.result.sidecarPath));
        break;
      case 'openExported': {
        // Only a file the sidecar lists as made from this result, beside its grid (names are bare: readSidecar).
        const listed = this.result.sidecar.exports.some((entry) => entry.files.includes(message.file));
        if (listed) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path.join(path.dirname(this.result.gridPath), message.file)), vscode.ViewColumn.Active);
        break;
      }
      case 'export':
        this.framesPerSecond = clampFramesPerSecond(message.framesPerSecond);
        await this.runExport(message.kind);
        break;
    }
  }

  /** The viewer is listening: hand it the newest model's bytes (no fetch, so the page needs no connect-src). */
  private async answerViewer(message: FromViewerMessage): Promise<void> {
    const model = modelsNewestFirst(this.result.sidecar)[0];
    if (message.type === 'error') {
      this.log.warn(`3D view of ${model?.file ?? 'a model'}: ${message.reason}${message.detail ? ` (${message.detail})` : ''}`);
    }
    if (message.type !== 'ready' || !model) {
      return;
    }
    const file = path.join(path.dirname(this.result.gridPath), model.file);
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (this.disposed) {
      return;
    }
    sendModelToViewer(this.panel.webview, { format: model.format, name: model.file, bytes });
  }

  private fileUri(file: PanelFile): vscode.Uri {
    const folder = path.dirname(this.result.gridPath);
    switch (file) {
      case 'grid':
        return vscode.Uri.file(this.result.gridPath);
      case 'sidecar':
        return vscode.Uri.file(this.result.sidecarPath);
      case 'model':
        return vscode.Uri.file(path.join(folder, modelsNewestFirst(this.result.sidecar)[0]?.file ?? path.basename(this.result.gridPath)));
    }
  }

  /** The export's command, as History and the palette run it; the button is busy until it ends. */
  private async runExport(kind: ExportKind): Promise<void> {
    const command = EXPORT_COMMANDS[kind];
    try {
      await vscode.commands.executeCommand(command, vscode.Uri.file(this.result.sidecarPath), undefined, { framesPerSecond: this.framesPerSecond });
    } finally {
      if (!this.disposed) {
        void this.panel.webview.postMessage({ type: 'exportFinished', kind } satisfies ToPanelMessage);
      }
    }
  }

  private render(): void {
    const webview = this.panel.webview;
    const { result } = this;
    this.panel.title = ResultPanel.titleOf(result);
    const asUri = (file: string) => webview.asWebviewUri(vscode.Uri.file(file)).toString();
    const folder = path.dirname(result.gridPath);
    const transparent = listedTransparentViews(result);
    webview.html = renderResultPage(
      {
        title: ResultPanel.titleOf(result),
        imageName: path.basename(result.sourceImagePath),
        sidecarPath: result.sidecarPath,
        savedPath: vscode.workspace.asRelativePath(path.dirname(result.gridPath), false),
        inputUri: asUri(result.sourceImagePath),
        gridUri: asUri(result.gridPath),
        views: (transparent?.views ?? viewsByAzimuth(result)).map((view) => ({ uri: asUri(view.path), azimuthDegrees: view.azimuthDegrees, elevationDegrees: view.elevationDegrees })),
        ...(transparent ? { transparentGrid: path.basename(transparent.gridPath) } : {}),
        sidecar: result.sidecar,
        framesPerSecond: this.framesPerSecond,
        ...(result.sidecar.subject ? { subjectUri: asUri(path.join(folder, result.sidecar.subject.file)) } : {}),
      },
      pageEnvironment(webview, this.extensionUri, { script: true, viewer: result.sidecar.models.length > 0 }),
    );
  }
}

/**
 * Hands a model file's bytes to the viewer of `webview`. A plain Uint8Array view: a Node Buffer (what fs and
 * workspace.fs return) would go through its toJSON() on the way to the webview and arrive as an object of numbers,
 * which the viewer's message check refuses. Missing bytes show the viewer's own "not a model" message.
 */
export function sendModelToViewer(webview: vscode.Webview, model: Omit<ToViewerMessage, 'type' | 'bytes' | 'uri'> & { bytes: Uint8Array | undefined }): void {
  const { bytes } = model;
  void webview.postMessage({
    ...model,
    type: 'load',
    bytes: bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(0),
  } satisfies ToViewerMessage);
}

/** Where a page of this extension is shown: the webview's CSP source, a fresh nonce, the language, the assets. */
export function pageEnvironment(webview: vscode.Webview, extensionUri: vscode.Uri, { script, viewer = false }: { script: boolean; viewer?: boolean }): PageEnvironment {
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  return {
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    // The page's language is the one its texts are in: English unless VS Code loaded a translation.
    language: vscode.l10n.bundle ? vscode.env.language : 'en',
    stylesheetUri: asset('media', 'panel.css'),
    ...(script ? { scriptUri: asset('dist', 'webview.js') } : {}),
    ...(viewer ? { viewer: { scriptUri: asset('dist', 'viewer.js'), stylesheetUri: asset('media', 'viewer.css') } } : {}),
  };
}

/** Only what the page shows: the extension's assets, the input image's folder and the output folder. */
export function webviewOptions(extensionUri: vscode.Uri, result: SavedResult): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableForms: false,
    enableCommandUris: false,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'media'),
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.file(path.dirname(result.sourceImagePath)),
      vscode.Uri.file(path.dirname(result.gridPath)),
    ],
  };
}
