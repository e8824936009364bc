/**
 * Which view files the exports of a result use: the transparent ones when the result has them (all still on disk),
 * else the views as generated. Pure Node (no `vscode`).
 */
import * as path from 'node:path';
import { isFile } from '../files';
import type { SavedResult } from '../readSidecar';
import type { SidecarExport, SidecarView } from '../sidecarSchema';

export type ViewFile = SidecarView & { path: string };

/** The saved views in azimuth order (the turntable's order), each with its file's path; none when they were not saved. */
export function viewsByAzimuth(saved: SavedResult): ViewFile[] {
  const folder = path.dirname(saved.gridPath);
  return sortedByAzimuth(saved.sidecar.views.map((view) => ({ ...view, path: path.join(folder, view.file) })));
}

function sortedByAzimuth(views: ViewFile[]): ViewFile[] {
  return [...views].sort((a, b) => a.azimuthDegrees - b.azimuthDegrees);
}

export interface TransparentViews {
  /** The transparent grid. */
  gridPath: string;
  /** In azimuth order, with the poses of the views they were cut from. */
  views: ViewFile[];
  record: SidecarExport;
}

/**
 * The newest set of transparent views the sidecar lists (the grid, then one file per view in the order of `views`),
 * as paths beside the grid; `undefined` when there is none. The files are not checked here (see presentTransparentViews).
 */
export function listedTransparentViews(saved: SavedResult): TransparentViews | undefined {
  const { views } = saved.sidecar;
  const record = [...saved.sidecar.exports].reverse().find((entry) => entry.kind === 'transparent-views' && entry.files.length === views.length + 1);
  if (!record || views.length === 0) return undefined;
  const folder = path.dirname(saved.gridPath);
  const [grid, ...files] = record.files;
  return {
    gridPath: path.join(folder, grid),
    views: sortedByAzimuth(views.map((view, index) => ({ ...view, file: files[index], path: path.join(folder, files[index]) }))),
    record,
  };
}

/** The listed transparent views when every one of their files is still there. */
export async function presentTransparentViews(saved: SavedResult): Promise<TransparentViews | undefined> {
  const listed = listedTransparentViews(saved);
  if (!listed) return undefined;
  const present = await Promise.all([listed.gridPath, ...listed.views.map((view) => view.path)].map(isFile));
  return present.every(Boolean) ? listed : undefined;
}

/** The views an export is made from, in azimuth order: transparent ones when present, else as generated. */
export async function viewsForExport(saved: SavedResult): Promise<{ views: ViewFile[]; transparent: boolean }> {
  const transparent = await presentTransparentViews(saved);
  return transparent ? { views: transparent.views, transparent: true } : { views: viewsByAzimuth(saved), transparent: false };
}
