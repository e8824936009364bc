/**
 * One result panel: its webview's options, its page (resultPage.ts renders it), the user's actions from the page
 * (open or reveal a file, export the turntable) and its life until the user closes it.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SavedResult } from '../../core/readSidecar';
import { exportTurntable, viewsByAzimuth } from '../../core/turntableExport';
import { clampFramesPerSecond, isFromPanelMessage, type PanelFile, type ToPanelMessage } from '../../shared/messages';
import { showError, showInformation } from '../notifications';
import { type PageEnvironment, renderResultPage } from './resultPage';

export class ResultPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private exporting = false;
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
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
    if (!isFromPanelMessage(message)) {
      return;
    }
    if (message.type === 'reveal') {
      await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(this.result.gridPath));
    } else if (message.type === 'open') {
      await vscode.commands.executeCommand('vscode.open', this.fileUri(message.file), vscode.ViewColumn.Active);
    } else {
      this.framesPerSecond = clampFramesPerSecond(message.framesPerSecond);
      await this.exportAnimation();
    }
  }

  private fileUri(file: PanelFile): vscode.Uri {
    return vscode.Uri.file(file === 'grid' ? this.result.gridPath : this.result.sidecarPath);
  }

  /** "Export Animation": the turntable as `<stem>-turntable.gif` beside the grid, never over an existing file. */
  private async exportAnimation(): Promise<void> {
    if (this.exporting) {
      return;
    }
    this.exporting = true;
    try {
      const exported = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Multiview: exporting the turntable…') },
        () => exportTurntable(this.result, this.framesPerSecond),
      );
      void announceAnimation(vscode.Uri.file(exported.path), exported.inputSkipped);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void showError(vscode.l10n.t('The animation could not be exported: {0}', reason));
    } finally {
      this.exporting = false;
      if (!this.disposed) {
        void this.panel.webview.postMessage({ type: 'exportFinished' } satisfies ToPanelMessage);
      }
    }
  }

  private render(): void {
    const webview = this.panel.webview;
    const { result } = this;
    this.panel.title = ResultPanel.titleOf(result);
    const asUri = (file: string) => webview.asWebviewUri(vscode.Uri.file(file)).toString();
    webview.html = renderResultPage(
      {
        title: ResultPanel.titleOf(result),
        imageName: path.basename(result.sourceImagePath),
        sidecarPath: result.sidecarPath,
        savedPath: vscode.workspace.asRelativePath(path.dirname(result.gridPath), false),
        inputUri: asUri(result.sourceImagePath),
        gridUri: asUri(result.gridPath),
        views: viewsByAzimuth(result).map((view) => ({ uri: asUri(view.path), azimuthDegrees: view.azimuthDegrees, elevationDegrees: view.elevationDegrees })),
        sidecar: result.sidecar,
        framesPerSecond: this.framesPerSecond,
      },
      pageEnvironment(webview, this.extensionUri, { script: true }),
    );
  }
}

/** Where a page of this extension is shown: the webview's CSP source, a fresh nonce, the language, the assets. */
export function pageEnvironment(webview: vscode.Webview, extensionUri: vscode.Uri, { script }: { script: boolean }): PageEnvironment {
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  return {
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    // The page's language is the one its texts are in: English unless VS Code loaded a translation.
    language: vscode.l10n.bundle ? vscode.env.language : 'en',
    stylesheetUri: asset('media', 'panel.css'),
    ...(script ? { scriptUri: asset('dist', 'webview.js') } : {}),
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

async function announceAnimation(uri: vscode.Uri, inputSkipped: string | undefined): Promise<void> {
  const name = path.basename(uri.fsPath);
  const saved =
    inputSkipped === 'webp'
      ? vscode.l10n.t('saved {0} with the six views only: a WebP input cannot be decoded here.', name)
      : inputSkipped
        ? vscode.l10n.t('saved {0} with the six views only: the input image could not be read.', name)
        : vscode.l10n.t('saved {0}.', name);
  const open = vscode.l10n.t('Open');
  const reveal = vscode.l10n.t('Reveal in Explorer');
  const action = await showInformation(saved, open, reveal);
  if (action === open) {
    await vscode.commands.executeCommand('vscode.open', uri, vscode.ViewColumn.Active);
  } else if (action === reveal) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
  }
}
