/**
 * "Export Animation": a saved result's turntable (the input, then the six views by azimuth) as a looping GIF beside
 * its grid, `<stem>-turntable.gif`, never over an existing file. The GIF is encoded by the image engine's worker; the
 * panel only asks for it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImageEngine } from '../image/engine';
import { TURNTABLE_SUFFIX, writeNewFiles } from './outputFiles';
import type { SavedResult } from './readSidecar';
import type { SidecarView } from './sidecarSchema';

export interface ExportedTurntable {
  path: string;
  /** Why the input image is not the first frame, when it is not (the six views are animated anyway). */
  inputSkipped?: 'missing' | 'unreadable';
}

export async function exportTurntable(saved: SavedResult, framesPerSecond: number, engine: ImageEngine): Promise<ExportedTurntable> {
  const folder = path.dirname(saved.gridPath);
  const views = await Promise.all(viewsByAzimuth(saved).map(async (view) => new Uint8Array(await fs.readFile(view.path))));
  const turntable = await engine.encodeTurntable({ inputPath: saved.sourceImagePath, views, framesPerSecond });
  const stem = path.basename(saved.gridPath, path.extname(saved.gridPath)) + TURNTABLE_SUFFIX;
  const [written] = await writeNewFiles(folder, stem, [{ suffix: '.gif', content: turntable.gif }]);
  return { path: written, ...(turntable.inputSkipped ? { inputSkipped: turntable.inputSkipped } : {}) };
}

/** The saved views in azimuth order (the turntable's order), each with its file's path; none when they were not saved. */
export function viewsByAzimuth(saved: SavedResult): (SidecarView & { path: string })[] {
  const folder = path.dirname(saved.gridPath);
  return [...saved.sidecar.views].sort((a, b) => a.azimuthDegrees - b.azimuthDegrees).map((view) => ({ ...view, path: path.join(folder, view.file) }));
}
