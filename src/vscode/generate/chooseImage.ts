/** Finds the image a generation starts from: the clicked file, the active image editor, or a pick. */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

export function hasImageExtension(uri: vscode.Uri): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(uri.path).toLowerCase());
}

/** The image to use: `clicked` from the Explorer, else the image open in the active tab, else asks. */
export async function chooseImage(clicked: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
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
