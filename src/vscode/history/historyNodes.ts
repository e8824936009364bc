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

/** A menu command's argument, when it is one of this view's result rows (anything else is ignored). */
export function asResultNode(value: unknown): ResultNode | undefined {
  const node = value as Partial<ResultNode> | undefined;
  return node?.kind === 'result' && node.result !== undefined && typeof node.result.sidecarPath === 'string' ? (node as ResultNode) : undefined;
}
