/**
 * The result panels: one per source image, shown after a generation, opened from a saved result's sidecar
 * (`multiview.openResult`, the History view) and restored after a window reload from the state their webview keeps
 * (only the sidecar's path and the turntable's speed). One panel's life is resultPanel.ts; its HTML resultPage.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isFile } from '../../core/files';
import type { SavedResult } from '../../core/readSidecar';
import { DEFAULT_FRAMES_PER_SECOND, parsePanelState } from '../../shared/messages';
import { showError } from '../notifications';
import { readSavedResultInWorkspace } from '../savedResults';
import { pageEnvironment, ResultPanel, webviewOptions } from './resultPanel';
import { renderNoticePage } from './resultPage';

export const RESULT_PANEL_VIEW_TYPE = 'multiview.result';

export class ResultPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultPanel>();
  /** Restored panels whose result is gone: they show a short notice and are only closed. */
  private readonly notices = new Set<vscode.WebviewPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The panel of a result just saved (or read from its sidecar), beside the editor, without taking the focus. */
  showSaved(result: SavedResult): void {
    const existing = this.panels.get(panelKey(result));
    if (existing) {
      existing.update(result);
      existing.reveal();
      return;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      RESULT_PANEL_VIEW_TYPE,
      ResultPanel.titleOf(result),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(this.extensionUri, result),
    );
    this.adopt(webviewPanel, result, DEFAULT_FRAMES_PER_SECOND);
  }

  /** Shows `result` again in the panel that shows it now, if one does (a file was made from it); opens none. */
  refreshIfShown(result: SavedResult): void {
    for (const panel of this.panels.values()) {
      if (path.resolve(panel.sidecarPath) === path.resolve(result.sidecarPath)) panel.update(result);
    }
  }

  /** Closes the panel showing `result` when its grid is no longer on disk (a save that failed removed it). */
  async closeIfGridGone(result: SavedResult): Promise<void> {
    if (await isFile(result.gridPath)) return;
    for (const panel of this.panels.values()) {
      if (path.resolve(panel.sidecarPath) === path.resolve(result.sidecarPath)) panel.dispose();
    }
  }

  /** `multiview.openResult`: the panel of the result whose sidecar is `sidecar` (a .json file's Uri). */
  async openSaved(sidecar: unknown): Promise<void> {
    if (!(sidecar instanceof vscode.Uri)) {
      void showError(vscode.l10n.t('Choose a result’s .json file to open it.'));
      return;
    }
    try {
      this.showSaved(await readShowable(sidecar));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void showError(vscode.l10n.t('“{0}” cannot be opened as a result: {1}', path.basename(sidecar.fsPath), reason));
    }
  }

  /** A panel VS Code restores after a reload, from the state its webview saved. */
  async revive(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = parsePanelState(state);
    const result = saved && (await readShowable(vscode.Uri.file(saved.sidecarPath)).catch(() => undefined));
    if (!saved || !result) {
      this.showNotice(webviewPanel, saved?.sidecarPath);
      return;
    }
    const existing = this.panels.get(panelKey(result));
    if (existing) {
      // Two restored panels of one image (not possible through showSaved(), but a saved layout may have it): keep one.
      webviewPanel.dispose();
      existing.update(result);
      return;
    }
    webviewPanel.webview.options = webviewOptions(this.extensionUri, result);
    this.adopt(webviewPanel, result, saved.framesPerSecond);
  }

  dispose(): void {
    [...this.panels.values()].forEach((panel) => panel.dispose());
    this.panels.clear();
    [...this.notices].forEach((panel) => panel.dispose());
    this.notices.clear();
  }

  private adopt(webviewPanel: vscode.WebviewPanel, result: SavedResult, framesPerSecond: number): void {
    const key = panelKey(result);
    const panel = new ResultPanel(this.extensionUri, this.log, webviewPanel, result, framesPerSecond, () => {
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
    const title = vscode.l10n.t('Multiview: result not found');
    webviewPanel.title = title;
    const name = sidecarPath ? path.basename(sidecarPath) : '';
    webviewPanel.webview.html = renderNoticePage(
      {
        title,
        heading: vscode.l10n.t('This result was moved or deleted'),
        text: name
          ? vscode.l10n.t('Its files ({0} and the images beside it) are no longer where they were saved. Generate again, or open the result from its new place.', name)
          : vscode.l10n.t('Generate again, or open the result from its new place.'),
      },
      pageEnvironment(webviewPanel.webview, this.extensionUri, { script: false }),
    );
  }
}

/** A saved result whose grid is still there (a panel without its grid would show a broken picture). */
async function readShowable(sidecarUri: vscode.Uri): Promise<SavedResult> {
  const { result } = await readSavedResultInWorkspace(sidecarUri);
  if (!(await isFile(result.gridPath))) {
    throw new Error(vscode.l10n.t('its grid {0} is missing.', path.basename(result.gridPath)));
  }
  return result;
}

function panelKey(result: SavedResult): string {
  return path.normalize(result.sourceImagePath);
}
