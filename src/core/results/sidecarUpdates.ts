/**
 * Changing a saved result's sidecar after the fact (a model or an export joins it): read, change, replace atomically,
 * keeping every field as it is on disk (a newer version's, or a hand edit). The updates of one sidecar run one after
 * the other: two at once (two models of one result finishing together) would both read the same text, and the later
 * replace would drop the other's entry. In this window a queue orders them; between windows (two code-server tabs on
 * one workspace) a lock file beside the sidecar does.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import { redactSecret } from '../../api/redact';
import { isRecord } from '../../shared/isRecord';
import { withLock } from '../fileLock';
import { replaceFileAtomically } from '../outputFiles';
import { parseSidecar, readSidecarText } from '../readSidecar';
import type { SidecarExport, SidecarModel } from '../sidecarSchema';

/** The updates in progress in this window, by path. */
const sidecarUpdates = new Map<string, Promise<void>>();

type SidecarJson = Record<string, unknown>;

/** Applies `change` to the sidecar's JSON, after any update of the same sidecar still in progress; `secret` never lands in it. */
export async function updateSidecar(sidecarPath: string, change: (json: SidecarJson) => SidecarJson, secret: string): Promise<void> {
  const key = path.resolve(sidecarPath);
  const lockPath = path.join(path.dirname(sidecarPath), `.${path.basename(sidecarPath)}.lock`);
  const update = (sidecarUpdates.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => withLock(lockPath, () => rewrite(sidecarPath, change, secret)));
  sidecarUpdates.set(key, update);
  try {
    await update;
  } finally {
    if (sidecarUpdates.get(key) === update) sidecarUpdates.delete(key);
  }
}

async function rewrite(sidecarPath: string, change: (json: SidecarJson) => SidecarJson, secret: string): Promise<void> {
  const json: unknown = JSON.parse(await readSidecarText(sidecarPath));
  if (!isRecord(json) || !parseSidecar(json)) {
    throw new Error(l10n.t('{0} is not a Multiview sidecar.', path.basename(sidecarPath)));
  }
  await replaceFileAtomically(sidecarPath, redactSecret(JSON.stringify(change(json), null, 2), secret) + '\n');
}

function appendTo(field: 'models' | 'exports', entry: SidecarModel | SidecarExport): (json: SidecarJson) => SidecarJson {
  return (json) => ({ ...json, [field]: [...(Array.isArray(json[field]) ? (json[field] as unknown[]) : []), entry] });
}

/** Appends `model` to the sidecar's `models`. */
export function recordModel(sidecarPath: string, model: SidecarModel, secret: string): Promise<void> {
  return updateSidecar(sidecarPath, appendTo('models', model), secret);
}

/** Appends `entry` to the sidecar's `exports`. */
export function recordExport(sidecarPath: string, entry: SidecarExport, secret: string): Promise<void> {
  return updateSidecar(sidecarPath, appendTo('exports', entry), secret);
}
