/**
 * The History view's model: saved results grouped by source image, newest first, and what each row says. Pure (no
 * `vscode`), so it is unit-tested alone; src/vscode/history/ shows it. Which files a result owns (and deleting it
 * removes) is results/resultFiles.ts.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import type { SavedResult } from './readSidecar';
import { isDerivedJson } from './results/resultFiles';

/** Sidecars are `<imageStem>-multiview-<jobId>[-N].json` (outputStem in outputFiles.ts); findFiles takes this glob. */
export const SIDECAR_GLOB = '**/*-multiview-*.json';

/** Whether a file the glob found may be a sidecar: not the JSON of a file made from a result (camera poses, a sprite sheet's data). */
export function maybeSidecar(filePath: string): boolean {
  return !isDerivedJson(path.basename(filePath));
}

/** How many sidecars one scan reads at most: enough for any real history, bounded for a huge workspace. */
export const MAX_SIDECARS = 1000;

export interface HistoryGroup {
  /** Absolute path of the source image (it may have moved or been deleted since). */
  sourceImagePath: string;
  /** Newest first. */
  results: SavedResult[];
}

/** Newest first; results finished at the same moment keep a stable order (by sidecar path). */
export function compareNewestFirst(a: SavedResult, b: SavedResult): number {
  return b.finishedAtMs - a.finishedAtMs || a.sidecarPath.localeCompare(b.sidecarPath);
}

/** Groups by source image; each group newest first, and the groups by their newest result, newest first. */
export function groupBySourceImage(results: readonly SavedResult[]): HistoryGroup[] {
  const groups = new Map<string, SavedResult[]>();
  for (const result of results) {
    const key = path.normalize(result.sourceImagePath);
    const group = groups.get(key);
    if (group) group.push(result);
    else groups.set(key, [result]);
  }
  return [...groups.entries()]
    .map(([sourceImagePath, members]) => ({ sourceImagePath, results: members.sort(compareNewestFirst) }))
    .sort((a, b) => compareNewestFirst(a.results[0], b.results[0]) || a.sourceImagePath.localeCompare(b.sourceImagePath));
}

/** Short, so that the description (seed, job) still fits a narrow side bar; the tooltip has the rest. */
const LABEL_FORMAT: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' };

/** The row's label: when the result finished, in the display language; a placeholder when the sidecar has no time. */
export function finishedAtLabel(finishedAtMs: number, locale: string | undefined): string {
  if (finishedAtMs <= 0) {
    return l10n.t('Unknown time');
  }
  try {
    return new Intl.DateTimeFormat(locale, LABEL_FORMAT).format(finishedAtMs);
  } catch {
    // An unknown locale tag: the runtime's default rather than nothing.
    return new Intl.DateTimeFormat(undefined, LABEL_FORMAT).format(finishedAtMs);
  }
}

/** The row's description: what tells two results of one image apart besides the time, and a 3D badge when it has a model. */
export function resultDescription(result: SavedResult): string {
  const { sidecar } = result;
  const base = sidecar.seed === null ? l10n.t('job {0}', sidecar.jobId) : l10n.t('seed {0} · job {1}', sidecar.seed, sidecar.jobId);
  const models = sidecar.models.length;
  // First, so that a narrow side bar still shows it.
  return models === 0 ? base : models === 1 ? l10n.t('3D · {0}', base) : l10n.t('3D ×{1} · {0}', base, models);
}

/** Cuts `text` to `max` characters with an ellipsis (prompts in tooltips). */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}
