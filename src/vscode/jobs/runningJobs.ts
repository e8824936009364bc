/**
 * Running generations in the status bar: a discreet spinner with a count while any job runs; clicking it lists
 * them with their current stage, and each can be cancelled from there.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../commands';

interface RunningJob {
  readonly imageName: string;
  stage: string;
  readonly cancel: () => void;
}

export interface JobHandle {
  update(stage: string): void;
  end(): void;
}

export class RunningJobs implements vscode.Disposable {
  private readonly jobs = new Set<RunningJob>();
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('multiview.runningJobs', vscode.StatusBarAlignment.Left, 0);
    this.item.name = vscode.l10n.t('Multiview Jobs');
    this.item.command = COMMANDS.showRunningJobs;
  }

  start(imageName: string, cancel: () => void): JobHandle {
    const job: RunningJob = { imageName, stage: vscode.l10n.t('Starting…'), cancel };
    this.jobs.add(job);
    this.render();
    return {
      update: (stage) => {
        job.stage = stage;
        this.render();
      },
      end: () => {
        this.jobs.delete(job);
        this.render();
      },
    };
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    void vscode.commands.executeCommand('setContext', 'multiview.jobsRunning', this.jobs.size > 0);
    if (this.jobs.size === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) Multiview ${this.jobs.size}`;
    this.item.tooltip = [...this.jobs]
      .map((job) =>
        vscode.l10n.t({ message: '{0}: {1}', args: [job.imageName, job.stage], comment: 'A running job: {0} is the image’s file name, {1} the current stage, e.g. "Uploading image…".' }),
      )
      .join('\n');
    this.item.accessibilityInformation = { label: vscode.l10n.t('Multiview: {0} running', this.jobs.size), role: 'button' };
    this.item.show();
  }

  /** `multiview.showRunningJobs`: the running jobs with their stage; the × button cancels one. */
  async showList(): Promise<void> {
    if (this.jobs.size === 0) {
      return;
    }
    const cancelButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('close'), tooltip: vscode.l10n.t('Cancel this job') };
    type JobItem = vscode.QuickPickItem & { job: RunningJob };
    const pick = vscode.window.createQuickPick<JobItem>();
    const refresh = () => (pick.items = [...this.jobs].map((job) => ({ label: job.imageName, detail: job.stage, buttons: [cancelButton], job })));
    pick.title = vscode.l10n.t('Multiview: Running Jobs');
    pick.placeholder = vscode.l10n.t('Use the × button to cancel a job');
    refresh();
    const listeners = [
      pick.onDidTriggerItemButton(({ item }) => {
        item.job.cancel();
        this.jobs.delete(item.job);
        this.render();
        refresh();
      }),
      pick.onDidAccept(() => pick.hide()),
      pick.onDidHide(() => {
        listeners.forEach((listener) => listener.dispose());
        pick.dispose();
      }),
    ];
    pick.show();
  }
}
