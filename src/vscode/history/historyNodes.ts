/** The rows of the History view: a source image, and under it its results (newest first). */
import type { HistoryGroup } from '../../core/history';
import type { SavedResult } from '../../core/readSidecar';

export interface GroupNode {
  kind: 'group';
  group: HistoryGroup;
  sourceExists: boolean;
}

export interface ResultNode {
  kind: 'result';
  result: SavedResult;
  gridExists: boolean;
}

export type HistoryNode = GroupNode | ResultNode;

/**
 * The results a History menu command acts on: VS Code passes the clicked row and the whole selection; with several
 * rows selected it is the selection, else the clicked row. Rows that are not results are left out.
 */
export function selectedResults(clicked: unknown, selected: unknown): SavedResult[] {
  const nodes = Array.isArray(selected) && selected.length > 1 ? selected : [clicked];
  return nodes.map((node) => asResultNode(node)?.result).filter((result) => result !== undefined);
}

/** A menu command's argument, when it is one of this view's result rows (anything else is ignored). */
export function asResultNode(value: unknown): ResultNode | undefined {
  const node = value as Partial<ResultNode> | undefined;
  return node?.kind === 'result' && node.result !== undefined && typeof node.result.sidecarPath === 'string' ? (node as ResultNode) : undefined;
}
