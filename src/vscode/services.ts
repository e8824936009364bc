/**
 * The long-lived objects every feature shares, made once by main.ts (the composition root) and handed down.
 * Each is disposed by the extension's context; none is a module-level global.
 */
import type * as vscode from 'vscode';
import type { ImageEngine } from '../image/engine';
import type { ApiKeyStore } from './apiKeyStore';
import type { PendingJobStore } from './jobs/pendingJobStore';
import type { RunningJobs } from './jobs/runningJobs';
import type { ResultPanels } from './panel/resultPanels';

export interface ExtensionServices {
  apiKeys: ApiKeyStore;
  panels: ResultPanels;
  jobs: RunningJobs;
  pending: PendingJobStore;
  log: vscode.LogOutputChannel;
  /** Where the last answers of the quick input are remembered (user-wide, like VS Code's own recent lists). */
  globalState: vscode.Memento;
  /** Recorded in each sidecar. */
  extensionVersion: string;
  extensionUri: vscode.Uri;
  /** Every pixel operation, in a worker thread: never on the extension host's own thread. */
  engine: ImageEngine;
}
