/**
 * "Make 3D Model": from the result panel's button, the History view (one model per selected result) or the
 * command palette (which asks for a result). The questions are modelPicker.ts; each job runs under its own
 * cancellable progress, shows in the status bar, survives a window reload while queued, and ends in the panel
 * showing the model, or one clear message. The work itself is core/modelJob.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from '../../commands';
import { type ResumableModelJob, resumeModelJob, runModelJob, type SavedModel, transparentGridOf } from '../../core/modelJob';
import { type ModelParameters, sanitizeModelParameters } from '../../core/modelParameters';
import { keyOrExplain } from '../apiKeyStore';
import { selectedResults } from '../history/historyNodes';
import { type JobControl, type ProgressOptions, tracked, withJobProgress, withSignal } from '../jobs/runJob';
import { reportFailure } from '../jobs/reportFailure';
import { announceSavedFile, showError } from '../notifications';
import { pickSavedResults, readSavedResultInWorkspace, type SavedResultInWorkspace } from '../savedResults';
import type { ExtensionServices } from '../services';
import { connectionFor, type MultiviewSettings, readSettingsOrExplain } from '../settings';
import { openModel } from './modelEditor';
import { pickModelParameters } from './modelPicker';

/** Where the last answers are remembered (global state), to start the next model from. */
export const LAST_MODEL_PARAMETERS_KEY = 'multiview.lastModelParameters';

export interface ModelRequest {
  target: SavedResultInWorkspace;
  parameters: ModelParameters;
  apiKey: string;
}

type ModelCommandIds = typeof COMMANDS.makeModel | typeof COMMANDS.historyMakeModel;

export function modelCommands(services: ExtensionServices): Pick<CommandHandlers, ModelCommandIds> {
  return {
    // The panel passes its result's sidecar; the command palette passes nothing (a result is asked for).
    [COMMANDS.makeModel]: async (sidecar?: unknown) => {
      const target = sidecar instanceof vscode.Uri ? await readTarget(sidecar) : await pickResult();
      if (target) await makeModels(services, [target]);
    },
    // The History view passes the clicked row and the whole selection.
    [COMMANDS.historyMakeModel]: async (clicked?: unknown, selected?: unknown) => {
      const results = selectedResults(clicked, selected);
      const targets = (await Promise.all(results.map((result) => readTarget(vscode.Uri.file(result.sidecarPath))))).filter((target) => target !== undefined);
      if (targets.length > 0) await makeModels(services, targets);
    },
  };
}

async function readTarget(sidecar: vscode.Uri): Promise<SavedResultInWorkspace | undefined> {
  try {
    return await readSavedResultInWorkspace(sidecar);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void showError(vscode.l10n.t('No 3D model can be made from {0}: {1}', path.basename(sidecar.fsPath), reason));
    return undefined;
  }
}

/** The command palette's question: which saved result. */
async function pickResult(): Promise<SavedResultInWorkspace | undefined> {
  const [picked] = await pickSavedResults({
    title: vscode.l10n.t('Make 3D Model'),
    placeHolder: vscode.l10n.t('The result to make a 3D model from'),
    canPickMany: false,
    whenNone: vscode.l10n.t('There is no result in this workspace yet: a 3D model is made from the six views of a result. Generate one first.'),
  });
  return picked;
}

/** Asks once for the key and the parameters, then makes one model per result, each under its own progress. */
async function makeModels(services: ExtensionServices, targets: SavedResultInWorkspace[]): Promise<void> {
  const apiKey = await keyOrExplain(services.apiKeys, vscode.l10n.t('An API key is needed to make a 3D model.'));
  const settings = apiKey && readSettingsOrExplain(targets[0].workspaceFolder.uri);
  if (!apiKey || !settings) {
    return;
  }
  services.engine.warmUp();
  // A grid that cannot be read is not offered as the input: the job would refuse it.
  const transparent = await Promise.all(targets.map(async (target) => (await transparentGridOf(services.engine, target.result).catch(() => undefined)) !== undefined));
  const remembered = services.globalState.get<Partial<Record<keyof ModelParameters, unknown>>>(LAST_MODEL_PARAMETERS_KEY) ?? {};
  const subject = targets.length === 1 ? path.basename(targets[0].result.sourceImagePath) : vscode.l10n.t('{0} results', targets.length);
  const parameters = await pickModelParameters(sanitizeModelParameters(remembered), { subject, count: targets.length, viewsTransparent: transparent.every(Boolean) });
  if (!parameters) {
    return;
  }
  await services.globalState.update(LAST_MODEL_PARAMETERS_KEY, parameters);
  await Promise.all(targets.map((target) => runModelWithProgress(services, { target, parameters, apiKey }, settings)));
}

async function runModelWithProgress(services: ExtensionServices, request: ModelRequest, settings: MultiviewSettings): Promise<void> {
  try {
    const saved = await runModelUnderProgress(services, request, settings);
    void announceModel(services, saved);
  } catch (error) {
    const failed = { ...request, imageUri: vscode.Uri.file(request.target.result.sourceImagePath) };
    await reportFailure(services, failed, error, (again) => runModelWithProgress(services, again, settings));
  }
}

/**
 * One model under its progress (a notification for a command, the status bar for an agent's tool: see JobStarter),
 * for callers that show its result and failure themselves.
 */
export function runModelUnderProgress(services: ExtensionServices, request: ModelRequest, settings: MultiviewSettings, options: ProgressOptions = {}): Thenable<SavedModel> {
  const name = path.basename(request.target.result.sourceImagePath);
  return withJobProgress((control) => runModel(services, request, settings, withSignal(control, options.signal)), vscode.l10n.t('Multiview: 3D model of {0}', name), options.startedBy);
}

function runModel(services: ExtensionServices, request: ModelRequest, settings: MultiviewSettings, control: JobControl): Promise<SavedModel> {
  const { target, parameters, apiKey } = request;
  let pendingId: string | undefined;
  return tracked(services, vscode.l10n.t('{0} (3D model)', path.basename(target.result.sourceImagePath)), control, async (session) => {
    try {
      return await runModelJob({
        ...session,
        connection: connectionFor(settings, apiKey, services.log),
        result: target.result,
        workspaceFolder: target.workspaceFolder.uri.fsPath,
        parameters,
        longSide: settings.uploadLongSide,
        onQueued: (job) => {
          pendingId = services.pending.add({ kind: 'model', job });
        },
      });
    } finally {
      services.pending.remove(pendingId);
    }
  });
}

/** Finishes a model job queued before a window reload; it leaves workspace state when it ends. */
export async function resumeModel(services: ExtensionServices, pendingId: string, job: ResumableModelJob, apiKey: string, settings: MultiviewSettings): Promise<void> {
  const name = path.basename(job.imagePath);
  try {
    const saved = await withJobProgress(
      (control) =>
        tracked(services, vscode.l10n.t('{0} (3D model)', name), control, (session) =>
          resumeModelJob({ ...session, connection: connectionFor(settings, apiKey, services.log), job }),
        ),
      vscode.l10n.t('Multiview (resumed): 3D model of {0}', name),
    );
    void announceModel(services, saved);
  } catch (error) {
    services.log.error(`Resumed 3D model of ${name}: ${error instanceof Error ? error.message : String(error)}`);
    const target = await readSavedResultInWorkspace(vscode.Uri.file(job.sidecarPath)).catch(() => undefined);
    const failed = { imageUri: vscode.Uri.file(job.imagePath), apiKey };
    // "Try Again" makes a new model from the same result and parameters: the queued job is gone.
    await reportFailure(services, failed, error, async (again) => {
      if (target) await runModelWithProgress(services, { target, parameters: job.parameters, apiKey: again.apiKey }, settings);
    });
  } finally {
    services.pending.remove(pendingId);
  }
}

/** The panel shows the new model; a message names the file, with Open and Reveal. */
async function announceModel(services: ExtensionServices, saved: SavedModel): Promise<void> {
  services.log.info(`Saved ${saved.modelPath} (${saved.model.triangles} triangles, ${saved.model.bytes} bytes)`);
  services.panels.showSaved(saved.result);
  const message = saved.sidecarProblem
    ? vscode.l10n.t('saved {0}, but its result’s sidecar could not record it ({1}).', saved.model.file, saved.sidecarProblem)
    : vscode.l10n.t('saved the 3D model {0} ({1} triangles).', saved.model.file, saved.model.triangles.toLocaleString(vscode.env.language));
  await announceSavedFile(message, vscode.Uri.file(saved.modelPath), { open: openModel, warning: saved.sidecarProblem !== undefined });
}
