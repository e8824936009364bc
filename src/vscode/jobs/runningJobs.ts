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
  /** Fired when a job starts, changes stage or ends: an open list follows it. */
  private readonly changed = new vscode.EventEmitter<void>();

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
    this.changed.dispose();
  }

  private render(): void {
    this.changed.fire();
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
    const placeholder = vscode.l10n.t('Use the × button to cancel a job');
    // Rebuilt on every change while open (a stage moves on, a job ends), keeping the row the person is on.
    const refresh = () => {
      const activeJob = pick.activeItems[0]?.job;
      pick.items = [...this.jobs].map((job) => ({ label: job.imageName, detail: job.stage, buttons: [cancelButton], job }));
      const stillActive = pick.items.find((item) => item.job === activeJob);
      if (stillActive) pick.activeItems = [stillActive];
      pick.placeholder = pick.items.length ? placeholder : vscode.l10n.t('No Multiview job is running.');
    };
    pick.title = vscode.l10n.t('Multiview: Running Jobs');
    refresh();
    const listeners = [
      this.changed.event(refresh),
      pick.onDidTriggerItemButton(({ item }) => {
        item.job.cancel();
        this.jobs.delete(item.job);
        this.render();
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
