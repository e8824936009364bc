/** The API key lives only in VS Code's SecretStorage; this is the one place that reads or writes it. */
import * as vscode from 'vscode';
import { type CommandHandlers, COMMANDS } from '../commands';
import { showInformation, showWarning } from './notifications';

const SECRET_ID = 'multiview.apiKey';

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<string | undefined> {
    try {
      return (await this.secrets.get(SECRET_ID)) || undefined;
    } catch (error) {
      throw new Error(
        vscode.l10n.t("Multiview could not read the API key from VS Code's secret storage ({0}). Check that your system keychain is unlocked.", describe(error)),
      );
    }
  }

  /** The stored key, or asks for one. `undefined` when the user dismissed the input. */
  async getOrAsk(): Promise<string | undefined> {
    return (await this.get()) ?? (await this.ask(vscode.l10n.t('Multiview needs your API key once; it is kept in VS Code’s secret storage.')));
  }

  /** Shows a masked input and stores what is typed. */
  async ask(prompt = vscode.l10n.t('Enter your API key; it is kept in VS Code’s secret storage.')): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('Multiview: API Key'),
      prompt,
      placeHolder: vscode.l10n.t('API key from your stablediffusionapi.com / ModelsLab dashboard'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (/^\S{8,}$/.test(text.trim()) ? undefined : vscode.l10n.t('An API key has at least 8 characters and no spaces.')),
    });
    return key === undefined ? undefined : this.set(key);
  }

  async set(key: string): Promise<string> {
    try {
      await this.secrets.store(SECRET_ID, key.trim());
    } catch (error) {
      throw new Error(
        vscode.l10n.t("Multiview could not save the API key in VS Code's secret storage ({0}). Check that your system keychain is unlocked.", describe(error)),
      );
    }
    return key.trim();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_ID);
  }
}

/** The stored key, or asks for it; `undefined` after saying (`why`) that a key is needed, with a way to set it. */
export async function keyOrExplain(store: ApiKeyStore, why: string): Promise<string | undefined> {
  const apiKey = await store.getOrAsk();
  if (!apiKey) {
    void showWarning(why, vscode.l10n.t('Set API Key')).then((action) => {
      if (action) {
        void vscode.commands.executeCommand(COMMANDS.setApiKey);
      }
    });
  }
  return apiKey;
}

/** `multiview.setApiKey` and `multiview.clearApiKey`. */
export function apiKeyCommands(store: ApiKeyStore): Pick<CommandHandlers, typeof COMMANDS.setApiKey | typeof COMMANDS.clearApiKey> {
  return {
    // A key passed as the argument (from a keybinding, a script or a test host) is stored without asking.
    [COMMANDS.setApiKey]: async (key?: unknown) => {
      if (typeof key === 'string' && key.trim() !== '' ? await store.set(key) : await store.ask()) {
        void showInformation(vscode.l10n.t('API key saved.'));
      }
    },
    [COMMANDS.clearApiKey]: async () => {
      await store.clear();
      void showInformation(vscode.l10n.t('API key cleared. You will be asked for it at the next generation.'));
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
