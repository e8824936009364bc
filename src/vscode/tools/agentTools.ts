/**
 * Multiview as language-model tools for chat agents: generate the six views of a workspace image, make a 3D model
 * of a result, and list the results already made. The tools that spend credits ask first (VS Code shows the
 * confirmation, naming every paid job), run the same pipeline as the commands (progress in the status bar, not a
 * notification over the chat; the chat's stop button cancels), open the result panel, and answer with text an agent
 * can act on (and, where VS Code supports it, a small picture of the grid). A failure is answered in the words the
 * user would see, never with a stack or the key; a missing key, with the command that sets it (a tool never asks for
 * the key).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ownedFiles, plannedFileName } from '../../core/results/resultFiles';
import { redactSecret } from '../../api/redact';
import {
  checkGenerateInput,
  checkListResultsInput,
  checkMakeModelInput,
  describeGenerated,
  describeModel,
  describeResults,
  generateConfirmation,
  makeModelConfirmation,
  type MakeModelToolInput,
  TOOL_NAMES,
  toolGenerationParameters,
  toolModelParameters,
  type ToolName,
  workspacePath,
} from '../../core/agentTools';
import { isFile } from '../../core/files';
import { isCancellation } from '../../core/jobSession';
import { MODEL_FILE_EXTENSIONS } from '../../core/modelFiles';
import { resolveOutputFolder } from '../../core/outputFiles';
import type { SavedResult } from '../../core/readSidecar';
import { abortSignalFor } from '../cancellation';
import { hasImageExtension } from '../generate/chooseImage';
import { runJobUnderProgress, showResult } from '../jobs/runJob';
import { runModelUnderProgress } from '../model/modelCommands';
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

/** A confirmation's paragraphs as plain text (paths and names are not read as Markdown). */
function paragraphs(lines: readonly string[]): vscode.MarkdownString {
  const message = new vscode.MarkdownString();
  lines.forEach((line, index) => {
    if (index > 0) message.appendMarkdown('\n\n');
    message.appendText(line);
  });
  return message;
}

/** `vscode.LanguageModelDataPart`, where the running VS Code has it (about 1.105 on; @types/vscode 1.100 has not). */
interface DataPartClass {
  image(data: Uint8Array, mimeType: string): unknown;
}

function dataPartClass(): DataPartClass | undefined {
  const candidate = (vscode as unknown as { LanguageModelDataPart?: { image?: unknown } }).LanguageModelDataPart;
  return typeof candidate?.image === 'function' ? (candidate as DataPartClass) : undefined;
}

/** The grid's preview's longer side: enough for an agent to see the six views, a few tens of KB at most. */
const PREVIEW_LONG_SIDE = 512;

/**
 * A small JPEG of the grid for the agent to look at, when VS Code can carry an image in a tool result; undefined on
 * older hosts or when the preview cannot be made (the text names the files all the same). Decoding and encoding run
 * in the image worker, not on the extension host's thread.
 */
async function gridPreviewPart(services: ExtensionServices, gridPath: string, signal: AbortSignal): Promise<unknown> {
  const DataPart = dataPartClass();
  if (!DataPart) return undefined;
  try {
    const bytes = await fs.readFile(gridPath);
    const preview = await services.engine.makePreview(bytes, { longSide: PREVIEW_LONG_SIDE }, signal);
    return DataPart.image(preview.bytes, preview.mime);
  } catch (error) {
    if (signal.aborted) throw error;
    services.log.warn(`No preview of ${path.basename(gridPath)} for the agent: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The result's own files in its folder (the answer names each), or none when the folder cannot be listed. */
async function filesOnDisk(result: SavedResult): Promise<string[]> {
  const names = await fs.readdir(path.dirname(result.sidecarPath)).catch(() => [] as string[]);
  return ownedFiles(result, names);
}

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
 * A paid job run for an agent. Once the chat's stop button is pressed, the tool ends with VS Code's CancellationError
 * (shown as cancelled), whatever the job did after: an error (an aborted download, a failed save), or a result that
 * was saved in the moment before the stop reached it (its files are kept: the job was paid for, and History lists
 * them). Any other end is answered in the words the user would read, the key redacted.
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
    const result = await job.run(cancellation.signal);
    if (token.isCancellationRequested) {
      services.log.info(`Agent tool ${tool}: stopped in the chat after its result was saved; the files are kept.`);
      throw new vscode.CancellationError();
    }
    return result;
  } catch (error) {
    if (error instanceof vscode.CancellationError) throw error;
    if (token.isCancellationRequested) {
      if (!isCancellation(error)) services.log.info(`Agent tool ${tool}: stopped in the chat; it ended with ${redactSecret(error instanceof Error ? error.message : String(error), apiKey)}`);
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

function generateTool(services: ExtensionServices): Tool {
  return {
    prepareInvocation: async (options) => {
      const input = checkGenerateInput(options.input);
      const image = input.ok ? findWorkspaceImage(input.value.image) : undefined;
      if (!input.ok || typeof image !== 'object' || !(await services.apiKeys.get())) {
        // Nothing can be spent: invoke says what is wrong (or which command sets the key) without a question first.
        return { invocationMessage: input.ok ? vscode.l10n.t('Checking the request for six views of {0}…', input.value.image) : vscode.l10n.t('Checking the request…') };
      }
      let settings: MultiviewSettings;
      let folder: string;
      try {
        settings = readSettings(image.uri);
        const workspaceFolder = image.workspaceFolder.uri.fsPath;
        folder = workspacePath(resolveOutputFolder(settings.outputFolder, { imageFolder: path.dirname(image.uri.fsPath), workspaceFolder }), workspaceFolder);
      } catch {
        // a setting to fix: invoke says which
        return { invocationMessage: vscode.l10n.t('Checking the request for six views of {0}…', input.value.image) };
      }
      const parameters = toolGenerationParameters(input.value.parameters, settings.defaults);
      const name = workspacePath(image.uri.fsPath, image.workspaceFolder.uri.fsPath);
      const plan = { image: name, parameters, folder, saveViews: settings.saveViews, viewsTransparent: settings.viewsBackground === 'transparent' };
      return {
        invocationMessage: parameters.removeBackground
          ? vscode.l10n.t('Removing the background of {0}, then generating its six views…', name)
          : vscode.l10n.t('Generating six views of {0}…', name),
        confirmationMessages: { title: vscode.l10n.t('Generate six views with Multiview?'), message: paragraphs(generateConfirmation(plan)) },
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
      const parameters = toolGenerationParameters(input.value.parameters, settings.defaults);
      return runForAgent(services, TOOL_NAMES.generate, apiKey, token, {
        run: async (signal) => {
          const request = { imageUri: image.uri, workspaceFolder: image.workspaceFolder, parameters, apiKey };
          const output = await runJobUnderProgress(services, request, settings, { signal, startedBy: 'agent' });
          showResult(services, output);
          const answer = text(describeGenerated(output, image.workspaceFolder.uri.fsPath, await filesOnDisk(output)), vscode.l10n.t('The result panel is open beside the editor.'));
          // After the text: an agent that cannot take images still reads every path first.
          const preview = await gridPreviewPart(services, output.gridPath, signal);
          if (preview !== undefined) answer.content.push(preview);
          return answer;
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

function makeModelTool(services: ExtensionServices): Tool {
  return {
    prepareInvocation: async (options, token) => {
      const input = checkMakeModelInput(options.input);
      const target = input.ok ? await findResult(input.value, token) : undefined;
      if (!input.ok || typeof target !== 'object' || !(await services.apiKeys.get())) {
        return { invocationMessage: vscode.l10n.t('Checking the request…') };
      }
      const parameters = toolModelParameters(input.value.parameters);
      const root = target.workspaceFolder.uri.fsPath;
      const name = workspacePath(target.result.sourceImagePath, root);
      const file = workspacePath(path.join(path.dirname(target.result.sidecarPath), plannedFileName(target.result.sidecarPath, 'model', MODEL_FILE_EXTENSIONS[parameters.format])), root);
      return {
        invocationMessage: vscode.l10n.t('Making a 3D model of {0}…', name),
        confirmationMessages: { title: vscode.l10n.t('Make a 3D model with Multiview?'), message: paragraphs(makeModelConfirmation({ image: name, parameters, file })) },
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
      const parameters = toolModelParameters(input.value.parameters);
      return runForAgent(services, TOOL_NAMES.makeModel, apiKey, token, {
        run: async (signal) => {
          const saved = await runModelUnderProgress(services, { target, parameters, apiKey }, settings, { signal, startedBy: 'agent' });
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
