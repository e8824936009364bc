/**
 * Multiview as language-model tools for chat agents: generate the six views of a workspace image, make a 3D model
 * of a result, and list the results already made. The tools that spend credits ask first (VS Code shows the confirmation), runs the same
 * pipeline as the command (progress in the notification and the status bar, the chat's stop button cancels), opens
 * the result panel, and answers with text an agent can act on. A failure is answered in the words the user would
 * see, never with a stack or the key; a missing key, with the command that sets it (a tool never asks for the key).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { plannedFileName } from '../../core/results/resultFiles';
import { redactSecret } from '../../api/redact';
import { checkGenerateInput, checkListResultsInput, checkMakeModelInput, describeGenerated, describeModel, describeResults, type MakeModelToolInput, TOOL_NAMES, type ToolName, workspacePath } from '../../core/agentTools';
import { isFile } from '../../core/files';
import { isCancellation } from '../../core/jobSession';
import { MODEL_FILE_EXTENSIONS } from '../../core/modelFiles';
import { type ModelParameters, sanitizeModelParameters } from '../../core/modelParameters';
import { resolveOutputFolder } from '../../core/outputFiles';
import { type GenerationParameters, sanitizeParameters } from '../../core/parameters';
import type { SavedResult } from '../../core/readSidecar';
import { abortSignalFor } from '../cancellation';
import { LAST_PARAMETERS_KEY } from '../generate/generateCommands';
import { hasImageExtension } from '../generate/chooseImage';
import { runJobUnderProgress, showResult } from '../jobs/runJob';
import { LAST_MODEL_PARAMETERS_KEY, runModelUnderProgress } from '../model/modelCommands';
import { findSavedResults, readSavedResultInWorkspace, type SavedResultInWorkspace } from '../savedResults';
import type { ExtensionServices } from '../services';
import { type MultiviewSettings, readSettings } from '../settings';

type Tool = vscode.LanguageModelTool<unknown>;

export function agentTools(services: ExtensionServices): Record<ToolName, Tool> {
  return {
    [TOOL_NAMES.generate]: generateTool(services),
    [TOOL_NAMES.makeModel]: makeModelTool(services),
    [TOOL_NAMES.listResults]: listResultsTool(),
  };
}

const text = (...lines: string[]) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(lines.join('\n'))]);

/** The key and the settings a paid tool needs, or the answer that says what is missing (a tool never asks for the key). */
async function keyAndSettings(services: ExtensionServices, scope: vscode.Uri): Promise<{ apiKey: string; settings: MultiviewSettings } | vscode.LanguageModelToolResult> {
  const apiKey = await services.apiKeys.get();
  if (!apiKey) {
    return text(vscode.l10n.t('No Multiview API key is set. Ask the user to run the command “Multiview: Set API Key” and try again; never ask for the key in the chat.'));
  }
  try {
    return { apiKey, settings: readSettings(scope) };
  } catch (error) {
    return text(vscode.l10n.t('Multiview’s settings need fixing first: {0}', error instanceof Error ? error.message : String(error)));
  }
}

/**
 * A paid job run for an agent: the chat's stop button cancels it (VS Code's CancellationError, as a tool must); any
 * other end is answered in the words the user would read, the key redacted.
 */
async function runForAgent(
  services: ExtensionServices,
  tool: ToolName,
  apiKey: string,
  token: vscode.CancellationToken,
  job: { run: (signal: AbortSignal) => Promise<vscode.LanguageModelToolResult>; cancelled: () => string; failed: (message: string) => string },
): Promise<vscode.LanguageModelToolResult> {
  const cancellation = abortSignalFor(token);
  try {
    return await job.run(cancellation.signal);
  } catch (error) {
    if (isCancellation(error) && token.isCancellationRequested) {
      throw new vscode.CancellationError();
    }
    const message = redactSecret(error instanceof Error ? error.message : String(error), apiKey);
    services.log.error(`Agent tool ${tool}: ${message}`);
    return text(isCancellation(error) ? job.cancelled() : job.failed(message));
  } finally {
    cancellation.dispose();
  }
}

/** A workspace image named by an agent: a path relative to a workspace folder (or absolute, inside one). */
interface WorkspaceImage {
  uri: vscode.Uri;
  workspaceFolder: vscode.WorkspaceFolder;
}

function findWorkspaceImage(name: string): WorkspaceImage | string {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    return vscode.l10n.t('No folder is open in VS Code: open the folder that holds the image first.');
  }
  const candidates = path.isAbsolute(name) ? [vscode.Uri.file(name)] : folders.map((folder) => vscode.Uri.joinPath(folder.uri, name.replace(/\\/g, '/')));
  for (const uri of candidates) {
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(uri);
    if (workspaceFolder && hasImageExtension(uri)) {
      return { uri, workspaceFolder };
    }
  }
  return hasImageExtension(candidates[0])
    ? vscode.l10n.t('“{0}” is not inside the open workspace folder; give a path relative to it.', name)
    : vscode.l10n.t('“{0}” is not a PNG, JPEG or WebP image.', name);
}

/** What a generation for this input would use: the agent's values over the user's last answers and defaults. */
function plannedParameters(services: ExtensionServices, settings: MultiviewSettings, given: Partial<GenerationParameters>): GenerationParameters {
  const remembered = services.globalState.get<Partial<GenerationParameters>>(LAST_PARAMETERS_KEY) ?? {};
  // Webhooks and track ids stay the user's to set: an agent's run does not call out to a URL it was told about.
  const { webhook: _webhook, trackId: _trackId, ...recalled } = sanitizeParameters(remembered, settings.defaults);
  return sanitizeParameters({ ...recalled, ...given }, settings.defaults);
}

function generateTool(services: ExtensionServices): Tool {
  return {
    prepareInvocation: async (options) => {
      const input = checkGenerateInput(options.input);
      const image = input.ok ? findWorkspaceImage(input.value.image) : undefined;
      if (!input.ok || typeof image !== 'object' || !(await services.apiKeys.get())) {
        // Nothing can be spent: invoke says what is wrong (or which command sets the key) without a question first.
        return { invocationMessage: vscode.l10n.t('Checking the request…') };
      }
      let settings: MultiviewSettings;
      let folder: string;
      try {
        settings = readSettings(image.uri);
        const workspaceFolder = image.workspaceFolder.uri.fsPath;
        folder = workspacePath(resolveOutputFolder(settings.outputFolder, { imageFolder: path.dirname(image.uri.fsPath), workspaceFolder }), workspaceFolder);
      } catch {
        return { invocationMessage: vscode.l10n.t('Checking the request…') }; // a setting to fix: invoke says which
      }
      const parameters = plannedParameters(services, settings, input.value.parameters);
      const name = workspacePath(image.uri.fsPath, image.workspaceFolder.uri.fsPath);
      const costs = parameters.removeBackground
        ? vscode.l10n.t('This runs two paid jobs on your account (background removal, then the views) and takes a minute or two.')
        : vscode.l10n.t('This runs one paid job on your account and takes about a minute.');
      return {
        invocationMessage: vscode.l10n.t('Generating six views of {0}…', name),
        confirmationMessages: {
          title: vscode.l10n.t('Generate six views with Multiview?'),
          message: new vscode.MarkdownString()
            .appendText(vscode.l10n.t('Generate six views of {0}: a {1} × {2} grid, {3} steps.', name, parameters.width, parameters.height, parameters.steps))
            .appendMarkdown('\n\n')
            .appendText(costs)
            .appendMarkdown('\n\n')
            .appendText(vscode.l10n.t('It writes the grid, the six views and a .json sidecar into {0}.', folder === '.' ? vscode.l10n.t('the workspace folder') : `${folder}/`)),
        },
      };
    },
    invoke: async (options, token) => {
      const input = checkGenerateInput(options.input);
      if (!input.ok) return text(input.problem);
      const image = findWorkspaceImage(input.value.image);
      if (typeof image === 'string') return text(image);
      if (!(await isFile(image.uri.fsPath))) {
        return text(vscode.l10n.t('There is no file {0} in the workspace.', input.value.image));
      }
      const ready = await keyAndSettings(services, image.uri);
      if (!('apiKey' in ready)) return ready;
      const { apiKey, settings } = ready;
      const parameters = plannedParameters(services, settings, input.value.parameters);
      return runForAgent(services, TOOL_NAMES.generate, apiKey, token, {
        run: async (signal) => {
          const output = await runJobUnderProgress(services, { imageUri: image.uri, workspaceFolder: image.workspaceFolder, parameters, apiKey }, settings, signal);
          showResult(services, output);
          return text(describeGenerated(output, image.workspaceFolder.uri.fsPath), vscode.l10n.t('The result panel is open beside the editor.'));
        },
        cancelled: () => vscode.l10n.t('The user cancelled the generation; nothing was saved.'),
        failed: (message) => vscode.l10n.t('Multiview could not generate the views: {0}', message),
      });
    },
  };
}

/** The result an agent named: a sidecar path, or the newest result of an image; a sentence when there is none. */
async function findResult(input: MakeModelToolInput, token?: vscode.CancellationToken): Promise<SavedResultInWorkspace | string> {
  if (input.result) {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const uri = path.isAbsolute(input.result) ? vscode.Uri.file(input.result) : folders[0] && vscode.Uri.joinPath(folders[0].uri, input.result.replace(/\\/g, '/'));
    if (!uri) return vscode.l10n.t('No folder is open in VS Code: open the folder that holds the result first.');
    try {
      return await readSavedResultInWorkspace(uri);
    } catch (error) {
      return vscode.l10n.t('“{0}” cannot be used as a result: {1}', input.result, error instanceof Error ? error.message : String(error));
    }
  }
  const image = findWorkspaceImage(input.image ?? '');
  if (typeof image === 'string') return image;
  const newest = (await findSavedResults(token)).find((saved) => path.normalize(saved.result.sourceImagePath) === path.normalize(image.uri.fsPath));
  return newest ?? vscode.l10n.t('{0} has no Multiview result yet: generate its six views first (multiview_generate).', input.image ?? '');
}

/** What a model for this input would use: the agent's values over the user's last answers and the service's defaults. */
function plannedModelParameters(services: ExtensionServices, given: Partial<ModelParameters>): ModelParameters {
  const remembered = services.globalState.get<Partial<Record<keyof ModelParameters, unknown>>>(LAST_MODEL_PARAMETERS_KEY) ?? {};
  // The six views as the input are the user's choice (and only for transparent views): an agent's run uses one image.
  return sanitizeModelParameters({ ...remembered, ...given, multiImage: false });
}

function makeModelTool(services: ExtensionServices): Tool {
  return {
    prepareInvocation: async (options, token) => {
      const input = checkMakeModelInput(options.input);
      const target = input.ok ? await findResult(input.value, token) : undefined;
      if (!input.ok || typeof target !== 'object' || !(await services.apiKeys.get())) {
        return { invocationMessage: vscode.l10n.t('Checking the request…') };
      }
      const parameters = plannedModelParameters(services, input.value.parameters);
      const root = target.workspaceFolder.uri.fsPath;
      const name = workspacePath(target.result.sourceImagePath, root);
      const file = workspacePath(path.join(path.dirname(target.result.sidecarPath), plannedFileName(target.result.sidecarPath, 'model', MODEL_FILE_EXTENSIONS[parameters.format])), root);
      return {
        invocationMessage: vscode.l10n.t('Making a 3D model of {0}…', name),
        confirmationMessages: {
          title: vscode.l10n.t('Make a 3D model with Multiview?'),
          message: new vscode.MarkdownString()
            .appendText(vscode.l10n.t('Make a 3D model of {0}: {1}, quality {2}.', name, parameters.format.toUpperCase(), parameters.resolution))
            .appendMarkdown('\n\n')
            .appendText(vscode.l10n.t('This runs one paid job on your account and takes a few minutes.'))
            .appendMarkdown('\n\n')
            .appendText(vscode.l10n.t('It writes {0} beside the result (a new name if that one is taken).', file)),
        },
      };
    },
    invoke: async (options, token) => {
      const input = checkMakeModelInput(options.input);
      if (!input.ok) return text(input.problem);
      const target = await findResult(input.value, token);
      if (typeof target === 'string') return text(target);
      const ready = await keyAndSettings(services, target.workspaceFolder.uri);
      if (!('apiKey' in ready)) return ready;
      const { apiKey, settings } = ready;
      const parameters = plannedModelParameters(services, input.value.parameters);
      return runForAgent(services, TOOL_NAMES.makeModel, apiKey, token, {
        run: async (signal) => {
          const saved = await runModelUnderProgress(services, { target, parameters, apiKey }, settings, signal);
          services.panels.showSaved(saved.result);
          return text(describeModel(saved.model, saved.result, target.workspaceFolder.uri.fsPath), vscode.l10n.t('The result panel shows the model beside the editor.'));
        },
        cancelled: () => vscode.l10n.t('The user cancelled the 3D model; nothing was saved.'),
        failed: (message) => vscode.l10n.t('Multiview could not make the 3D model: {0}', message),
      });
    },
  };
}

function listResultsTool(): Tool {
  return {
    prepareInvocation: () => ({ invocationMessage: vscode.l10n.t('Looking up Multiview results…') }),
    invoke: async (options, token) => {
      const input = checkListResultsInput(options.input);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length === 0 || !input.ok) {
        return text(vscode.l10n.t('No folder is open in VS Code, so there are no results to list.'));
      }
      const image = input.value.image === undefined ? undefined : findWorkspaceImage(input.value.image);
      if (typeof image === 'string') return text(image);
      const results: SavedResult[] = (await findSavedResults(token))
        .map((saved) => saved.result)
        .filter((result) => !image || path.normalize(result.sourceImagePath) === path.normalize(image.uri.fsPath));
      const root = image?.workspaceFolder.uri.fsPath ?? folders[0].uri.fsPath;
      return text(describeResults(results, root));
    },
  };
}
