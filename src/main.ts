/**
 * The features (dist/main.js), loaded by the activation shim (extension.ts) the first time a contribution is used:
 * the composition root. It configures the translations once, makes the shared services, and answers the shim with
 * a handler for every command, restored panel and tree view the manifest declares.
 */
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from './commands';
import { ApiKeyStore, apiKeyCommands } from './vscode/apiKeyStore';
import { ImageEngine } from './image/engine';
import { generateCommands } from './vscode/generate/generateCommands';
import { removeBackgroundCommands } from './vscode/generate/removeBackgroundCommand';
import { tryWithSample } from './vscode/generate/sampleImage';
import { HistoryProvider } from './vscode/history/historyProvider';
import { historyCommands } from './vscode/history/historyCommands';
import { PendingJobStore } from './vscode/jobs/pendingJobStore';
import { resumePendingJobs } from './vscode/jobs/resumePendingJobs';
import { RunningJobs } from './vscode/jobs/runningJobs';
import { RESULT_PANEL_VIEW_TYPE, ResultPanels } from './vscode/panel/resultPanels';
import type { ExtensionServices } from './vscode/services';
import { agentTools } from './vscode/tools/agentTools';
import { exportCommands } from './vscode/exports/exportCommands';
import { modelCommands } from './vscode/model/modelCommands';
import { MODEL_EDITOR_VIEW_TYPE, ModelEditorProvider, openModel } from './vscode/model/modelEditor';

const HISTORY_VIEW_ID = 'multiview.history';

/** What the activation shim calls, for the contributions of package.json. */
export interface Features {
  runCommand(id: string, args: unknown[]): unknown;
  revivePanel(viewType: string, panel: vscode.WebviewPanel, state: unknown): Thenable<void>;
  treeDataProvider(viewId: string, view: vscode.TreeView<unknown>): vscode.TreeDataProvider<unknown>;
  resumePendingJobs(): Promise<void>;
  tool(name: string): vscode.LanguageModelTool<unknown>;
  customEditor(viewType: string): vscode.CustomReadonlyEditorProvider;
}

export function activateFeatures(context: vscode.ExtensionContext): Features {
  // The pure modules translate with @vscode/l10n: hand it VS Code's translations for this extension, once.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
  const log = vscode.window.createOutputChannel('Multiview', { log: true });
  // Every pixel operation runs in this worker (started on first use, stopped when idle), never on this thread.
  const engine = new ImageEngine({
    workerScript: context.asAbsolutePath('dist/imageWorker.js'),
    wasmDir: context.asAbsolutePath('dist/wasm'),
    log: (line) => log.debug(line),
  });
  const services: ExtensionServices = {
    apiKeys: new ApiKeyStore(context.secrets),
    panels: new ResultPanels(context.extensionUri, log),
    jobs: new RunningJobs(),
    pending: new PendingJobStore(context.workspaceState),
    log,
    globalState: context.globalState,
    extensionVersion: String(context.extension.packageJSON.version),
    extensionUri: context.extensionUri,
    engine,
  };
  let history: HistoryProvider | undefined;
  let modelEditor: ModelEditorProvider | undefined;
  context.subscriptions.push(log, engine, services.jobs, services.panels, { dispose: () => history?.dispose() });

  const tools: Partial<Record<string, vscode.LanguageModelTool<unknown>>> = agentTools(services);
  const commands: CommandHandlers = {
    ...generateCommands(services),
    ...removeBackgroundCommands(services),
    ...modelCommands(services),
    ...exportCommands(services),
    ...apiKeyCommands(services.apiKeys),
    ...historyCommands(() => history?.refresh(), services.panels),
    [COMMANDS.showRunningJobs]: () => services.jobs.showList(),
    [COMMANDS.tryWithSample]: () => tryWithSample(context.extensionUri),
    [COMMANDS.openResult]: (sidecar) => services.panels.openSaved(sidecar),
    [COMMANDS.openModel]: openModel,
  };

  return {
    runCommand: (id, args) => {
      const handler = (commands as Partial<Record<string, (...args: unknown[]) => unknown>>)[id];
      if (!handler) throw new Error(`Multiview has no handler for the command ${id}.`);
      return handler(...args);
    },
    revivePanel: (viewType, panel, state) => {
      if (viewType !== RESULT_PANEL_VIEW_TYPE) throw new Error(`Multiview cannot restore panels of type ${viewType}.`);
      return services.panels.revive(panel, state);
    },
    treeDataProvider: (viewId, view) => {
      if (viewId !== HISTORY_VIEW_ID) throw new Error(`Multiview has no tree view ${viewId}.`);
      history ??= new HistoryProvider(view, log);
      return history as vscode.TreeDataProvider<unknown>;
    },
    customEditor: (viewType) => {
      if (viewType !== MODEL_EDITOR_VIEW_TYPE) throw new Error(`Multiview has no editor ${viewType}.`);
      return (modelEditor ??= new ModelEditorProvider(context.extensionUri, log));
    },
    tool: (name) => {
      const tool = tools[name];
      if (!tool) throw new Error(`Multiview has no language-model tool ${name}.`);
      return tool;
    },
    resumePendingJobs: () =>
      resumePendingJobs(services).catch((error: unknown) => log.error(`Resuming queued jobs failed: ${error instanceof Error ? error.message : String(error)}`)),
  };
}
