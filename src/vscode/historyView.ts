/**
 * The "History" tree view (its own activity-bar container): past results found from their sidecars, grouped by
 * source image, newest first, with the grid as each row's thumbnail. Nothing is scanned until the view is shown;
 * then a file watcher (debounced) keeps it current while it is visible.
 *
 * Opening a result and generating again are commands other modules add (`multiview.openResult`,
 * `multiview.regenerate`); this view only calls them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filesToDelete, finishedAtLabel, groupBySourceImage, type HistoryGroup, MAX_SIDECARS, resultDescription, shorten, SIDECAR_GLOB } from '../core/history';
import { runBatch } from '../core/batch';
import { readSavedResult, type SavedResult } from '../core/readSidecar';
import { REGENERATE_COMMAND, type RegenerateArgument } from './generateCommand';
import { configurePureModulesL10n } from './localization';
import { OPEN_RESULT_COMMAND } from './resultPanel';

export const HISTORY_VIEW_ID = 'multiview.history';

const COMMANDS = {
  refresh: 'multiview.history.refresh',
  generateAgain: 'multiview.history.generateAgain',
  generateAgainNewSeed: 'multiview.history.generateAgainWithNewSeed',
  reveal: 'multiview.history.revealInExplorer',
  delete: 'multiview.history.delete',
} as const;


/** A burst of writes (a generation saves eight files and a sidecar) becomes one rescan. */
const REFRESH_DEBOUNCE_MS = 400;
/** Sidecars read at once. */
const READ_CONCURRENCY = 16;

interface GroupNode {
  kind: 'group';
  group: HistoryGroup;
  sourceExists: boolean;
}

interface ResultNode {
  kind: 'result';
  result: SavedResult;
  gridExists: boolean;
}

type HistoryNode = GroupNode | ResultNode;

interface Scan {
  groups: GroupNode[];
  resultNodes: Map<string, ResultNode>;
  truncated: boolean;
}

class HistoryProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private scan: Promise<Scan> | undefined;
  private watcher: vscode.Disposable | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** A change arrived while the view was hidden: rescan when it is shown again. */
  private stale = false;
  private isVisible = () => false;
  /** Called after each scan (the view's message). */
  onScanned: (scan: Scan) => void = () => undefined;

  attach(view: vscode.TreeView<HistoryNode>): void {
    this.isVisible = () => view.visible;
  }

  refresh(): void {
    clearTimeout(this.debounce);
    if (!this.isVisible()) {
      this.stale = true;
      this.scan = undefined;
      return;
    }
    this.stale = false;
    this.scan = undefined;
    this.changed.fire(undefined);
  }

  visibilityChanged(visible: boolean): void {
    if (visible && this.stale) this.refresh();
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

  private async load(): Promise<Scan> {
    configurePureModulesL10n();
    // `undefined` exclude: files.exclude applies (search.exclude does not).
    const uris = (await vscode.workspace.findFiles(SIDECAR_GLOB, undefined, MAX_SIDECARS)).filter((uri) => uri.scheme === 'file');
    const reads = await runBatch(uris, { concurrency: READ_CONCURRENCY }, readResult);
    const results = reads.flatMap((read) => (read.ok && read.value ? [read.value] : []));
    const resultNodes = new Map<string, ResultNode>();
    await Promise.all(results.map(async (result) => resultNodes.set(result.sidecarPath, { kind: 'result', result, gridExists: await isFile(result.gridPath) })));
    const scan: Scan = {
      groups: await Promise.all(groupBySourceImage(results).map(async (group): Promise<GroupNode> => ({ kind: 'group', group, sourceExists: await isFile(group.sourceImagePath) }))),
      resultNodes,
      truncated: uris.length >= MAX_SIDECARS,
    };
    this.onScanned(scan);
    return scan;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

/** A sidecar that cannot be read or is not ours (another tool's JSON matching the glob) is simply not listed. */
async function readResult(uri: vscode.Uri): Promise<SavedResult | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  try {
    return await readSavedResult(uri.fsPath, folder.uri.fsPath);
  } catch {
    return undefined;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

function workspaceRelative(file: string): string {
  return vscode.workspace.asRelativePath(vscode.Uri.file(file), false);
}

/** A Markdown image of a local file: VS Code turns the file: URI into one the workbench can load (web too). */
function markdownImage(file: string, alt: string, width: number): string {
  const escapedAlt = alt.replace(/[\\[\]()*_`<>!]/g, '\\$&');
  return `![${escapedAlt}](${vscode.Uri.file(file).toString()}|width=${width})`;
}

function groupItem({ group, sourceExists }: GroupNode): vscode.TreeItem {
  const name = path.basename(group.sourceImagePath);
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `group:${group.sourceImagePath}`;
  const folder = path.dirname(workspaceRelative(group.sourceImagePath));
  const count = group.results.length === 1 ? vscode.l10n.t('1 result') : vscode.l10n.t('{0} results', group.results.length);
  item.description = folder === '.' ? count : `${folder} · ${count}`;
  item.iconPath = sourceExists ? vscode.Uri.file(group.sourceImagePath) : new vscode.ThemeIcon('file-media');
  item.tooltip = new vscode.MarkdownString().appendText(workspaceRelative(group.sourceImagePath));
  item.contextValue = 'multiviewSourceImage';
  item.accessibilityInformation = { label: `${name}, ${count}`, role: 'treeitem' };
  return item;
}

function resultItem(node: ResultNode): vscode.TreeItem {
  const { result, gridExists } = node;
  const { sidecar } = result;
  const when = finishedAtLabel(result.finishedAtMs, vscode.env.language);
  const item = new vscode.TreeItem(when, vscode.TreeItemCollapsibleState.None);
  item.id = `result:${result.sidecarPath}`;
  item.description = resultDescription(result);
  item.iconPath = gridExists ? vscode.Uri.file(result.gridPath) : new vscode.ThemeIcon('warning');
  const sidecarUri = vscode.Uri.file(result.sidecarPath);
  item.command = { command: OPEN_RESULT_COMMAND, title: vscode.l10n.t('Open Result'), arguments: [sidecarUri] };
  item.contextValue = 'multiviewResult';
  item.accessibilityInformation = {
    label: `${path.basename(result.sourceImagePath)}, ${when}, ${item.description}`,
    role: 'treeitem',
  };

  const tooltip = new vscode.MarkdownString();
  if (gridExists) {
    tooltip.appendMarkdown(markdownImage(result.gridPath, path.basename(result.gridPath), 240)).appendMarkdown('\n\n');
  } else {
    tooltip.appendText(vscode.l10n.t('The grid {0} is missing.', path.basename(result.gridPath))).appendMarkdown('\n\n');
  }
  const p = sidecar.parameters;
  const lines = [
    vscode.l10n.t('Prompt: {0}', shorten(p.prompt, 200)),
    ...(p.negative_prompt ? [vscode.l10n.t('Negative prompt: {0}', shorten(p.negative_prompt, 200))] : []),
    vscode.l10n.t('{0} × {1}, {2} steps, guidance {3}', p.width, p.height, p.num_inference_steps, p.guidance_scale),
    sidecar.seed === null ? vscode.l10n.t('Seed: unknown') : vscode.l10n.t('Seed: {0}', sidecar.seed),
    workspaceRelative(result.sidecarPath),
  ];
  // appendText escapes Markdown; two spaces before each newline keep the lines apart.
  lines.forEach((line, index) => tooltip.appendText(line).appendMarkdown(index < lines.length - 1 ? '  \n' : ''));
  item.tooltip = tooltip;
  return item;
}

function asResult(node: unknown): SavedResult | undefined {
  const candidate = node as HistoryNode | undefined;
  return candidate?.kind === 'result' ? candidate.result : undefined;
}

async function regenerate(node: unknown, newSeed: boolean): Promise<void> {
  const result = asResult(node);
  if (result) await vscode.commands.executeCommand(REGENERATE_COMMAND, { sidecar: vscode.Uri.file(result.sidecarPath), newSeed } satisfies RegenerateArgument);
}

async function revealInExplorer(node: unknown): Promise<void> {
  const result = asResult(node);
  if (!result) return;
  const target = (await isFile(result.gridPath)) ? result.gridPath : result.sidecarPath;
  await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(target));
}

/** Deletes one file; the error, unless it is gone already (deleted meanwhile: what was wanted). */
async function deleteFile(file: string, useTrash: boolean): Promise<Error | undefined> {
  try {
    await vscode.workspace.fs.delete(vscode.Uri.file(file), { useTrash, recursive: false });
    return undefined;
  } catch (error) {
    const notFound = error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
    return notFound ? undefined : error instanceof Error ? error : new Error(String(error));
  }
}

/** Asked when the trash cannot take the files (e.g. a remote without one): delete `remaining` for good? */
async function confirmPermanentDelete(error: Error, remaining: string[]): Promise<boolean> {
  const deletePermanently = vscode.l10n.t('Delete Permanently');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('The files could not be moved to the trash. Delete them permanently?'),
    {
      modal: true,
      detail: vscode.l10n.t('{0}\n\nThese files cannot be restored:\n{1}', error.message, remaining.map((f) => path.basename(f)).join('\n')),
    },
    deletePermanently,
  );
  return answer === deletePermanently;
}

/**
 * Deletes a result's own files (filesToDelete) after a modal confirmation that names them: to the trash, or, when
 * the trash cannot take them (e.g. a remote without one), permanently after a second confirmation.
 */
async function deleteResult(node: unknown, provider: HistoryProvider): Promise<void> {
  const result = asResult(node);
  if (!result) return;
  const folder = path.dirname(result.sidecarPath);
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    names = [];
  }
  const targets = filesToDelete(result, names);
  if (targets.length === 0) {
    provider.refresh();
    return;
  }
  const listing = targets.map((file) => path.basename(file)).join('\n');
  const moveToTrash = vscode.l10n.t('Move to Trash');
  const confirmed = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete the Multiview result of {0} ({1} files)?', path.basename(result.sourceImagePath), targets.length),
    { modal: true, detail: vscode.l10n.t('These files in {0} will be moved to the trash:\n{1}', workspaceRelative(folder), listing) },
    moveToTrash,
  );
  if (confirmed !== moveToTrash) return;

  let useTrash = true;
  for (const [index, file] of targets.entries()) {
    let error = await deleteFile(file, useTrash);
    if (error && useTrash) {
      if (!(await confirmPermanentDelete(error, targets.slice(index)))) break;
      useTrash = false;
      error = await deleteFile(file, false);
    }
    if (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not delete {0}: {1}', path.basename(file), error.message));
      break;
    }
  }
  provider.refresh();
}

/** The History view and its commands. */
export function registerHistoryView(): vscode.Disposable {
  const provider = new HistoryProvider();
  const view = vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  provider.attach(view);
  provider.onScanned = (scan) => {
    view.message = scan.truncated ? vscode.l10n.t('Showing the results of the first {0} sidecars found.', MAX_SIDECARS) : undefined;
  };
  return vscode.Disposable.from(
    provider,
    view,
    view.onDidChangeVisibility((event) => provider.visibilityChanged(event.visible)),
    vscode.commands.registerCommand(COMMANDS.refresh, () => provider.refresh()),
    vscode.commands.registerCommand(COMMANDS.generateAgain, (node: unknown) => regenerate(node, false)),
    vscode.commands.registerCommand(COMMANDS.generateAgainNewSeed, (node: unknown) => regenerate(node, true)),
    vscode.commands.registerCommand(COMMANDS.reveal, (node: unknown) => revealInExplorer(node)),
    vscode.commands.registerCommand(COMMANDS.delete, (node: unknown) => deleteResult(node, provider)),
  );
}
