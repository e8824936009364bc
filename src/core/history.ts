/**
 * The history view's model: saved results grouped by source image, newest first, and which files deleting a result
 * may remove. Pure (no `vscode`), so it is unit-tested alone; src/vscode/historyView.ts shows it.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { VIEW_FILE_SUFFIX_PATTERN } from './grid';
import { MODEL_SUFFIX, SUBJECT_SUFFIX, TURNTABLE_SUFFIX } from './outputFiles';
import type { SavedResult } from './readSidecar';

/** Sidecars are `<imageStem>-multiview-<jobId>[-N].json` (outputStem in outputFiles.ts); findFiles takes this glob. */
export const SIDECAR_GLOB = '**/*-multiview-*.json';

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

/** The stem every file of a result shares: the sidecar's name without `.json`. */
export function resultStem(sidecarPath: string): string {
  return path.basename(sidecarPath).replace(/\.json$/i, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The files that deleting `result` removes, as absolute paths, the sidecar last (if something fails earlier the
 * result stays listed and can be deleted again). Only existing files (`namesInFolder`, the sidecar's folder
 * listing) beside the sidecar whose names are the result's own: the grid `<stem>.<image ext>`, the views
 * `<stem>-view-az…-el….png` the sidecar names, the cut-out `<stem>-subject.png`, any `<stem>-turntable*.gif` and
 * any 3D model `<stem>-3d*.glb|obj|stl|ply`. A file the sidecar names under another name is left alone: the sidecar
 * may have been edited to name someone else's file.
 */
export function filesToDelete(result: SavedResult, namesInFolder: readonly string[]): string[] {
  const folder = path.dirname(result.sidecarPath);
  const stem = escapeRegExp(resultStem(result.sidecarPath));
  const ownGrid = new RegExp(`^${stem}\\.(png|jpe?g|webp)$`, 'i');
  const ownView = new RegExp(`^${stem}${VIEW_FILE_SUFFIX_PATTERN}\\.png$`, 'i');
  const ownTurntable = new RegExp(`^${stem}${TURNTABLE_SUFFIX}[^/\\\\]*\\.gif$`, 'i');
  const ownModel = new RegExp(`^${stem}${MODEL_SUFFIX}(-\\d+)?\\.(glb|obj|stl|ply)$`, 'i');
  const ownSubject = (resultStem(result.sidecarPath) + SUBJECT_SUFFIX).toLowerCase();
  const present = new Set(namesInFolder);
  const named = [result.gridPath, ...result.viewPaths]
    .filter((file) => path.dirname(file) === folder)
    .map((file) => path.basename(file))
    .filter((name) => present.has(name) && (ownGrid.test(name) || ownView.test(name)));
  const subject = namesInFolder.filter((name) => name.toLowerCase() === ownSubject);
  const turntables = namesInFolder.filter((name) => ownTurntable.test(name));
  const models = namesInFolder.filter((name) => ownModel.test(name));
  const sidecarName = path.basename(result.sidecarPath);
  const names = [...new Set([...named, ...subject, ...turntables.sort(), ...models.sort()])];
  return [...names, ...(present.has(sidecarName) ? [sidecarName] : [])].map((name) => path.join(folder, name));
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
