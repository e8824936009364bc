/**
 * Finds the images a job starts from (the clicked file or the Explorer's selection, the active image editor, or a
 * pick) and keeps those that can be used: a local PNG, JPEG or WebP whose header reads. The others are refused
 * now, by name, before any question is asked or any credit spent.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeImageProblem } from '../../core/imageMessages';
import { type ImageInfo, inspectImageFile } from '../../image/engine';
import { showError } from '../notifications';
import type { ExtensionServices } from '../services';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

export function hasImageExtension(uri: vscode.Uri): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(uri.path).toLowerCase());
}

/** The image to use: `clicked` from the Explorer, else the image open in the active tab, else asks. */
async function chooseImage(clicked: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (clicked) {
    return clicked;
  }
  const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const activeUri =
    activeTab instanceof vscode.TabInputCustom || activeTab instanceof vscode.TabInputText ? activeTab.uri : undefined;
  if (activeUri && hasImageExtension(activeUri)) {
    return activeUri;
  }
  return pickImage();
}

/** The Explorer passes the clicked item and the whole selection; a command-palette run passes nothing. */
export function imagesFromArguments(clicked: unknown, selected: unknown): vscode.Uri[] {
  const uris = Array.isArray(selected) ? selected.filter((item): item is vscode.Uri => item instanceof vscode.Uri) : [];
  if (uris.length > 1) {
    return uris;
  }
  return clicked instanceof vscode.Uri ? [clicked] : [];
}

export interface UsableImage {
  uri: vscode.Uri;
  /** Its header's facts: size, orientation, transparency… */
  info: ImageInfo;
}

/**
 * The images to use: `given` (the Explorer's), else one chosen (chooseImage), less those that cannot be used, each
 * named in an error (in a batch the rest go on). The image worker starts warming up as soon as there is one.
 */
export async function chooseUsableImages(services: ExtensionServices, given: vscode.Uri[]): Promise<UsableImage[]> {
  const chosen = given.length > 0 ? given : [await chooseImage(undefined)].filter((uri): uri is vscode.Uri => uri !== undefined);
  const local = chosen.filter((uri) => explainUnusableImage(uri, chosen.length > 1) === undefined);
  if (local.length === 0) {
    return [];
  }
  // The worker compiles its codecs while the questions are answered.
  services.engine.warmUp();
  return inspectImages(services, local);
}

/**
 * Why an image cannot be used, after telling the user; `undefined` when it can. In a batch the message names
 * the file and the others go on.
 */
function explainUnusableImage(imageUri: vscode.Uri, inBatch: boolean): string | undefined {
  const name = path.basename(imageUri.path);
  let problem: string | undefined;
  if (imageUri.scheme !== 'file') {
    problem = vscode.l10n.t('“{0}” is not on this machine’s disk; copy it into a local workspace folder first.', name);
  } else if (!hasImageExtension(imageUri)) {
    problem = inBatch
      ? vscode.l10n.t('“{0}” is not a PNG, JPEG or WebP image, so it was left out of the batch.', name)
      : vscode.l10n.t('“{0}” is not a PNG, JPEG or WebP image. Choose an image file.', name);
  }
  if (problem) {
    void showError(problem);
  }
  return problem;
}

/** Each picture's header, read now; an animated picture is used by its first frame, and the user is told so. */
async function inspectImages(services: ExtensionServices, uris: vscode.Uri[]): Promise<UsableImage[]> {
  const inspected = await Promise.all(uris.map(async (uri) => ({ uri, inspection: await inspectImageFile(uri.fsPath) })));
  const usable: UsableImage[] = [];
  for (const { uri, inspection } of inspected) {
    const name = path.basename(uri.path);
    if (!inspection.ok) {
      services.log.warn(`${name}: ${inspection.problem.reason} ${JSON.stringify(inspection.problem.details)}`);
      void showError(describeImageProblem(inspection.problem, name));
      continue;
    }
    if (inspection.info.animated) {
      void vscode.window.showInformationMessage(vscode.l10n.t('“{0}” is animated: its first frame is used.', name));
    }
    usable.push({ uri, info: inspection.info });
  }
  return usable;
}

interface ImageItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

async function pickImage(): Promise<vscode.Uri | undefined> {
  const browse: ImageItem = { label: `$(folder-opened) ${vscode.l10n.t('Browse…')}`, detail: vscode.l10n.t('Choose an image file from disk') };
  const pick = vscode.window.createQuickPick<ImageItem>();
  pick.title = vscode.l10n.t('Multiview: Choose an image');
  pick.placeholder = vscode.l10n.t('Type to filter the PNG, JPEG and WebP images of the workspace');
  pick.matchOnDescription = true;
  pick.busy = true;
  pick.items = [browse];
  pick.show();
  // List the images while the picker is already visible, so it opens at once even in large workspaces; closing the
  // picker stops the search.
  const search = new vscode.CancellationTokenSource();
  void vscode.workspace.findFiles('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}', '**/{node_modules,.git}/**', 2000, search.token).then((uris) => {
    if (search.token.isCancellationRequested) {
      return;
    }
    const images = uris
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((uri): ImageItem => {
        const folder = path.posix.dirname(vscode.workspace.asRelativePath(uri, false));
        return { label: path.basename(uri.path), description: folder === '.' ? '' : folder, uri };
      });
    pick.items = [...images, browse];
    pick.busy = false;
  });
  const chosen = await new Promise<ImageItem | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
  });
  search.cancel();
  search.dispose();
  pick.dispose();
  if (!chosen) {
    return undefined;
  }
  if (chosen.uri) {
    return chosen.uri;
  }
  const [picked] =
    (await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Multiview: Choose an image'),
      canSelectMany: false,
      filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS.map((extension) => extension.slice(1)) },
    })) ?? [];
  return picked;
}
