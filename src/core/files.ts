/** File-system questions every layer asks, answered one way each. Pure Node. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** True when `file` is an existing regular file (following links); false for anything else, or when unreadable. */
export async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** True when anything at all (a file, a folder, a dangling link) has this name: a name that must not be written over. */
export async function nameTaken(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** True when `candidate` is `root` or inside it (after resolving `..`); false for a path that leaves it. */
export function isInside(candidate: string, root: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
