/**
 * Every file a saved result owns, in one table: what each kind is called, how it is recognised, and so which files
 * deleting a result removes. A result's files share its stem (the sidecar's name without `.json`); a file made later
 * from the result adds its kind's infix (`-turntable`, `-3d`, …), and writeNewFiles numbers a second one after the
 * infix (`-turntable-2.gif`), so that no kind's name can be read as another result's (`<stem>-2` is a stem of its
 * own). Pure (no `vscode`).
 */
import * as path from 'node:path';
import { VIEW_FILE_SUFFIX_PATTERN } from '../grid';
import { promises as fs } from 'node:fs';
import { outputStem } from '../outputFiles';
import { readSavedResult, type SavedResult } from '../readSidecar';

/** The kinds of file made from a saved result after (or beside) its grid, views and sidecar. */
export type DerivedFileKind = 'subject' | 'turntable' | 'model' | 'transparentViews' | 'spriteSheet' | 'cameraPoses';

interface DerivedNaming {
  /** Appended to the result's stem; the numbered form adds `-N` after it. */
  infix: string;
  /** What may follow the infix (and its number), as regular-expression sources. */
  endings: readonly string[];
}

const DERIVED_FILES: Record<DerivedFileKind, DerivedNaming> = {
  /** The cut-out subject the views were made from: `<stem>-subject.png`. */
  subject: { infix: '-subject', endings: ['\\.png'] },
  /** The turntable: `<stem>-turntable.gif`, and the full-colour animated PNG `<stem>-turntable.png`. */
  turntable: { infix: '-turntable', endings: ['\\.gif', '\\.png'] },
  /** A 3D model: `<stem>-3d.glb` (or .obj, .stl, .ply). */
  model: { infix: '-3d', endings: ['\\.(glb|obj|stl|ply)'] },
  /** The views cut out of the backdrop: the grid `<stem>-transparent.png` and `<stem>-transparent-view-az030-el+20.png`. */
  transparentViews: { infix: '-transparent', endings: ['\\.png', `${VIEW_FILE_SUFFIX_PATTERN}\\.png`] },
  /** The sprite sheet: `<stem>-spritesheet.png`, its TexturePacker JSON `.json` and Godot SpriteFrames `.tres`. */
  spriteSheet: { infix: '-spritesheet', endings: ['\\.png', '\\.json', '\\.tres'] },
  /** Camera poses for reconstruction, instant-ngp / nerfstudio style: `<stem>-transforms.json`. */
  cameraPoses: { infix: '-transforms', endings: ['\\.json'] },
};

/** The stem every file of a result shares: the sidecar's name without `.json`. */
export function resultStem(sidecarPath: string): string {
  return path.basename(sidecarPath).replace(/\.json$/i, '');
}

/** What to hand writeNewFiles for a new file of `kind`: the result's stem with the kind's infix. */
export function derivedStem(sidecarPath: string, kind: DerivedFileKind): string {
  return resultStem(sidecarPath) + DERIVED_FILES[kind].infix;
}

/** The first name a new file of `kind` is given, before any numbering (what a confirmation can name ahead). */
export function plannedFileName(sidecarPath: string, kind: DerivedFileKind, ending: string): string {
  return derivedStem(sidecarPath, kind) + ending;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function derivedPattern(stem: string, kind: DerivedFileKind): RegExp {
  const { infix, endings } = DERIVED_FILES[kind];
  return new RegExp(`^${escapeRegExp(stem + infix)}(-\\d+)?(${endings.join('|')})$`, 'i');
}

/** Which kind of file made from the result with sidecar `sidecarPath` a file in its folder is, if it is one. */
export function derivedKindOf(sidecarPath: string, fileName: string): DerivedFileKind | undefined {
  const stem = resultStem(sidecarPath);
  return (Object.keys(DERIVED_FILES) as DerivedFileKind[]).find((kind) => derivedPattern(stem, kind).test(fileName));
}

/**
 * The files that deleting `result` removes, as absolute paths, the sidecar last (if something fails earlier the
 * result stays listed and can be deleted again). Only existing files (`namesInFolder`, the sidecar's folder
 * listing) beside the sidecar whose names are the result's own: the grid and the views the sidecar names, and every
 * file of a kind in DERIVED_FILES. A file the sidecar names under another name is left alone: the sidecar may have
 * been edited to name someone else's file.
 */
export function ownedFiles(result: SavedResult, namesInFolder: readonly string[]): string[] {
  const folder = path.dirname(result.sidecarPath);
  const stem = resultStem(result.sidecarPath);
  const ownGrid = new RegExp(`^${escapeRegExp(stem)}\\.(png|jpe?g|webp)$`, 'i');
  const ownView = new RegExp(`^${escapeRegExp(stem)}${VIEW_FILE_SUFFIX_PATTERN}\\.png$`, 'i');
  const present = new Set(namesInFolder);
  const named = [result.gridPath, ...result.viewPaths]
    .filter((file) => path.dirname(file) === folder)
    .map((file) => path.basename(file))
    .filter((name) => present.has(name) && (ownGrid.test(name) || ownView.test(name)));
  const derived = (Object.keys(DERIVED_FILES) as DerivedFileKind[]).flatMap((kind) => {
    const pattern = derivedPattern(stem, kind);
    return namesInFolder.filter((name) => pattern.test(name)).sort();
  });
  const sidecarName = path.basename(result.sidecarPath);
  const names = [...new Set([...named, ...derived])].filter((name) => name !== sidecarName);
  return [...names, ...(present.has(sidecarName) ? [sidecarName] : [])].map((name) => path.join(folder, name));
}

/** A derived file's ending (`-transforms.json`, `-spritesheet-2.json`): JSON that matches the sidecar glob but is not one. */
const DERIVED_JSON = new RegExp(
  `(${(Object.values(DERIVED_FILES) as DerivedNaming[])
    .filter((naming) => naming.endings.includes('\\.json'))
    .map((naming) => escapeRegExp(naming.infix))
    .join('|')})(-\\d+)?\\.json$`,
  'i',
);

/** Whether a `.json` file found by the sidecar glob is a file made from a result (a sprite sheet's data, camera poses). */
export function isDerivedJson(fileName: string): boolean {
  return DERIVED_JSON.test(fileName);
}

/**
 * The saved result of job `jobId` on `imageName` in `folder`, when one is there (saved by another window, say): a
 * sidecar named for that image and job whose own job id is that one. Undefined when there is none.
 */
export async function findSavedResultOfJob(folder: string, imageName: string, jobId: string, workspaceFolder: string): Promise<SavedResult | undefined> {
  const sidecarName = new RegExp(`^${escapeRegExp(outputStem(imageName, jobId))}(-\\d+)?\\.json$`);
  const names = (await fs.readdir(folder).catch(() => [] as string[])).filter((name) => sidecarName.test(name)).sort();
  for (const name of names) {
    const result = await readSavedResult(path.join(folder, name), workspaceFolder).catch(() => undefined);
    if (result?.sidecar.jobId === jobId) return result;
  }
  return undefined;
}
