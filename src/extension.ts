import * as vscode from 'vscode';
import { ApiKeyStore, registerApiKeyCommands } from './vscode/apiKeyStore';
import { registerGenerateCommands } from './vscode/generateCommand';
import { registerHistoryView } from './vscode/historyView';
import { PendingJobs, resumePendingJobs } from './vscode/pendingJobs';
import { registerResultPanels } from './vscode/resultPanel';
import { RunningJobs } from './vscode/runningJobs';
import { registerSampleCommand } from './vscode/sampleImage';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Multiview', { log: true });
  const generation = {
    context,
    apiKeys: new ApiKeyStore(context.secrets),
    panels: registerResultPanels(context),
    jobs: new RunningJobs(),
    pending: new PendingJobs(context.workspaceState),
    log,
  };
  context.subscriptions.push(
    log,
    generation.jobs,
    registerApiKeyCommands(generation.apiKeys),
    registerGenerateCommands(generation),
    registerSampleCommand(context.extensionUri),
    registerHistoryView(),
  );
  // Jobs a previous window left queued (a reload): picked up now, without holding up activation.
  resumePendingJobs(generation).catch((error: unknown) => log.error(`Resuming queued jobs failed: ${error instanceof Error ? error.message : String(error)}`));
}

export function deactivate(): void {}
