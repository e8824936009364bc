/**
 * One command per free export of a saved result (core/results/exports/), each called the same way by the result
 * panel (its sidecar's Uri, and the panel's options), the History view (the clicked row and the selection: a batch)
 * and the command palette (which asks for one or more results). One progress, one way to announce what was saved and
 * one way to say what went wrong, for every export; nothing here spends credits.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandHandlers, EXPORT_COMMANDS } from '../../commands';
import { describeImageFailure } from '../../core/imageMessages';
import { isCancellation } from '../../core/jobSession';
import { type ExportOutcome, type ResultExport, runExport } from '../../core/results/exports/resultExport';
import { cameraPosesExport } from '../../core/results/exports/cameraPoses';
import { spriteSheetExport } from '../../core/results/exports/spriteSheet';
import { transparentViewsExport } from '../../core/results/exports/transparentViews';
import { turntableExport } from '../../core/results/exports/turntable';
import { presentTransparentViews } from '../../core/results/resultViews';
import { clampFramesPerSecond, DEFAULT_FRAMES_PER_SECOND } from '../../shared/messages';
import { asResultNode, selectedResults } from '../history/historyNodes';
import { abortSignalFor } from '../cancellation';
import { announceSavedFile, showError, showInformation, showWarning } from '../notifications';
import { pickSavedResults, readSavedResultInWorkspace, type SavedResultInWorkspace } from '../savedResults';
import type { ExtensionServices } from '../services';

type ExportCommandIds = (typeof EXPORT_COMMANDS)[keyof typeof EXPORT_COMMANDS];

/** What each command says, and how it reads the panel's options into the export's. */
interface ExportCommand<Options> {
  exporter: ResultExport<Options>;
  title: string;
  /** The options from the panel's message (or none, from History and the palette). */
  options(fromCaller: unknown): Options;
  /** The result already has this export, up to date: nothing to make (what to say instead). */
  alreadyMade?(target: SavedResultInWorkspace): Promise<string | undefined>;
}

export function exportCommands(services: ExtensionServices): Pick<CommandHandlers, ExportCommandIds> {
  const command = <Options>(definition: ExportCommand<Options>) => async (target?: unknown, selection?: unknown, options?: unknown) => {
    const targets = await resolveTargets(target, selection, definition.title);
    if (targets.length > 0) await runExports(services, definition, targets, definition.options(options));
  };
  return {
    [EXPORT_COMMANDS['transparent-views']]: command({
      exporter: transparentViewsExport,
      title: vscode.l10n.t('Make Views Transparent'),
      options: () => undefined,
      async alreadyMade(target) {
        const present = await presentTransparentViews(target.result);
        return present && vscode.l10n.t('The views of {0} are already transparent: {1}.', path.basename(target.result.sourceImagePath), path.basename(present.gridPath));
      },
    }),
    [EXPORT_COMMANDS.turntable]: command({
      exporter: turntableExport,
      title: vscode.l10n.t('Export Turntable'),
      options: (fromCaller) => ({ framesPerSecond: framesPerSecondOf(fromCaller) }),
    }),
    [EXPORT_COMMANDS['sprite-sheet']]: command({
      exporter: spriteSheetExport,
      title: vscode.l10n.t('Export Sprite Sheet'),
      options: (fromCaller) => ({ includeInput: true, framesPerSecond: framesPerSecondOf(fromCaller) }),
    }),
    [EXPORT_COMMANDS['camera-poses']]: command({
      exporter: cameraPosesExport,
      title: vscode.l10n.t('Export Camera Poses'),
      options: () => undefined,
    }),
  };
}

/** The panel's turntable speed, when the panel is the caller; the default otherwise. */
function framesPerSecondOf(fromCaller: unknown): number {
  return clampFramesPerSecond((fromCaller as { framesPerSecond?: unknown } | undefined)?.framesPerSecond ?? DEFAULT_FRAMES_PER_SECOND);
}

/** The panel passes a sidecar Uri; History the clicked row and the selection; the palette nothing (a pick). */
async function resolveTargets(target: unknown, selection: unknown, title: string): Promise<SavedResultInWorkspace[]> {
  if (target instanceof vscode.Uri) {
    const read = await readTarget(target);
    return read ? [read] : [];
  }
  if (asResultNode(target)) {
    const reads = await Promise.all(selectedResults(target, selection).map((result) => readTarget(vscode.Uri.file(result.sidecarPath))));
    return reads.filter((read) => read !== undefined);
  }
  return pickSavedResults({
    title,
    placeHolder: vscode.l10n.t('The results to use (no credits are spent)'),
    canPickMany: true,
    whenNone: vscode.l10n.t('There is no result in this workspace yet. Generate one first.'),
  });
}

async function readTarget(sidecar: vscode.Uri): Promise<SavedResultInWorkspace | undefined> {
  try {
    return await readSavedResultInWorkspace(sidecar);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? vscode.l10n.t('it was moved or deleted.') : error instanceof Error ? error.message : String(error);
    void showError(vscode.l10n.t('{0} cannot be opened as a result: {1}', path.basename(sidecar.fsPath), reason));
    return undefined;
  }
}

/**
 * Runs one export for each target, one after the other, under one cancellable notification; then the panels
 * showing them update, and one message says what was saved (Open / Reveal for one file) or what failed.
 */
async function runExports<Options>(services: ExtensionServices, definition: ExportCommand<Options>, targets: SavedResultInWorkspace[], options: Options): Promise<ExportOutcome[]> {
  const secret = (await services.apiKeys.get()) ?? '';
  const outcomes: ExportOutcome[] = [];
  const failures: string[] = [];
  const skipped: string[] = [];
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: multiviewTitle(definition.title), cancellable: true }, async (progress, token) => {
    const cancellation = abortSignalFor(token);
    try {
      for (const [index, target] of targets.entries()) {
        if (token.isCancellationRequested) break;
        const name = path.basename(target.result.sourceImagePath);
        if (targets.length > 1) progress.report({ message: vscode.l10n.t('{0} ({1} of {2})', name, index + 1, targets.length) });
        const already = await definition.alreadyMade?.(target);
        if (already) {
          skipped.push(already);
          continue;
        }
        try {
          const outcome = await runExport(definition.exporter, target.result, options, {
            engine: services.engine,
            secret,
            signal: cancellation.signal,
            workspaceFolder: target.workspaceFolder.uri.fsPath,
          });
          outcomes.push(outcome);
          services.panels.refreshIfShown(outcome.result);
          services.log.info(`${definition.title}: saved ${outcome.paths.map((file) => path.basename(file)).join(', ')}`);
          if (outcome.sidecarProblem) services.log.warn(`${definition.title}: the sidecar ${path.basename(target.result.sidecarPath)} does not list the files: ${outcome.sidecarProblem}`);
        } catch (error) {
          if (isCancellation(error) || cancellation.signal.aborted) break;
          const reason = describeImageFailure(error, path.basename(target.result.gridPath))?.message ?? (error instanceof Error ? error.message : String(error));
          services.log.error(`${definition.title} of ${name}: ${reason}`);
          failures.push(vscode.l10n.t('{0}: {1}', name, reason));
        }
      }
    } finally {
      cancellation.dispose();
    }
  });
  await announce(definition.title, outcomes, failures, skipped);
  return outcomes;
}

function multiviewTitle(title: string): string {
  return vscode.l10n.t('Multiview: {0}', title);
}

async function announce(title: string, outcomes: ExportOutcome[], failures: string[], skipped: string[]): Promise<void> {
  if (failures.length > 0) {
    const saved = outcomes.length > 0 ? ' ' + vscode.l10n.t('{0} saved.', outcomes.length) : '';
    void showError(vscode.l10n.t('{0} failed for {1}.', title, failures.join('; ')) + saved);
  }
  for (const message of skipped) void showInformation(message);
  if (outcomes.length === 0) return;
  const notes = outcomes.flatMap((outcome) => outcome.notes);
  const unlisted = outcomes.some((outcome) => outcome.sidecarProblem);
  const tail = [...notes, ...(unlisted ? [vscode.l10n.t('The result’s .json file could not list them (see the Multiview log).')] : [])].join(' ');
  if (outcomes.length === 1) {
    const [outcome] = outcomes;
    const names = outcome.paths.map((file) => path.basename(file));
    const message = (names.length === 1 ? vscode.l10n.t('saved {0}.', names[0]) : vscode.l10n.t('saved {0} files: {1}.', names.length, names.join(', '))) + (tail ? ` ${tail}` : '');
    const main = vscode.Uri.file(outcome.paths[0]);
    await announceSavedFile(message, main, { warning: unlisted, open: (uri) => vscode.commands.executeCommand('vscode.open', uri, vscode.ViewColumn.Active) });
    return;
  }
  const files = outcomes.reduce((count, outcome) => count + outcome.paths.length, 0);
  void (unlisted ? showWarning : showInformation)(vscode.l10n.t('{0}: saved {1} files for {2} results.', title, files, outcomes.length) + (tail ? ` ${tail}` : ''));
}
