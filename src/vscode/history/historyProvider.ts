/**
 * The History view's data: past results found from their sidecars, grouped by source image, newest first. Nothing
 * is scanned until the view is shown; then a file watcher (debounced) keeps it current while it is visible, and a
 * change while it is hidden is caught up when it is shown again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runBatch } from '../../core/batch';
import { isFile } from '../../core/files';
import { groupBySourceImage, MAX_SIDECARS, maybeSidecar, SIDECAR_GLOB } from '../../core/history';
import type { SavedResult } from '../../core/readSidecar';
import { readSavedResultInWorkspace } from '../savedResults';
import type { GroupNode, HistoryNode, ResultNode } from './historyNodes';
import { groupItem, resultItem } from './historyItems';

/** A burst of writes (a generation saves eight files and a sidecar) becomes one rescan. */
const REFRESH_DEBOUNCE_MS = 400;
/** Sidecars read at once. */
const READ_CONCURRENCY = 16;

export interface HistoryScan {
  groups: GroupNode[];
  resultNodes: Map<string, ResultNode>;
  /** More sidecars than MAX_SIDECARS were found: only the first ones are listed. */
  truncated: boolean;
}

export class HistoryProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly scanned = new vscode.EventEmitter<HistoryScan>();
  /** After each scan of the workspace. */
  readonly onDidScan = this.scanned.event;
  private scan: Promise<HistoryScan> | undefined;
  private watcher: vscode.Disposable | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** A change arrived while the view was hidden: rescan when it is shown again. */
  private stale = false;
  private readonly subscriptions: vscode.Disposable[];

  /** `view`: the tree this provider fills (its visibility decides when to scan; its message says when a list is cut). */
  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      view.onDidChangeVisibility(({ visible }) => {
        if (visible && this.stale) this.refresh();
      }),
      this.onDidScan(({ truncated }) => {
        view.message = truncated ? vscode.l10n.t('Showing the results of the first {0} sidecars found.', MAX_SIDECARS) : undefined;
      }),
    ];
  }

  refresh(): void {
    clearTimeout(this.debounce);
    this.scan = undefined;
    if (!this.view.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.changed.fire(undefined);
  }

  async getChildren(node?: HistoryNode): Promise<HistoryNode[]> {
    if (node?.kind === 'result') return [];
    this.ensureWatching();
    this.scan ??= this.load();
    const scan = await this.scan;
    if (!node) return scan.groups;
    return node.group.results.map((result) => scan.resultNodes.get(result.sidecarPath)).filter((n): n is ResultNode => n !== undefined);
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    return node.kind === 'group' ? groupItem(node) : resultItem(node);
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher?.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
    this.scanned.dispose();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  /** Starts watching on the first scan, i.e. once the view has been shown. */
  private ensureWatching(): void {
    if (this.watcher) return;
    const watcher = vscode.workspace.createFileSystemWatcher(SIDECAR_GLOB);
    const onChange = () => this.scheduleRefresh();
    this.watcher = vscode.Disposable.from(
      watcher,
      watcher.onDidCreate(onChange),
      watcher.onDidChange(onChange),
      watcher.onDidDelete(onChange),
      vscode.workspace.onDidChangeWorkspaceFolders(onChange),
    );
  }

  private async load(): Promise<HistoryScan> {
    // `undefined` exclude: files.exclude applies (search.exclude does not).
    const uris = (await vscode.workspace.findFiles(SIDECAR_GLOB, undefined, MAX_SIDECARS)).filter((uri) => uri.scheme === 'file' && maybeSidecar(uri.fsPath));
    const reads = await runBatch(uris, { concurrency: READ_CONCURRENCY }, (uri) => this.readResult(uri));
    const results = reads.flatMap((read) => (read.ok && read.value ? [read.value] : []));
    const resultNodes = new Map<string, ResultNode>();
    await Promise.all(results.map(async (result) => resultNodes.set(result.sidecarPath, { kind: 'result', result, gridExists: await isFile(result.gridPath) })));
    const scan: HistoryScan = {
      groups: await Promise.all(
        groupBySourceImage(results).map(async (group): Promise<GroupNode> => ({ kind: 'group', group, sourceExists: await isFile(group.sourceImagePath) })),
      ),
      resultNodes,
      truncated: uris.length >= MAX_SIDECARS,
    };
    this.scanned.fire(scan);
    return scan;
  }

  /** A sidecar that cannot be read or is not ours (another tool's JSON matching the glob) is not listed; the log says why. */
  private async readResult(uri: vscode.Uri): Promise<SavedResult | undefined> {
    try {
      return (await readSavedResultInWorkspace(uri)).result;
    } catch (error) {
      this.log.info(`History: skipped ${path.basename(uri.fsPath)}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
