/**
 * The activation bundle (dist/extension.js): registrations only. Each contribution package.json declares (commands,
 * restorable panels, tree views, custom editors, language-model tools) is registered with a stand-in that loads the
 * features (dist/main.js, `main.ts`) the first time it is used, so a window where Multiview is not used pays about a
 * millisecond for it. Nothing here knows a feature; adding one is a manifest entry and its handler in main.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as Main from './main';

/** The parts of package.json read here. */
interface Manifest {
  activationEvents?: string[];
  contributes?: {
    commands?: { command: string }[];
    views?: Record<string, { id: string }[]>;
    languageModelTools?: { name: string }[];
    customEditors?: { viewType: string }[];
  };
}

export function activate(context: vscode.ExtensionContext): void {
  let features: Main.Features | undefined;
  // A computed path keeps esbuild from inlining main.js: it stays a bundle of its own, loaded here on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load, on the first call only
  const load = (): Main.Features => (features ??= (require(path.join(__dirname, 'main.js')) as typeof Main).activateFeatures(context));
  const manifest = context.extension.packageJSON as Manifest;

  for (const { command } of manifest.contributes?.commands ?? []) {
    context.subscriptions.push(vscode.commands.registerCommand(command, (...args: unknown[]) => load().runCommand(command, args)));
  }
  for (const viewType of (manifest.activationEvents ?? []).flatMap((event) => /^onWebviewPanel:(.+)$/.exec(event)?.[1] ?? [])) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(viewType, { deserializeWebviewPanel: (panel, state) => load().revivePanel(viewType, panel, state) }),
    );
  }
  for (const { id } of Object.values(manifest.contributes?.views ?? {}).flat()) {
    context.subscriptions.push(registerLazyTreeView(id, load));
  }
  for (const { viewType } of manifest.contributes?.customEditors ?? []) {
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(viewType, {
        openCustomDocument: (uri, openContext, token) => load().customEditor(viewType).openCustomDocument(uri, openContext, token),
        resolveCustomEditor: (document, panel, token) => load().customEditor(viewType).resolveCustomEditor(document, panel, token),
      }),
    );
  }
  for (const { name } of manifest.contributes?.languageModelTools ?? []) {
    context.subscriptions.push(
      vscode.lm.registerTool<unknown>(name, {
        prepareInvocation: (options, token) => load().tool(name).prepareInvocation?.(options, token),
        invoke: (options, token) => load().tool(name).invoke(options, token),
      }),
    );
  }
  // Workspace state holds nothing but the jobs a window left queued (vscode/jobs/pendingJobStore.ts): when it holds
  // anything, a reload interrupted a job, and it is picked up now.
  if (context.workspaceState.keys().length > 0) {
    void load().resumePendingJobs();
  }
}

export function deactivate(): void {}

/** The tree view, shown at once; its data comes from the features, loaded when the view first asks for rows. */
function registerLazyTreeView(id: string, load: () => Main.Features): vscode.Disposable {
  const changed = new vscode.EventEmitter<unknown>();
  let provider: vscode.TreeDataProvider<unknown> | undefined;
  let forwarding: vscode.Disposable | undefined;
  const real = (): vscode.TreeDataProvider<unknown> => {
    if (!provider) {
      provider = load().treeDataProvider(id, view);
      forwarding = provider.onDidChangeTreeData?.((node) => changed.fire(node));
    }
    return provider;
  };
  const view: vscode.TreeView<unknown> = vscode.window.createTreeView<unknown>(id, {
    treeDataProvider: {
      onDidChangeTreeData: changed.event,
      getChildren: (node) => real().getChildren(node),
      getTreeItem: (node) => real().getTreeItem(node),
    },
    showCollapseAll: true,
    // Several results selected: "Make 3D Model" makes one for each.
    canSelectMany: true,
  });
  return vscode.Disposable.from(view, changed, { dispose: () => forwarding?.dispose() });
}
