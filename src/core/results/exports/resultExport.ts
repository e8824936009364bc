/**
 * One shape for everything made from a saved result without a paid job: an export writes its files beside the grid
 * (never over a file: writeNewFiles with the kind's stem from resultFiles.ts), then runExport lists them in the
 * sidecar and reads the result back. The VS Code layer runs every export through one command path
 * (src/vscode/exports/exportCommands.ts); the pixels are made in the image worker.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import type { ImageEngine } from '../../../image/engine';
import { readSavedResult, type SavedResult } from '../../readSidecar';
import type { ExportKind, SidecarExport } from '../../sidecarSchema';
import { recordExport } from '../sidecarUpdates';

/** What each kind of export is called where its files are listed (the panel, an agent's listing). */
export function exportLabel(kind: ExportKind): string {
  switch (kind) {
    case 'transparent-views':
      return l10n.t('Transparent views');
    case 'turntable':
      return l10n.t('Turntable');
    case 'sprite-sheet':
      return l10n.t('Sprite sheet');
    case 'camera-poses':
      return l10n.t('Camera poses');
  }
}

export interface ExportContext {
  engine: ImageEngine;
  /** Never written into the sidecar (redacted if it ever appears). */
  secret: string;
  signal?: AbortSignal;
}

/** What an export made: its files (absolute paths, the main one first), what to record, and notes for the user. */
export interface MadeExport {
  paths: string[];
  details: Record<string, unknown>;
  /** Something the user should know (a frame left out, a fallback taken), already in their words. */
  notes: string[];
}

export interface ResultExport<Options> {
  kind: ExportKind;
  make(saved: SavedResult, options: Options, context: ExportContext): Promise<MadeExport>;
}

export interface ExportOutcome extends MadeExport {
  record: SidecarExport;
  /** The result read back, listing the export; as it was when the sidecar could not be updated. */
  result: SavedResult;
  /** Why the sidecar does not list the export, when it could not be updated (the files are kept all the same). */
  sidecarProblem?: string;
}

export async function runExport<Options>(exporter: ResultExport<Options>, saved: SavedResult, options: Options, context: ExportContext & { workspaceFolder: string }): Promise<ExportOutcome> {
  const made = await exporter.make(saved, options, context);
  const record: SidecarExport = { kind: exporter.kind, files: made.paths.map((file) => path.basename(file)), createdAt: new Date().toISOString(), details: made.details };
  try {
    await recordExport(saved.sidecarPath, record, context.secret);
    return { ...made, record, result: await readSavedResult(saved.sidecarPath, context.workspaceFolder) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...made, record, result: saved, sidecarProblem: reason };
  }
}
