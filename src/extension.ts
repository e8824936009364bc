import * as vscode from 'vscode';
import { ApiKeyStore, registerApiKeyCommands } from './vscode/apiKeyStore';
import { registerGenerateCommands } from './vscode/generateCommand';
import { registerResultPanels } from './vscode/resultPanel';
import { RunningJobs } from './vscode/runningJobs';
import { registerSampleCommand } from './vscode/sampleImage';

export function activate(context: vscode.ExtensionContext): void {
  const apiKeys = new ApiKeyStore(context.secrets);
  const panels = registerResultPanels(context);
  const jobs = new RunningJobs();
  const log = vscode.window.createOutputChannel('Multiview', { log: true });
  context.subscriptions.push(
    log,
    jobs,
    registerApiKeyCommands(apiKeys),
    registerGenerateCommands({ context, apiKeys, panels, jobs, log }),
    registerSampleCommand(context.extensionUri),
  );
}

export function deactivate(): void {}
