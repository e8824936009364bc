/**
 * Where results go and how they are named and written. Pure Node (no `vscode`), so it is tested alone.
 * Rules: the folder stays inside the workspace folder, names come from the user's image and the job id
 * (never from a server-chosen path), an existing file is never overwritten and a half-written file never
 * remains under its final name.
 */
import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isInside, nameTaken } from './files';

export class OutputLocationError extends Error {
  override name = 'OutputLocationError';
}

export const DEFAULT_OUTPUT_FOLDER = '${imageFolder}/multiview';

/**
 * Resolves the `multiview.outputFolder` setting. `${imageFolder}` and `${workspaceFolder}` are replaced; a
 * relative result is taken from the workspace folder. Throws when the folder would leave the workspace.
 */
export function resolveOutputFolder(template: string, context: { imageFolder: string; workspaceFolder: string }): string {
  const expanded = (template.trim() || DEFAULT_OUTPUT_FOLDER)
    .replace(/\$\{imageFolder\}/g, context.imageFolder)
    .replace(/\$\{workspaceFolder\}/g, context.workspaceFolder);
  const folder = path.resolve(context.workspaceFolder, expanded);
  if (!isInside(folder, context.workspaceFolder)) {
    throw new OutputLocationError(
      l10n.t(
        'The output folder “{0}” is outside the workspace folder. Set “{1}” to a folder inside it, e.g. {2}.',
        expanded,
        'multiview.outputFolder',
        DEFAULT_OUTPUT_FOLDER,
      ),
    );
  }
  return folder;
}

/** A file-name-safe piece: letters, digits, dot, dash and underscore; never empty, never a dot-file. */
export function safeNamePart(text: string, maxLength: number, fallback: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, maxLength);
  return cleaned || fallback;
}

/** `photo.png` + job `657` -> `photo-multiview-657`. */
export function outputStem(imageFileName: string, jobId: string): string {
  const imageStem = path.basename(imageFileName, path.extname(imageFileName));
  return `${safeNamePart(imageStem, 60, 'image')}-multiview-${safeNamePart(jobId, 40, 'job')}`;
}

/** Appended to a result's stem for the cut-out subject its views were made from: `<stem>-subject.png`. */
export const SUBJECT_SUFFIX = '-subject.png';

export interface OutputFile {
  /** Appended to the chosen stem, e.g. `.png` or `.json`. */
  suffix: string;
  /** The content; a function when it must name the final stem (the sidecar lists the files beside it). */
  content: Uint8Array | string | ((stem: string) => Uint8Array | string);
}

export class FileExistsError extends Error {
  override name = 'FileExistsError';
}

const MAX_NAME_ATTEMPTS = 1000;

/**
 * Writes a set of files that share one stem (`stem`, `stem-2`, `stem-3`...), choosing the first stem for which
 * none of them exists. Each file is written to a temporary name and then linked into place, which fails rather
 * than overwrite. If a later file of the set collides (another writer got there first), the earlier ones of
 * this attempt are removed and the next stem is tried. Returns the absolute paths written, in order.
 */
export async function writeNewFiles(
  folder: string,
  stem: string,
  files: readonly OutputFile[],
  signal?: AbortSignal,
): Promise<string[]> {
  await fs.mkdir(folder, { recursive: true });
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const candidate = attempt === 1 ? stem : `${stem}-${attempt}`;
    const targets = files.map((file) => path.join(folder, candidate + file.suffix));
    if ((await Promise.all(targets.map(nameTaken))).some(Boolean)) {
      continue;
    }
    const written: string[] = [];
    try {
      for (const [index, file] of files.entries()) {
        signal?.throwIfAborted();
        const content = typeof file.content === 'function' ? file.content(candidate) : file.content;
        await writeFileExclusive(targets[index], content);
        written.push(targets[index]);
      }
      return written;
    } catch (error) {
      await Promise.all(written.map(removeIfPresent));
      if (!(error instanceof FileExistsError)) {
        throw error;
      }
    }
  }
  throw new Error(l10n.t('Could not find a free file name for “{0}” in {1}.', stem, folder));
}

/**
 * A set of files sharing one stem, written in stages (a result's grid first, so that it can be shown at once, then
 * its views and its sidecar). The stem is the first (`stem`, `stem-2`, …) for which no name of the set exists; each
 * file is written exclusively (writeFileExclusive). `discard()` removes what the set has written.
 */
export class FileSet {
  private readonly written: string[] = [];

  private constructor(
    readonly folder: string,
    readonly stem: string,
  ) {}

  /** The first stem under which none of `suffixes` is taken. */
  static async reserve(folder: string, stem: string, suffixes: readonly string[]): Promise<FileSet> {
    await fs.mkdir(folder, { recursive: true });
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const candidate = attempt === 1 ? stem : `${stem}-${attempt}`;
      const taken = await Promise.all(suffixes.map((suffix) => nameTaken(path.join(folder, candidate + suffix))));
      if (!taken.some(Boolean)) {
        return new FileSet(folder, candidate);
      }
    }
    throw new Error(l10n.t('Could not find a free file name for “{0}” in {1}.', stem, folder));
  }

  path(suffix: string): string {
    return path.join(this.folder, this.stem + suffix);
  }

  /** Writes one file of the set; FileExistsError if someone took its name since the stem was reserved. */
  async write(suffix: string, content: Uint8Array | string): Promise<string> {
    const target = this.path(suffix);
    await writeFileExclusive(target, content);
    this.written.push(target);
    return target;
  }

  /** Removes every file this set wrote (a stage failed: no part of a result stays). */
  async discard(): Promise<void> {
    await Promise.all(this.written.splice(0).map(removeIfPresent));
  }
}

/** Where a file is written before it is linked or renamed into place: `.<name>.<12 hex>.tmp` beside it. */
function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `content` to `target` only if `target` does not exist; never leaves a partial `target`, nor a temporary file. */
export async function writeFileExclusive(target: string, content: Uint8Array | string): Promise<void> {
  const temporary = temporaryNameFor(target);
  try {
    await fs.writeFile(temporary, content, { flag: 'wx' });
  } catch (error) {
    // A write that fails half way (a full disk) leaves part of the temporary file.
    await removeIfPresent(temporary);
    throw error;
  }
  try {
    await fs.link(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new FileExistsError(`${target} already exists.`);
    }
    if (!['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS', 'EOPNOTSUPP'].includes(code ?? '')) {
      throw error;
    }
    // File systems without hard links: check, then rename (a small race window, but still no partial file).
    if (await nameTaken(target)) {
      throw new FileExistsError(`${target} already exists.`);
    }
    await fs.rename(temporary, target);
  } finally {
    await removeIfPresent(temporary);
  }
}

/**
 * Replaces the extension's own file `target` (a sidecar gaining a model) with `content`: written beside it, then
 * renamed over it, so a reader sees the old file or the new one, never half of either.
 */
export async function replaceFileAtomically(target: string, content: string): Promise<void> {
  const temporary = temporaryNameFor(target);
  try {
    await fs.writeFile(temporary, content, { flag: 'wx' });
    await fs.rename(temporary, target);
  } finally {
    await removeIfPresent(temporary);
  }
}

/**
 * Removes the temporary files a killed process left in `folder` while writing the files of `stem` (`.<stem>….tmp`,
 * as writeFileExclusive names them): only that stem's, so another window's write in progress is never touched.
 * Returns how many were removed; a folder that is gone has none.
 */
export async function removeLeftoverTemporaryFiles(folder: string, stem: string): Promise<number> {
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const leftover = new RegExp(`^\\.${escaped}(-\\d+)?[-.].*\\.[0-9a-f]{12}\\.tmp$`);
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const removed = names.filter((name) => leftover.test(name));
  await Promise.all(removed.map((name) => removeIfPresent(path.join(folder, name))));
  return removed.length;
}

/** Why a file could not be written, in the user's words, for the errors a disk gives (undefined for any other). */
export function describeSaveFailure(error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOSPC':
      return l10n.t('the disk is full');
    case 'EDQUOT':
      return l10n.t('your disk quota is used up');
    case 'EACCES':
    case 'EPERM':
      return l10n.t('permission to write there was denied');
    case 'EROFS':
      return l10n.t('the folder is on a read-only disk');
    case 'ENOENT':
    case 'ENOTDIR':
      return l10n.t('the output folder was moved or deleted while saving');
    case 'EBUSY':
      return l10n.t('a file there is in use by another program');
    case 'EMFILE':
    case 'ENFILE':
      return l10n.t('too many files are open');
    default:
      return undefined;
  }
}

/** unlink, not rm: a plain unlink is all a file needs, and it is on the path of every save. */
async function removeIfPresent(file: string): Promise<void> {
  await fs.unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') {
      throw error;
    }
  });
}
