/** How the History view's rows look: the tree items and their Markdown tooltips (with the grid as a picture). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../commands';
import { finishedAtLabel, resultDescription, shorten } from '../../core/history';
import type { GroupNode, ResultNode } from './historyNodes';

export function groupItem({ group, sourceExists }: GroupNode): vscode.TreeItem {
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

export function resultItem({ result, gridExists }: ResultNode): vscode.TreeItem {
  const { sidecar } = result;
  const when = finishedAtLabel(result.finishedAtMs, vscode.env.language);
  const item = new vscode.TreeItem(when, vscode.TreeItemCollapsibleState.None);
  item.id = `result:${result.sidecarPath}`;
  item.description = resultDescription(result);
  item.iconPath = gridExists ? vscode.Uri.file(result.gridPath) : new vscode.ThemeIcon('warning');
  item.command = { command: COMMANDS.openResult, title: vscode.l10n.t('Open Result'), arguments: [vscode.Uri.file(result.sidecarPath)] };
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
    ...(sidecar.subject ? [vscode.l10n.t('Background removed first: {0}', sidecar.subject.file)] : []),
    ...sidecar.models.map((model) => vscode.l10n.t('3D model: {0} ({1} triangles)', model.file, model.triangles)),
    workspaceRelative(result.sidecarPath),
  ];
  // appendText escapes Markdown; two spaces before each newline keep the lines apart.
  lines.forEach((line, index) => tooltip.appendText(line).appendMarkdown(index < lines.length - 1 ? '  \n' : ''));
  item.tooltip = tooltip;
  return item;
}

export function workspaceRelative(file: string): string {
  return vscode.workspace.asRelativePath(vscode.Uri.file(file), false);
}

/** A Markdown image of a local file: VS Code turns the file: URI into one the workbench can load (web too). */
function markdownImage(file: string, alt: string, width: number): string {
  const escapedAlt = alt.replace(/[\\[\]()*_`<>!]/g, '\\$&');
  return `![${escapedAlt}](${vscode.Uri.file(file).toString()}|width=${width})`;
}
