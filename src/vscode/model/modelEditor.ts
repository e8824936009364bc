/**
 * The 3D model viewer as a read-only editor for .glb, .gltf, .obj, .stl and .ply files (priority "option": it never
 * takes over a file by default; "Open 3D Model" in the Explorer, or Reopen Editor With…, opens it). The file's bytes
 * are read through workspace.fs (so virtual file systems work too) and handed to the viewer once it listens.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isModelFormat, isFromViewerMessage, type ModelFormat } from '../../shared/viewerMessages';
import { pageEnvironment, sendModelToViewer } from '../panel/resultPanel';
import { renderModelPage } from '../panel/resultPage';

export const MODEL_EDITOR_VIEW_TYPE = 'multiview.modelViewer';

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const { uri } = document;
    const format = formatOf(uri);
    const folder = vscode.Uri.joinPath(uri, '..');
    const fetchesResources = format === 'gltf';
    panel.webview.options = {
      enableScripts: true,
      enableForms: false,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist'), folder],
    };
    const env = pageEnvironment(panel.webview, this.extensionUri, { script: false, viewer: true });
    panel.webview.html = renderModelPage({ title: path.basename(uri.path), fileName: path.basename(uri.path), fetchesResources }, { ...env, viewer: env.viewer! });
    const subscription = panel.webview.onDidReceiveMessage(async (message: unknown) => {
      if (!isFromViewerMessage(message)) return;
      if (message.type === 'error') {
        this.log.warn(`3D view of ${path.basename(uri.path)}: ${message.reason}${message.detail ? ` (${message.detail})` : ''}`);
      }
      if (message.type !== 'ready') return;
      const bytes = await vscode.workspace.fs.readFile(uri).then(undefined, () => undefined);
      sendModelToViewer(panel.webview, {
        format,
        name: path.basename(uri.path),
        bytes,
        ...(fetchesResources ? { baseUri: `${panel.webview.asWebviewUri(folder).toString()}/` } : {}),
      });
    });
    panel.onDidDispose(() => subscription.dispose());
  }
}

function formatOf(uri: vscode.Uri): ModelFormat {
  const extension = path.extname(uri.path).slice(1).toLowerCase();
  return isModelFormat(extension) ? extension : 'glb';
}

/** `multiview.openModel`: the clicked (or active) model file in the viewer. */
export async function openModel(uri: unknown): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (target) {
    await vscode.commands.executeCommand('vscode.openWith', target, MODEL_EDITOR_VIEW_TYPE);
  }
}
